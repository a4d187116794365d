package dev.tandem.sequencer;

import dev.tandem.sequencer.ws.WebSocketContainer;
import java.net.URI;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and initializes the HTTP stack's classes (Grizzly, Jersey with Jackson, Tyrus) on a thread
 * of its own while the embedded PostgreSQL starts and Flyway checks the schema: the two take about
 * as long, one core each, so a server is ready after about the longer of them instead of their sum
 * (README, Performance / Load, recovery). It builds a throwaway server that never listens; a
 * failure here costs only the head start.
 */
final class HttpStackPreload {
  private static final Logger log = LoggerFactory.getLogger(HttpStackPreload.class);

  private HttpStackPreload() {}

  static void start() {
    Thread thread = new Thread(HttpStackPreload::run, "tandem-preload");
    thread.setDaemon(true);
    thread.start();
  }

  private static void run() {
    try {
      HttpServer unused =
          GrizzlyHttpServerFactory.createHttpServer(
              URI.create("http://127.0.0.1:0/api"),
              new ResourceConfig().register(JacksonFeature.withoutExceptionMappers()),
              false);
      new WebSocketContainer(1024).attachTo(unused.getListeners().iterator().next());
      Json.write(Json.object());
    } catch (RuntimeException | LinkageError e) {
      log.debug("preloading the HTTP stack failed: {}", e.toString());
    }
  }
}
