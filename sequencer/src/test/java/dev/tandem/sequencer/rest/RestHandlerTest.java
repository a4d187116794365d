package dev.tandem.sequencer.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.sequencer.server.HealthHandler;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Application;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.glassfish.grizzly.http.server.HttpHandlerRegistration;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.spi.AbstractContainerLifecycleListener;
import org.glassfish.jersey.server.spi.Container;
import org.junit.jupiter.api.Test;

/**
 * The REST API built beside a server that already listens: what comes before it is built waits and
 * is served, a build that fails is an error and not a hang, and a server stopped meanwhile leaves
 * no container behind.
 */
class RestHandlerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Path("ping")
  public static final class Ping {
    @GET
    public String ping() {
      return "pong";
    }
  }

  /** One resource; {@code onShutdown} runs when Jersey shuts the application down. */
  private static ResourceConfig ping(Runnable onShutdown) {
    return new ResourceConfig(Ping.class)
        .register(
            new AbstractContainerLifecycleListener() {
              @Override
              public void onShutdown(Container container) {
                onShutdown.run();
              }
            });
  }

  @Test
  void aRequestThatComesBeforeTheBuildWaitsForItAndIsServed() throws Exception {
    CountDownLatch mayBuild = new CountDownLatch(1);
    RestHandler rest = RestHandler.buildInBackground(held(mayBuild, ping(() -> {})));
    HttpServer server = listening(rest);
    try {
      CompletableFuture<HttpResponse<String>> early = get(server, "/api/ping");
      assertThrows(
          java.util.concurrent.TimeoutException.class,
          () -> early.get(300, TimeUnit.MILLISECONDS),
          "answered before the REST API was built");
      mayBuild.countDown();
      HttpResponse<String> answer = early.get(30, TimeUnit.SECONDS);
      assertEquals(200, answer.statusCode());
      assertEquals("pong", answer.body());
      assertEquals("pong", get(server, "/api/ping").get(30, TimeUnit.SECONDS).body());
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void aBuildThatFailsIsAnErrorForEveryRequestAndTheProbes() throws Exception {
    RestHandler rest =
        RestHandler.buildInBackground(
            () -> {
              throw new IllegalArgumentException("a resource model that does not hold");
            });
    HttpServer server = listening(rest);
    try {
      IllegalStateException failed = assertThrows(IllegalStateException.class, rest::awaitBuilt);
      assertInstanceOf(IllegalArgumentException.class, failed.getCause());
      assertEquals(500, get(server, "/api/ping").get(30, TimeUnit.SECONDS).statusCode());
      HttpResponse<String> ready = get(server, "/readyz").get(30, TimeUnit.SECONDS);
      assertEquals(503, ready.statusCode());
      assertTrue(ready.body().contains("the REST API could not be built"), ready.body());
      assertEquals(200, get(server, "/livez").get(30, TimeUnit.SECONDS).statusCode());
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void aServerStoppedWhileTheApiIsBuiltShutsItDownOnceBuilt() throws Exception {
    CountDownLatch mayBuild = new CountDownLatch(1);
    CountDownLatch shutDown = new CountDownLatch(1);
    RestHandler rest = RestHandler.buildInBackground(held(mayBuild, ping(shutDown::countDown)));
    HttpServer server = listening(rest);
    server.shutdownNow(); // destroys its handlers
    mayBuild.countDown();
    assertTrue(shutDown.await(30, TimeUnit.SECONDS), "the container built after the stop lives on");
    assertThrows(IllegalStateException.class, rest::awaitBuilt);
  }

  @Test
  void aBuiltApiIsShutDownOnceHoweverOftenItsServerStops() throws Exception {
    AtomicInteger shutDowns = new AtomicInteger();
    RestHandler rest = RestHandler.buildInBackground(() -> ping(shutDowns::incrementAndGet));
    rest.awaitBuilt();
    rest.destroy(); // Grizzly's shutdown of a started server
    rest.destroy(); // TandemServer's own, for a server that may never have started
    assertEquals(1, shutDowns.get());
  }

  /** The application, once {@code mayBuild} is counted down. */
  private static Supplier<Application> held(CountDownLatch mayBuild, Application application) {
    return () -> {
      try {
        mayBuild.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return application;
    };
  }

  /**
   * A started server with {@code rest} at /api and the probes (which look at nothing else while it
   * is not built), as TandemServer has them.
   */
  private static HttpServer listening(RestHandler rest) throws Exception {
    HttpServer server = new HttpServer();
    server.addListener(new NetworkListener("test", "127.0.0.1", 0));
    server
        .getServerConfiguration()
        .addHttpHandler(rest, HttpHandlerRegistration.bulder().contextPath("/api").build());
    for (HealthHandler.Probe probe : HealthHandler.Probe.values()) {
      server
          .getServerConfiguration()
          .addHttpHandler(
              new HealthHandler(probe, null, null, rest::awaitBuilt),
              "/" + probe.name().toLowerCase(java.util.Locale.ROOT) + "z");
    }
    server.start();
    return server;
  }

  private static CompletableFuture<HttpResponse<String>> get(HttpServer server, String path) {
    int port = server.getListeners().iterator().next().getPort();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }
}
