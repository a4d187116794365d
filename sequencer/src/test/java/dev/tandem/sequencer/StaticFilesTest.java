package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The static files at {@code /}: served from the web root, and nothing above it. */
@ExtendWith(EmbeddedPostgresExtension.class)
class StaticFilesTest {

  @Test
  void pathsThatClimbAboveTheWebRootAreNotFoundAndLogNoError(@TempDir Path dir) throws IOException {
    Path web = Files.createDirectories(dir.resolve("web"));
    Files.createDirectories(web.resolve("vendor"));
    Files.writeString(web.resolve("index.html"), "<p>demo</p>");
    Files.writeString(dir.resolve("secret.txt"), "do not serve");
    List<LogRecord> grizzlyLog = new CopyOnWriteArrayList<>();
    Handler recorder = recordInto(grizzlyLog);
    Logger grizzly = Logger.getLogger("org.glassfish.grizzly");
    grizzly.addHandler(recorder);
    try (TandemServer server = Servers.start(Servers.config().staticDir(web).build())) {
      assertTrue(send(server, get("/index.html", "close")).startsWith("HTTP/1.1 200"));
      // raw requests: an HTTP client might normalise the path before sending it
      for (String path :
          List.of(
              "/vendor/../../secret.txt", "/%2e%2e/secret.txt", "/vendor/%2e%2e/../secret.txt")) {
        String response = send(server, get(path, "close"));
        assertTrue(response.startsWith("HTTP/1.1 404"), path + " -> " + response);
        assertFalse(response.contains("do not serve"), path);
      }
      // the connection stays usable after the refusal
      String both = send(server, get("/../secret.txt", "keep-alive") + get("/index.html", "close"));
      assertTrue(both.startsWith("HTTP/1.1 404"), both);
      assertTrue(both.contains("HTTP/1.1 200") && both.endsWith("<p>demo</p>"), both);
    } finally {
      grizzly.removeHandler(recorder);
    }
    assertEquals(List.of(), grizzlyLog.stream().map(LogRecord::getMessage).toList());
  }

  /** Keeps Grizzly's warnings and errors that carry a stack trace. */
  static Handler recordInto(List<LogRecord> records) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()
            && record.getThrown() != null) {
          records.add(record);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  private static String get(String path, String connection) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: " + connection + "\r\n\r\n";
  }

  /** Sends the requests as they are, byte for byte; returns everything until the server closes. */
  private static String send(TandemServer server, String requests) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout((int) WsClient.WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(requests.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
