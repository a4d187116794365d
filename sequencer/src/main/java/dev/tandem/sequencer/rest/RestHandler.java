package dev.tandem.sequencer.rest;

import jakarta.ws.rs.core.Application;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainerProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API's handler: Jersey's container, built on a thread of its own while the server starts.
 *
 * <p>Building it (HK2, the resource model, the providers) takes a fresh JVM about 0.5 s of CPU, the
 * longest single step of a start, and the WebSocket protocol needs none of it. So the server
 * listens and serves editors without waiting for it; a request for the REST API (or {@code
 * /readyz}) that comes before it is built waits for it, and is then served as any other.
 */
public final class RestHandler extends HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(RestHandler.class);

  private final CompletableFuture<GrizzlyHttpContainer> container = new CompletableFuture<>();
  private boolean destroyed; // guarded by this

  private RestHandler() {}

  /** Starts building Jersey's container for the {@code application} on a new thread. */
  public static RestHandler buildInBackground(Supplier<Application> application) {
    RestHandler handler = new RestHandler();
    Thread build = new Thread(() -> handler.build(application), "tandem-rest-build");
    build.setDaemon(true);
    build.start();
    return handler;
  }

  private void build(Supplier<Application> application) {
    GrizzlyHttpContainer built;
    try {
      built =
          new GrizzlyHttpContainerProvider()
              .createContainer(GrizzlyHttpContainer.class, application.get());
      built.start(); // what Grizzly does for a handler registered before the server starts
    } catch (RuntimeException | Error e) {
      log.error("the REST API could not be built", e);
      container.completeExceptionally(e);
      return;
    }
    synchronized (this) {
      if (destroyed) { // the server stopped while it was built
        built.destroy();
        container.completeExceptionally(new IllegalStateException("the server stopped"));
        return;
      }
      container.complete(built);
    }
  }

  /**
   * Waits until the REST API is built.
   *
   * @throws IllegalStateException if it could not be (the cause is what Jersey threw)
   */
  public void awaitBuilt() {
    container();
  }

  private GrizzlyHttpContainer container() {
    try {
      return container.join();
    } catch (CompletionException e) {
      throw new IllegalStateException("the REST API could not be built", e.getCause());
    }
  }

  @Override
  public void service(Request request, Response response) throws Exception {
    container().service(request, response);
  }

  /** Shuts the container down, now or once built; idempotent. */
  @Override
  public void destroy() {
    GrizzlyHttpContainer built;
    synchronized (this) {
      if (destroyed) {
        return;
      }
      destroyed = true;
      built = container.isDone() && !container.isCompletedExceptionally() ? container.join() : null;
    }
    if (built != null) {
      built.destroy();
    }
  }
}
