package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.error.BadRequestLog;
import dev.tandem.sequencer.error.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, item 9: requests that fail by the client's fault (malformed JSON, a body cut short, a
 * malformed chunk, an unknown charset, bad escapes, invalid ops) are never logged as {@code
 * internal}, at ERROR or WARN, or with a stack trace, and the lines about them are rate-limited.
 * The server logs through slf4j-simple, which writes each line to the {@code System.err} of the
 * moment, and Grizzly through java.util.logging: the test captures both.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class BadRequestLoggingTest {
  private static final int ROUNDS = 12;

  @Test
  void manyBadRequestsLogNoErrorNoStackAndFewLines() throws Exception {
    String doc = Servers.freshDoc();
    List<LogRecord> grizzlyLog = new CopyOnWriteArrayList<>();
    Handler recorder = StaticFilesTest.recordInto(grizzlyLog);
    Logger.getLogger("org.glassfish").addHandler(recorder);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    long start;
    long elapsed;
    // A short grace: Grizzly's graceful shutdown still counts a request cut short as in progress
    // and waits out the grace for it; the log of the shutdown is not this test's subject.
    TandemServer server =
        Servers.start(
            Servers.config().badMessageLimit(100_000).shutdownGrace(Duration.ofSeconds(1)).build());
    try (WsClient client = WsClient.hello(server, "bad-logs")) {
      assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());
      client.send(Messages.open(doc));
      client.next("opened");
      long badRequestsBefore = errors(server, ErrorCode.BAD_REQUEST);
      System.setErr(new PrintStream(new Tee(captured, originalErr), true, StandardCharsets.UTF_8));
      start = System.nanoTime();
      for (int i = 0; i < ROUNDS; i++) {
        String ops = "/api/docs/" + doc + "/ops";
        assertEquals(400, Http.post(server, ops, "{\"rev\":0,").status());
        assertEquals(400, Http.post(server, ops, "{\"rev\":0,\"op\":[1e999]}").status());
        assertEquals(400, raw(server, post(ops, "Content-Length: 100", "{\"rev\":0,"), true));
        assertEquals(400, raw(server, post(ops, "Transfer-Encoding: chunked", "zz\r\n{}"), false));
        assertEquals(
            400, raw(server, post(ops + "?a=%zz", "Content-Length: 2", "{}"), false), "escape");
        assertEquals(
            400,
            raw(
                server,
                post(ops, "Content-Length: 2\r\nContent-Type: application/json;charset=x", "{}")));
        client.send(
            "{\"type\":\"submit\",\"doc\":\"" + doc + "\",\"rev\":0,\"op\":[1.5],\"seq\":1}");
        assertEquals("invalid_op", client.next("error").path("code").asText());
        client.send("{nope");
        assertEquals("bad_request", client.next("error").path("code").asText());
      }
      // The answers to bodies cut short may be written after the client left: wait for them all.
      // malformed JSON, cut short, charset (REST), "{nope" (WebSocket); the chunk and the escape
      // are refused before Jersey, and not counted
      long expected = badRequestsBefore + 4L * ROUNDS;
      ClientHarness.await(
          () -> errors(server, ErrorCode.BAD_REQUEST) >= expected,
          () -> errors(server, ErrorCode.BAD_REQUEST) + " bad_request answered");
      elapsed = System.nanoTime() - start;
      assertEquals(0, errors(server, ErrorCode.INTERNAL), "no internal error was answered");
      assertEquals(200, Http.get(server, "/api/docs/" + doc).status(), "still serving");
    } finally {
      System.setErr(originalErr);
      Logger.getLogger("org.glassfish").removeHandler(recorder);
      server.close();
    }

    List<String> lines =
        Arrays.asList(captured.toString(StandardCharsets.UTF_8).split("\\R")).stream()
            .filter(line -> !line.isBlank())
            .toList();
    List<String> serious =
        lines.stream()
            .filter(
                line ->
                    line.contains(" ERROR ")
                        || line.contains(" WARN ")
                        || line.contains("internal")
                        || line.startsWith("\tat ")
                        || line.contains("Exception:"))
            .toList();
    assertEquals(List.of(), serious, "nothing serious is logged");
    assertEquals(List.of(), grizzlyLog.stream().map(LogRecord::getMessage).toList());

    long badRequestLines = lines.stream().filter(l -> l.contains(BadRequestLog.LOGGER)).count();
    long intervals = elapsed / BadRequestLog.INTERVAL.toNanos() + 1;
    assertTrue(
        badRequestLines <= intervals * (BadRequestLog.LINES_PER_INTERVAL + 1),
        badRequestLines
            + " lines in "
            + intervals
            + " interval(s) about "
            + (8 * ROUNDS)
            + " bad requests:\n"
            + String.join("\n", lines));
    assertTrue(badRequestLines >= 1, "bad requests are logged:\n" + String.join("\n", lines));
  }

  /** A POST with {@code header}, of JSON unless the header names another Content-Type. */
  private static String post(String path, String header, String body) {
    String json = header.contains("Content-Type") ? "" : "Content-Type: application/json\r\n";
    return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + json + header + "\r\n\r\n" + body;
  }

  private static int raw(TandemServer server, String request) throws IOException {
    return raw(server, request, false);
  }

  /**
   * Sends a request as it is; with {@code cutShort} the client then stops sending (its body is
   * incomplete). Returns the status, or 400 for no answer to a request cut short: the server may
   * close the connection without one, as nobody is left to read it.
   */
  private static int raw(TandemServer server, String request, boolean cutShort) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout((int) WsClient.WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      socket.shutdownOutput();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (response.isEmpty() && cutShort) {
        return 400;
      }
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  private static long errors(TandemServer server, ErrorCode code) {
    String name = "tandem_errors_total{code=\"" + code.code() + "\"} ";
    for (String line :
        server.sequencers().metrics().render(() -> 0, () -> 0, () -> 0).split("\n")) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim());
      }
    }
    throw new AssertionError("no " + name);
  }

  /** Writes to both streams: the capture, and the console as before. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
      first.write(bytes, offset, length);
      second.write(bytes, offset, length);
    }
  }
}
