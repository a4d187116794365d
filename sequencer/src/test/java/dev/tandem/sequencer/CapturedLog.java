package dev.tandem.sequencer;

import dev.tandem.sequencer.config.Logging;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * What the server writes to standard error while this is open, as the operator sees it: Logback's
 * console appender writes to the {@code System.err} of the moment, and the libraries that log
 * through java.util.logging are bridged to it as {@link TandemServer#main} bridges them. Still
 * shown on the console. Closing it restores the stream and the {@code info} text log.
 */
final class CapturedLog implements AutoCloseable {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream original = System.err;

  CapturedLog(org.slf4j.event.Level level, Logging.Format format) {
    Logging.configure(level, format);
    // The test's own HTTP and WebSocket clients (the JDK's) log what they send at debug: they are
    // not the server, whose output this is.
    ((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory())
        .getLogger("jdk.internal.httpclient")
        .setLevel(ch.qos.logback.classic.Level.INFO);
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.setErr(new PrintStream(new Tee(captured, original), true, StandardCharsets.UTF_8));
  }

  /** Everything written so far. */
  String text() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  /** The lines written so far. */
  List<String> lines() {
    return Arrays.stream(text().split("\\R")).filter(line -> !line.isBlank()).toList();
  }

  @Override
  public void close() {
    System.setErr(original);
    SLF4JBridgeHandler.uninstall();
    Logging.configure(org.slf4j.event.Level.INFO, Logging.Format.TEXT);
  }

  /** Writes to both streams: the capture, and the console as before. */
  private static final class Tee extends OutputStream {
    private final ByteArrayOutputStream first;
    private final OutputStream second;

    Tee(ByteArrayOutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      synchronized (first) {
        first.write(b);
      }
      second.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      synchronized (first) {
        first.write(b, off, len);
      }
      second.write(b, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      second.flush();
    }
  }
}
