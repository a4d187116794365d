package dev.tandem.sequencer.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's log: Logback, one line per event on standard error, as text with a timestamp or as
 * one JSON object per line for log shippers ({@code --log-format}), from {@code --log-level} up.
 * Events name their document and client as key-value pairs ({@code doc="notes" client="c1"}; in
 * JSON, the {@code kvpList}), never a token or a password. The one place that sets Logback up:
 * {@link Defaults} before the settings are read (and for servers run in-process), {@link
 * #configure} once they are.
 */
public final class Logging {
  /** How each line is written ({@code --log-format}). */
  public enum Format {
    /** {@code 2026-12-04T18:50:47.123Z INFO [thread] logger - message key="value"}. */
    TEXT,
    /** One JSON object per line: Logback's {@link JsonEncoder}. */
    JSON;

    /** {@code text} or {@code json}, in any case. */
    public static Format parse(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "text" -> TEXT;
        case "json" -> JSON;
        default -> throw new IllegalArgumentException("'" + value + "' (expected: text or json)");
      };
    }
  }

  /** The text layout: ISO-8601 time in UTC, level, thread, logger, message, key-value pairs. */
  static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{36} - %msg%replace("
          + " %kvp){'^ $',''}%n";

  private Logging() {}

  /** Logs {@code level} and up in {@code format} from now on; replaces any earlier set-up. */
  public static void configure(org.slf4j.event.Level level, Format format) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    // Levels reach java.util.logging too (Grizzly, Jersey, Tyrus log there, bridged to SLF4J):
    // lines below the level are then dropped where they are made, not after the bridge.
    LevelChangePropagator toJul = new LevelChangePropagator();
    toJul.setContext(context);
    toJul.setResetJUL(true);
    toJul.start();
    context.addListener(toJul);
    install(context, level, format);
  }

  private static void install(LoggerContext context, org.slf4j.event.Level level, Format format) {
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setTarget("System.err");
    console.setEncoder(encoder(context, format));
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.convertAnSLF4JLevel(level));
    root.addAppender(console);
    // The database's pool meters are registered before a server adds its registry to them, by
    // design (one pool can outlive several servers in a process); Micrometer warns about that once
    // per start, though the pool's gauges read live values and nothing is lost.
    context.getLogger(CompositeMeterRegistry.class).setLevel(Level.ERROR);
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format) {
    if (format == Format.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithMessage(false); // the pattern; formattedMessage is the line
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(PATTERN);
    text.start();
    return text;
  }

  /**
   * Logback's set-up before {@link #configure}: {@code info} as text. Found through {@code
   * META-INF/services}, ahead of any logback.xml.
   */
  public static final class Defaults extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
      install(context, org.slf4j.event.Level.INFO, Format.TEXT);
      return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
  }
}
