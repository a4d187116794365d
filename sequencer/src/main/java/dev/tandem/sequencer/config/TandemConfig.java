package dev.tandem.sequencer.config;

import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.sequencer.auth.AllowedHosts;
import dev.tandem.sequencer.auth.AllowedOrigins;
import dev.tandem.sequencer.auth.HmacSecret;
import dev.tandem.sequencer.auth.MetricsToken;
import dev.tandem.sequencer.auth.TokenVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.event.Level;

/**
 * The server's effective configuration: every limit and setting in one immutable value.
 *
 * <p>Each setting has a flag ({@code --port 9000} or {@code --port=9000}) and an environment
 * variable ({@code TANDEM_PORT}); a flag wins over the environment, which wins over the default.
 * {@link ServerOptions} defines them (picocli options, {@code tandem serve --help}) and builds this
 * record; the rest of the server receives only the record.
 */
public record TandemConfig(
    String host,
    int port,
    Optional<Path> staticDir,
    int maxMessageBytes,
    int maxDocumentCodePoints,
    int maxOpCodePoints,
    int maxOpenDocumentsPerConnection,
    int outboundQueueLimit,
    // outbound memory (issue 12): bytes waiting for one socket or stream, and for all of them
    long outboundSocketBytes,
    long outboundTotalBytes,
    int badMessageLimit,
    Duration badMessageWindow,
    int maxMessagesPerSecond,
    int checkpointInterval,
    int historyInMemory,
    int catchUpPage,
    int submitQueuePerConnection,
    int submitQueueCostPerDocument,
    Duration idleUnloadAfter,
    Duration shutdownGrace,
    Duration pingInterval,
    Duration pingTimeout,
    Optional<String> databaseUrl,
    Optional<String> databaseUser,
    Optional<String> databasePassword,
    int databasePoolSize,
    Duration databaseTimeout,
    Path dataDir,
    // per-user limits (issue 13): across all of one user's WebSockets
    int maxConnectionsPerUser,
    int maxMessagesPerSecondPerUser,
    // security (issue 13): who may connect, from which pages and under which host names
    Auth auth,
    Optional<Path> authSecretFile,
    Optional<HmacSecret> authSecret,
    Optional<String> authJwks,
    Optional<String> authIssuer,
    Optional<String> authAudience,
    Duration authClockSkew,
    Duration authJwksRefresh,
    AllowedOrigins allowedOrigins,
    Optional<AllowedHosts> allowedHosts,
    int maxConnectionsPerAddress,
    // issue 13: the token /metrics requires; held as a digest, never printed
    Optional<MetricsToken> metricsToken,
    // issue 13: --auth class:NAME, a team's own authorizer
    Optional<String> authClass,
    // issue 12: a socket that keeps sending after rate_limited is closed (a flood)
    int excessMessageLimit,
    // issue 16: what the log shows, and how
    Level logLevel,
    Logging.Format logFormat) {

  /** How clients are authenticated ({@code --auth}). */
  public enum Auth {
    /** Development only: everyone may do everything, as user {@code anonymous}. */
    NONE,
    /** Signed tokens, verified with the secret or the JWKS. */
    TOKEN,
    /** A team's own authorizer class ({@code --auth class:NAME}); see {@link #authClass}. */
    CLASS
  }

  /** The host listened on by default with {@code --auth none}: this machine only. */
  public static final String LOOPBACK_HOST = "127.0.0.1";

  /** The host listened on by default once tokens are required: every interface. */
  public static final String ANY_HOST = "0.0.0.0";

  /** Where the demo page of client-js lives in a checkout, served at {@code /} when present. */
  public static final Path DEFAULT_STATIC_DIR = Path.of("client-js", "demo");

  public TandemConfig {
    Objects.requireNonNull(metricsToken, "metricsToken");
    requireRange(port, 0, 65535, "port");
    requireRange(maxMessageBytes, 64, Integer.MAX_VALUE, "max-message-bytes");
    requireRange(maxDocumentCodePoints, 1, Integer.MAX_VALUE, "max-document-code-points");
    requireRange(maxOpCodePoints, 1, Integer.MAX_VALUE, "max-op-code-points");
    requireRange(maxOpenDocumentsPerConnection, 1, Integer.MAX_VALUE, "max-open-documents");
    requireRange(outboundQueueLimit, 1, Integer.MAX_VALUE, "outbound-queue");
    requireRange(outboundSocketBytes, 1024, Long.MAX_VALUE, "outbound-socket-bytes");
    requireRange(outboundTotalBytes, 1024, Long.MAX_VALUE, "outbound-total-bytes");
    requireRange(badMessageLimit, 1, Integer.MAX_VALUE, "bad-message-limit");
    requireRange(excessMessageLimit, 0, Integer.MAX_VALUE, "excess-message-limit");
    requireRange(maxMessagesPerSecond, 0, 1_000_000_000, "max-messages-per-second");
    requireRange(maxConnectionsPerUser, 0, Integer.MAX_VALUE, "max-connections-per-user");
    requireRange(maxMessagesPerSecondPerUser, 0, 1_000_000_000, "max-messages-per-second-per-user");
    requireRange(checkpointInterval, 1, Integer.MAX_VALUE, "checkpoint-interval");
    requireRange(historyInMemory, 1, Integer.MAX_VALUE, "history-in-memory");
    requireRange(catchUpPage, 1, Integer.MAX_VALUE, "catch-up-page");
    requireRange(submitQueuePerConnection, 1, Integer.MAX_VALUE, "submit-queue-per-connection");
    requireRange(
        submitQueueCostPerDocument, 1, Integer.MAX_VALUE, "submit-queue-cost-per-document");
    requireRange(databasePoolSize, 1, 1000, "database-pool-size");
    requireRange(maxConnectionsPerAddress, 0, 1_000_000, "max-connections-per-address");
    requireRange(
        authClockSkew.toSeconds(), 0, TokenVerifier.MAX_CLOCK_SKEW.toSeconds(), "auth-clock-skew");
    // below the JWKS cache time, which refetches the set anyway
    requireRange(
        authJwksRefresh.toSeconds(),
        1,
        TokenVerifier.DEFAULT_JWKS_CACHE_TTL.toSeconds() - 1,
        "auth-jwks-refresh");
    requireKeySource(auth, authSecret, authJwks);
    Objects.requireNonNull(authClass, "authClass");
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(logFormat, "logFormat");
    if ((auth == Auth.CLASS) != authClass.isPresent()) {
      throw new IllegalArgumentException("auth: class:NAME names a class (and only it)");
    }
    requireRange(
        databaseTimeout.toSeconds(),
        1,
        DatabaseConfig.MAX_TIMEOUT_SECONDS,
        "database-timeout-seconds");
    // Nothing is unloaded before it is idle, and no shutdown waits a negative time.
    requireAtLeast(idleUnloadAfter, Duration.ofSeconds(1), "idle-unload-seconds");
    requireAtLeast(shutdownGrace, Duration.ZERO, "shutdown-grace-seconds");
    if (pingInterval.isNegative()
        || pingInterval.isZero()
        || pingInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "ping-interval-seconds : " + seconds(pingInterval) + " (expected: 1 to 3600)");
    }
    if (pingTimeout.compareTo(pingInterval.multipliedBy(2)) < 0) {
      // A live peer must have two pings to answer, however the sweeps fall.
      throw new IllegalArgumentException(
          "ping-timeout-seconds : "
              + seconds(pingTimeout)
              + " (expected: at least twice ping-interval-seconds, "
              + seconds(pingInterval.multipliedBy(2))
              + ")");
    }
  }

  /**
   * The defaults: port 8080, 1 MiB messages, 16 Mi code points per document, and so on; no
   * authentication, hence listening on {@value #LOOPBACK_HOST} only. They are those of {@link
   * ServerOptions}, the one place that defines each setting.
   */
  public static TandemConfig defaults() {
    return parse(List.of(), Map.of());
  }

  /**
   * Reads flags and then environment variables over the defaults ({@link ServerOptions}).
   *
   * @throws IllegalArgumentException naming the flag or variable and the expected form
   */
  public static TandemConfig parse(List<String> args, Map<String, String> env) {
    return ServerOptions.parse(args, env);
  }

  /** The settings' help, as {@code tandem serve --help} prints it: flag, variable, meaning. */
  public static String usage() {
    return ServerOptions.commandLine(new ServerOptions(Map.of())).getUsageMessage();
  }

  /** The effective settings, one per line, with the database password masked. */
  public String describe() {
    List<String> lines = new ArrayList<>();
    lines.add("host=" + host);
    lines.add("port=" + port);
    lines.add("static-dir=" + staticDir.map(Path::toString).orElse("(none)"));
    lines.add("max-message-bytes=" + maxMessageBytes);
    lines.add("max-document-code-points=" + maxDocumentCodePoints);
    lines.add("max-op-code-points=" + maxOpCodePoints);
    lines.add("max-open-documents=" + maxOpenDocumentsPerConnection);
    lines.add("outbound-queue=" + outboundQueueLimit);
    lines.add("outbound-socket-bytes=" + outboundSocketBytes);
    lines.add(
        "outbound-total-bytes="
            + outboundTotalBytes
            + " (max heap "
            + Runtime.getRuntime().maxMemory()
            + ")");
    lines.add(
        "bad-message-limit=" + badMessageLimit + " per " + badMessageWindow.toSeconds() + "s");
    lines.add(
        "excess-message-limit="
            + (excessMessageLimit == 0
                ? "unlimited"
                : excessMessageLimit + " per " + badMessageWindow.toSeconds() + "s"));
    lines.add(
        "max-messages-per-second="
            + (maxMessagesPerSecond == 0 ? "unlimited" : Integer.toString(maxMessagesPerSecond)));
    lines.add(
        "max-connections-per-user="
            + (maxConnectionsPerUser == 0 ? "unlimited" : Integer.toString(maxConnectionsPerUser)));
    lines.add(
        "max-messages-per-second-per-user="
            + (maxMessagesPerSecondPerUser == 0
                ? "unlimited"
                : Integer.toString(maxMessagesPerSecondPerUser)));
    lines.add("checkpoint-interval=" + checkpointInterval);
    lines.add("history-in-memory=" + historyInMemory);
    lines.add("catch-up-page=" + catchUpPage + " (in effect " + effectiveCatchUpPage() + ")");
    lines.add("submit-queue-per-connection=" + submitQueuePerConnection);
    lines.add("submit-queue-cost-per-document=" + submitQueueCostPerDocument);
    lines.add("idle-unload-seconds=" + idleUnloadAfter.toSeconds());
    lines.add("shutdown-grace-seconds=" + shutdownGrace.toSeconds());
    lines.add("ping-interval-seconds=" + seconds(pingInterval));
    lines.add("ping-timeout-seconds=" + seconds(pingTimeout));
    lines.add(
        "database-url="
            + databaseUrl
                .map(url -> url.replaceAll("(?i)(password=)[^&;]*", "$1****"))
                .orElse("(none: embedded PostgreSQL)"));
    lines.add("database-user=" + databaseUser.orElse("(default)"));
    lines.add("database-password=" + (databasePassword.isEmpty() ? "(none)" : "****"));
    lines.add("database-pool-size=" + databasePoolSize);
    lines.add("database-timeout-seconds=" + databaseTimeout.toSeconds());
    lines.add(
        "data-dir=" + dataDir.toAbsolutePath() + (databaseUrl.isPresent() ? " (unused)" : ""));
    lines.add("auth=" + describeAuth());
    lines.add("auth-secret-file=" + authSecretFile.map(Path::toString).orElse("(none)"));
    lines.add("auth-jwks=" + authJwks.map(TandemConfig::withoutUserInfo).orElse("(none)"));
    lines.add("auth-issuer=" + authIssuer.orElse("(any)"));
    lines.add("auth-audience=" + authAudience.orElse("(any)"));
    lines.add("auth-clock-skew=" + authClockSkew.toSeconds());
    lines.add("auth-jwks-refresh=" + authJwksRefresh.toSeconds());
    lines.add("allowed-origins=" + allowedOrigins);
    lines.add(
        "allowed-hosts="
            + effectiveAllowedHosts()
            + (allowedHosts.isEmpty() ? " (default for host " + host + ")" : ""));
    lines.add(
        "max-connections-per-address="
            + (maxConnectionsPerAddress == 0
                ? "unlimited"
                : Integer.toString(maxConnectionsPerAddress)));
    lines.add("metrics-token-file=" + (metricsToken.isPresent() ? "set" : "not set"));
    lines.add("log-level=" + logLevel.name().toLowerCase(Locale.ROOT));
    lines.add("log-format=" + logFormat.name().toLowerCase(Locale.ROOT));
    return String.join("\n", lines);
  }

  /** The key source, fit to print: the secret's length and where it came from, never the secret. */
  private String describeAuth() {
    if (auth == Auth.NONE) {
      return "none (development only)";
    }
    if (auth == Auth.CLASS) {
      return "class " + authClass.orElseThrow();
    }
    return authSecret
        .map(
            secret ->
                "token: HS256 with a "
                    + secret.length()
                    + "-byte secret from "
                    + authSecretFile.map(Path::toString).orElse("TANDEM_AUTH_SECRET"))
        .orElseGet(
            () -> "token: RS256/ES256 with the JWKS at " + withoutUserInfo(authJwks.orElseThrow()));
  }

  /** A URL's user name and password, should it hold any, masked. */
  private static String withoutUserInfo(String location) {
    return location.replaceAll("//[^/@]*@", "//****@");
  }

  /**
   * What an operator must know before relying on this configuration, printed at start: with {@code
   * --auth none}, anyone who reaches the port can read and write every document.
   *
   * @param listeningPort the port actually listened on (the setting may be 0)
   */
  public List<String> warnings(int listeningPort) {
    if (auth != Auth.NONE) {
      return List.of();
    }
    return List.of(
        "--auth none: anyone who can reach "
            + host
            + ":"
            + listeningPort
            + " can read and write every document. For development only; configure"
            + " --auth-secret-file, TANDEM_AUTH_SECRET or --auth-jwks before others can reach"
            + " it.");
  }

  /**
   * The verifier of tokens for {@code --auth token}, empty for {@code --auth none}; the caller
   * closes it (a JWKS URL keeps a cache that refreshes).
   *
   * @throws IllegalArgumentException if the JWKS cannot be used (a file that cannot be read, an
   *     {@code http://} URL on a host other than loopback)
   */
  public Optional<TokenVerifier> tokenVerifier() {
    if (auth != Auth.TOKEN) {
      return Optional.empty();
    }
    TokenVerifier.Builder verifier =
        TokenVerifier.builder().clockSkew(authClockSkew).jwksRefreshInterval(authJwksRefresh);
    authSecret.ifPresent(verifier::secret);
    authJwks.ifPresent(verifier::jwks);
    authIssuer.ifPresent(verifier::issuer);
    authAudience.ifPresent(verifier::audience);
    return Optional.of(verifier.build());
  }

  /**
   * The host names served: {@code --allowed-hosts}, or by default the loopback names when listening
   * on a loopback address and any name otherwise.
   */
  public AllowedHosts effectiveAllowedHosts() {
    return allowedHosts.orElseGet(() -> AllowedHosts.parse("", isLoopback(host)));
  }

  /** Whether {@code host} names this machine only; checked by name, nothing is resolved. */
  static boolean isLoopback(String host) {
    String name = host.trim().toLowerCase(Locale.ROOT);
    return name.equals("localhost")
        || name.startsWith("127.")
        || name.equals("::1")
        || name.equals("[::1]");
  }

  /**
   * Missed ops sent at a time to a subscriber catching up: {@code catchUpPage}, but at most a
   * quarter of its outbound queue, so a page never fills the queue that would close it.
   */
  public int effectiveCatchUpPage() {
    return Math.max(1, Math.min(catchUpPage, outboundQueueLimit / 4));
  }

  /** The environment variable holding the metrics token itself (no flag: a flag shows in ps). */
  public static final String METRICS_TOKEN_ENV = "TANDEM_METRICS_TOKEN";

  /** Bytes that may wait for one slow socket or SSE stream by default. */
  public static final long DEFAULT_OUTBOUND_SOCKET_BYTES = 8L * 1024 * 1024;

  /**
   * Bytes that may wait for all sockets and streams together by default: a quarter of the heap, so
   * that clients that do not read can never take the memory the documents need (at least 16 MiB).
   */
  public static long defaultOutboundTotalBytes() {
    long heap = Runtime.getRuntime().maxMemory();
    long quarter = heap == Long.MAX_VALUE ? 1024L * 1024 * 1024 : heap / 4;
    return Math.max(16L * 1024 * 1024, quarter);
  }

  /** Whole seconds as such, shorter settings (from tests) in milliseconds. */
  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? Long.toString(duration.toSeconds())
        : duration.toMillis() + " ms";
  }

  private static void requireRange(long value, long min, long max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " : " + value + " (expected: " + min + " to " + max + ")");
    }
  }

  private static void requireAtLeast(Duration value, Duration min, String name) {
    if (value == null || value.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          name
              + " : "
              + (value == null ? "none" : value.toSeconds())
              + " (expected: at least "
              + min.toSeconds()
              + ")");
    }
  }

  /**
   * The key source's settings agree with {@code --auth}: one source for {@code token} (a secret or
   * a JWKS, not both), none for {@code none} (a server given a key but open to all would surprise
   * whoever gave it).
   */
  private static void requireKeySource(
      Auth auth, Optional<HmacSecret> secret, Optional<String> jwks) {
    if (secret.isPresent() && jwks.isPresent()) {
      throw new IllegalArgumentException(
          "auth: both a secret and --auth-jwks are given (expected: one key source)");
    }
    boolean keyed = secret.isPresent() || jwks.isPresent();
    if (auth == Auth.TOKEN && !keyed) {
      throw new IllegalArgumentException(
          "--auth token needs a key source: --auth-secret-file, TANDEM_AUTH_SECRET or --auth-jwks"
              + " (or --auth none, for development only)");
    }
    if (auth == Auth.CLASS && keyed) {
      throw new IllegalArgumentException(
          "--auth class: the class authenticates by itself, but a key source is given"
              + " (--auth-secret-file, TANDEM_AUTH_SECRET or --auth-jwks): remove it");
    }
    if (auth == Auth.NONE && keyed) {
      throw new IllegalArgumentException(
          "--auth none, but a key source is given (--auth-secret-file, TANDEM_AUTH_SECRET or"
              + " --auth-jwks): remove it, or drop --auth none to require tokens");
    }
  }

  /** Returns a builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * A builder with nothing set but the fixed bad-message window: {@link ServerOptions} sets all.
   */
  static Builder blankBuilder() {
    return new Builder();
  }

  /** A mutable copy of a configuration, for tests and embedding. */
  public static final class Builder {
    private String host;
    private int port;
    private Optional<Path> staticDir;
    private int maxMessageBytes;
    private int maxDocumentCodePoints;
    private int maxOpCodePoints;
    private int maxOpenDocumentsPerConnection;
    private int outboundQueueLimit;
    private long outboundSocketBytes;
    private long outboundTotalBytes;
    private int badMessageLimit;
    private Duration badMessageWindow;
    private int maxMessagesPerSecond;
    private int checkpointInterval;
    private int historyInMemory;
    private int catchUpPage;
    private int submitQueuePerConnection;
    private int submitQueueCostPerDocument;
    private Duration idleUnloadAfter;
    private Duration shutdownGrace;
    private Duration pingInterval;
    private Duration pingTimeout;
    private Optional<String> databaseUrl;
    private Optional<String> databaseUser;
    private Optional<String> databasePassword;
    private int databasePoolSize;
    private Duration databaseTimeout;
    private Path dataDir;
    private int maxConnectionsPerUser;
    private int maxMessagesPerSecondPerUser;
    private Auth auth; // null: token if a key source is given, else none
    private Optional<Path> authSecretFile;
    private Optional<HmacSecret> authSecret;
    private Optional<String> authJwks;
    private Optional<String> authIssuer;
    private Optional<String> authAudience;
    private Duration authClockSkew;
    private Duration authJwksRefresh;
    private AllowedOrigins allowedOrigins;
    private Optional<AllowedHosts> allowedHosts;
    private int maxConnectionsPerAddress;
    private Optional<MetricsToken> metricsToken;
    private Optional<String> authClass;
    private int excessMessageLimit;
    private Level logLevel;
    private Logging.Format logFormat;

    private Builder() {
      badMessageWindow = Duration.ofSeconds(10);
      staticDir = Optional.empty();
      databaseUrl = Optional.empty();
      databaseUser = Optional.empty();
      databasePassword = Optional.empty();
      authSecretFile = Optional.empty();
      authSecret = Optional.empty();
      authJwks = Optional.empty();
      authIssuer = Optional.empty();
      authAudience = Optional.empty();
      allowedHosts = Optional.empty();
      metricsToken = Optional.empty();
      authClass = Optional.empty();
    }

    private Builder(TandemConfig c) {
      host = c.host;
      port = c.port;
      staticDir = c.staticDir;
      maxMessageBytes = c.maxMessageBytes;
      maxDocumentCodePoints = c.maxDocumentCodePoints;
      maxOpCodePoints = c.maxOpCodePoints;
      maxOpenDocumentsPerConnection = c.maxOpenDocumentsPerConnection;
      outboundQueueLimit = c.outboundQueueLimit;
      outboundSocketBytes = c.outboundSocketBytes;
      outboundTotalBytes = c.outboundTotalBytes;
      badMessageLimit = c.badMessageLimit;
      badMessageWindow = c.badMessageWindow;
      maxMessagesPerSecond = c.maxMessagesPerSecond;
      checkpointInterval = c.checkpointInterval;
      historyInMemory = c.historyInMemory;
      catchUpPage = c.catchUpPage;
      submitQueuePerConnection = c.submitQueuePerConnection;
      submitQueueCostPerDocument = c.submitQueueCostPerDocument;
      idleUnloadAfter = c.idleUnloadAfter;
      shutdownGrace = c.shutdownGrace;
      pingInterval = c.pingInterval;
      pingTimeout = c.pingTimeout;
      databaseUrl = c.databaseUrl;
      databaseUser = c.databaseUser;
      databasePassword = c.databasePassword;
      databasePoolSize = c.databasePoolSize;
      databaseTimeout = c.databaseTimeout;
      dataDir = c.dataDir;
      maxConnectionsPerUser = c.maxConnectionsPerUser;
      maxMessagesPerSecondPerUser = c.maxMessagesPerSecondPerUser;
      auth = c.auth;
      authSecretFile = c.authSecretFile;
      authSecret = c.authSecret;
      authJwks = c.authJwks;
      authIssuer = c.authIssuer;
      authAudience = c.authAudience;
      authClockSkew = c.authClockSkew;
      authJwksRefresh = c.authJwksRefresh;
      allowedOrigins = c.allowedOrigins;
      allowedHosts = c.allowedHosts;
      maxConnectionsPerAddress = c.maxConnectionsPerAddress;
      metricsToken = c.metricsToken;
      authClass = c.authClass;
      excessMessageLimit = c.excessMessageLimit;
      logLevel = c.logLevel;
      logFormat = c.logFormat;
    }

    public Builder host(String value) {
      host = value;
      return this;
    }

    public Builder port(int value) {
      port = value;
      return this;
    }

    public Builder staticDir(Path value) {
      staticDir = Optional.ofNullable(value);
      return this;
    }

    public Builder maxMessageBytes(int value) {
      maxMessageBytes = value;
      return this;
    }

    public Builder maxDocumentCodePoints(int value) {
      maxDocumentCodePoints = value;
      return this;
    }

    public Builder maxOpCodePoints(int value) {
      maxOpCodePoints = value;
      return this;
    }

    public Builder maxOpenDocumentsPerConnection(int value) {
      maxOpenDocumentsPerConnection = value;
      return this;
    }

    public Builder outboundQueueLimit(int value) {
      outboundQueueLimit = value;
      return this;
    }

    public Builder outboundSocketBytes(long value) {
      outboundSocketBytes = value;
      return this;
    }

    public Builder outboundTotalBytes(long value) {
      outboundTotalBytes = value;
      return this;
    }

    public Builder badMessageLimit(int value) {
      badMessageLimit = value;
      return this;
    }

    /** Messages refused with rate_limited within the window before a socket is closed; 0: never. */
    public Builder excessMessageLimit(int value) {
      excessMessageLimit = value;
      return this;
    }

    public Builder maxMessagesPerSecond(int value) {
      maxMessagesPerSecond = value;
      return this;
    }

    /** WebSockets one user may have open at once; 0 for no limit. */
    public Builder maxConnectionsPerUser(int value) {
      maxConnectionsPerUser = value;
      return this;
    }

    /** Messages one user may send a second across its WebSockets; 0 for no limit. */
    public Builder maxMessagesPerSecondPerUser(int value) {
      maxMessagesPerSecondPerUser = value;
      return this;
    }

    public Builder checkpointInterval(int value) {
      checkpointInterval = value;
      return this;
    }

    public Builder historyInMemory(int value) {
      historyInMemory = value;
      return this;
    }

    public Builder catchUpPage(int value) {
      catchUpPage = value;
      return this;
    }

    public Builder submitQueuePerConnection(int value) {
      submitQueuePerConnection = value;
      return this;
    }

    public Builder submitQueueCostPerDocument(int value) {
      submitQueueCostPerDocument = value;
      return this;
    }

    public Builder idleUnloadAfter(Duration value) {
      idleUnloadAfter = value;
      return this;
    }

    public Builder shutdownGrace(Duration value) {
      shutdownGrace = value;
      return this;
    }

    /** How often sockets are checked, and a silent one pinged. */
    public Builder pingInterval(Duration value) {
      pingInterval = value;
      return this;
    }

    /** How long a socket may send nothing (no pong either) before it is closed. */
    public Builder pingTimeout(Duration value) {
      pingTimeout = value;
      return this;
    }

    public Builder databaseUrl(String value) {
      databaseUrl = Optional.ofNullable(value);
      return this;
    }

    /** Null for the driver's default. */
    public Builder databaseUser(String value) {
      databaseUser = Optional.ofNullable(value);
      return this;
    }

    /** Null for none. */
    public Builder databasePassword(String value) {
      databasePassword = Optional.ofNullable(value);
      return this;
    }

    public Builder databasePoolSize(int value) {
      databasePoolSize = value;
      return this;
    }

    public Builder databaseTimeout(Duration value) {
      databaseTimeout = value;
      return this;
    }

    public Builder dataDir(Path value) {
      dataDir = value;
      return this;
    }

    /** The token /metrics requires; null for none. */
    public Builder metricsToken(MetricsToken value) {
      metricsToken = Optional.ofNullable(value);
      return this;
    }

    public Builder logLevel(Level value) {
      logLevel = Objects.requireNonNull(value, "logLevel");
      return this;
    }

    public Builder logFormat(Logging.Format value) {
      logFormat = Objects.requireNonNull(value, "logFormat");
      return this;
    }

    /** {@code --auth}; null derives it from the key source (token if there is one). */
    public Builder auth(Auth value) {
      auth = value;
      return this;
    }

    /**
     * The HS256 secret (as {@code TANDEM_AUTH_SECRET} gives it); null for none. Unless {@link
     * #auth} is set after it, {@code --auth} then follows from the key source.
     */
    public Builder authSecret(HmacSecret value) {
      authSecret = Optional.ofNullable(value);
      authSecretFile = Optional.empty();
      auth = null;
      return this;
    }

    /** {@code --auth-jwks}; null for none. As {@link #authSecret}, it resets {@link #auth}. */
    public Builder authJwks(String value) {
      authJwks = Optional.ofNullable(value);
      auth = null;
      return this;
    }

    /** The secret read from {@code file} ({@code --auth-secret-file}), or given as it is. */
    Builder authSecret(HmacSecret value, Optional<Path> file) {
      authSecret(value);
      authSecretFile = file;
      return this;
    }

    /** {@code --auth-issuer}; null for any. */
    public Builder authIssuer(String value) {
      authIssuer = Optional.ofNullable(value);
      return this;
    }

    /** {@code --auth-audience}; null for any. */
    public Builder authAudience(String value) {
      authAudience = Optional.ofNullable(value);
      return this;
    }

    public Builder authJwksRefresh(Duration value) {
      authJwksRefresh = value;
      return this;
    }

    /** The class of {@code --auth class:NAME}; null for none. */
    public Builder authClass(String value) {
      authClass = Optional.ofNullable(value);
      return this;
    }

    public Builder authClockSkew(Duration value) {
      authClockSkew = value;
      return this;
    }

    public Builder allowedOrigins(AllowedOrigins value) {
      allowedOrigins = value;
      return this;
    }

    /** {@code --allowed-hosts}; null for the default, which depends on the host. */
    public Builder allowedHosts(AllowedHosts value) {
      allowedHosts = Optional.ofNullable(value);
      return this;
    }

    /** WebSockets open at once per remote address; 0 for no limit. */
    public Builder maxConnectionsPerAddress(int value) {
      maxConnectionsPerAddress = value;
      return this;
    }

    /**
     * Derives what was not given: {@code --auth} from the key source, and the host from {@code
     * --auth} (loopback only without authentication).
     */
    public TandemConfig build() {
      Auth effectiveAuth =
          auth != null
              ? auth
              : authSecret.isPresent() || authJwks.isPresent() ? Auth.TOKEN : Auth.NONE;
      String effectiveHost =
          host != null ? host : effectiveAuth == Auth.NONE ? LOOPBACK_HOST : ANY_HOST;
      return new TandemConfig(
          effectiveHost,
          port,
          staticDir,
          maxMessageBytes,
          maxDocumentCodePoints,
          maxOpCodePoints,
          maxOpenDocumentsPerConnection,
          outboundQueueLimit,
          outboundSocketBytes,
          outboundTotalBytes,
          badMessageLimit,
          badMessageWindow,
          maxMessagesPerSecond,
          checkpointInterval,
          historyInMemory,
          catchUpPage,
          submitQueuePerConnection,
          submitQueueCostPerDocument,
          idleUnloadAfter,
          shutdownGrace,
          pingInterval,
          pingTimeout,
          databaseUrl,
          databaseUser,
          databasePassword,
          databasePoolSize,
          databaseTimeout,
          dataDir,
          maxConnectionsPerUser,
          maxMessagesPerSecondPerUser,
          effectiveAuth,
          authSecretFile,
          authSecret,
          authJwks,
          authIssuer,
          authAudience,
          authClockSkew,
          authJwksRefresh,
          allowedOrigins,
          allowedHosts,
          maxConnectionsPerAddress,
          metricsToken,
          effectiveAuth == Auth.CLASS ? authClass : Optional.empty(),
          excessMessageLimit,
          logLevel,
          logFormat);
    }
  }
}
