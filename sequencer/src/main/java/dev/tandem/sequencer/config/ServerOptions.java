package dev.tandem.sequencer.config;

import dev.tandem.sequencer.auth.AllowedHosts;
import dev.tandem.sequencer.auth.AllowedOrigins;
import dev.tandem.sequencer.auth.HmacSecret;
import dev.tandem.sequencer.auth.MetricsToken;
import dev.tandem.sequencer.config.TandemConfig.Auth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.event.Level;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The server's settings as picocli options, the one definition of each flag, its environment
 * variable, its default and its help: {@code --port} is read from {@code TANDEM_PORT} unless given
 * (a flag wins over the environment, which wins over the default). {@code tandem serve} mixes these
 * options in; {@link #toConfig} turns them into the {@link TandemConfig} the server receives.
 *
 * <p>A default that depends on other settings or on the machine (the host, {@code --auth}, the
 * static directory, the outbound byte total) is left unset here and derived by {@link #toConfig}.
 */
public final class ServerOptions {
  /** The environment variable holding the HS256 secret itself (no flag: a flag shows in ps). */
  public static final String AUTH_SECRET_ENV = "TANDEM_AUTH_SECRET";

  private static final String ENV_PREFIX = "TANDEM_";

  private final Map<String, String> environment;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "interface to listen on (default 127.0.0.1 with --auth none, else 0.0.0.0)")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "TCP port; 0 picks a free one (default ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--static-dir",
      paramLabel = "DIR",
      description = "directory served at / (default client-js/demo if present; empty for none)")
  String staticDir;

  @Option(
      names = "--max-message-bytes",
      paramLabel = "N",
      defaultValue = "1048576",
      description = "largest WebSocket message or REST body (default ${DEFAULT-VALUE})")
  int maxMessageBytes;

  @Option(
      names = "--max-document-code-points",
      paramLabel = "N",
      defaultValue = "16777216",
      description = "largest document (default ${DEFAULT-VALUE})")
  int maxDocumentCodePoints;

  @Option(
      names = "--max-op-code-points",
      paramLabel = "N",
      defaultValue = "1048576",
      description = "most code points one op may insert (default ${DEFAULT-VALUE})")
  int maxOpCodePoints;

  @Option(
      names = "--max-open-documents",
      paramLabel = "N",
      defaultValue = "100",
      description = "documents open at once per WebSocket (default ${DEFAULT-VALUE})")
  int maxOpenDocuments;

  @Option(
      names = "--outbound-queue",
      paramLabel = "N",
      defaultValue = "1024",
      description =
          "messages queued to one slow socket before it is closed with 1013 (default"
              + " ${DEFAULT-VALUE})")
  int outboundQueue;

  @Option(
      names = "--outbound-socket-bytes",
      paramLabel = "BYTES",
      defaultValue = "8388608",
      description =
          "bytes waiting for one slow WebSocket before it is closed with 1013, or for one SSE"
              + " stream before it is ended; a single larger frame may wait alone (default"
              + " ${DEFAULT-VALUE})")
  long outboundSocketBytes;

  @Option(
      names = "--outbound-total-bytes",
      paramLabel = "BYTES",
      description =
          "bytes waiting for all sockets and streams; when reached, open and new streams get"
              + " unavailable and sockets that are behind are closed (default a quarter of the"
              + " heap, at least 16 MiB)")
  Long outboundTotalBytes;

  @Option(
      names = "--bad-message-limit",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "bad messages within 10 s before a socket is closed with 1008 (default"
              + " ${DEFAULT-VALUE})")
  int badMessageLimit;

  @Option(
      names = "--excess-message-limit",
      paramLabel = "N",
      defaultValue = "100",
      description =
          "messages refused with rate_limited within 10 s before a socket is closed with 1013"
              + " (it kept sending instead of pausing); 0 for no limit (default ${DEFAULT-VALUE})")
  int excessMessageLimit;

  @Option(
      names = "--max-messages-per-second",
      paramLabel = "N",
      defaultValue = "5000",
      description =
          "messages one WebSocket may send a second, in bursts of up to a second's worth; more"
              + " are refused with rate_limited; 0 for no limit (default ${DEFAULT-VALUE})")
  int maxMessagesPerSecond;

  @Option(
      names = "--max-connections-per-user",
      paramLabel = "N",
      defaultValue = "100",
      description =
          "WebSockets one user may have open at once; the next hello is refused with"
              + " rate_limited and closed with 1013; 0 for no limit (default ${DEFAULT-VALUE})")
  int maxConnectionsPerUser;

  @Option(
      names = "--max-messages-per-second-per-user",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "messages one user may send a second across all its WebSockets, in bursts of up to a"
              + " second's worth; more are refused with rate_limited; 0 for no limit (default"
              + " ${DEFAULT-VALUE})")
  int maxMessagesPerSecondPerUser;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "N",
      defaultValue = "1000",
      description = "automatic checkpoint every N revisions (default ${DEFAULT-VALUE})")
  int checkpointInterval;

  @Option(
      names = "--history-in-memory",
      paramLabel = "N",
      defaultValue = "1000",
      description = "recent ops kept in memory per document (default ${DEFAULT-VALUE})")
  int historyInMemory;

  @Option(
      names = "--catch-up-page",
      paramLabel = "N",
      defaultValue = "256",
      description =
          "missed ops sent at a time to a client catching up; at most a quarter of"
              + " outbound-queue (default ${DEFAULT-VALUE})")
  int catchUpPage;

  @Option(
      names = "--submit-queue-per-connection",
      paramLabel = "N",
      defaultValue = "128",
      description =
          "submits one WebSocket may have waiting for their ack; more are refused with"
              + " rate_limited (default ${DEFAULT-VALUE})")
  int submitQueuePerConnection;

  @Option(
      names = "--submit-queue-cost-per-document",
      paramLabel = "N",
      defaultValue = "100000",
      description =
          "cost of the submits waiting for one document, each 1 + the ops it must be"
              + " transformed against; more are refused with rate_limited (default"
              + " ${DEFAULT-VALUE})")
  int submitQueueCostPerDocument;

  @Option(
      names = "--idle-unload-seconds",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description = "unload a document nobody used for this long (default ${DEFAULT-VALUE})")
  int idleUnloadSeconds;

  @Option(
      names = "--shutdown-grace-seconds",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description = "how long shutdown waits for in-flight work (default ${DEFAULT-VALUE})")
  int shutdownGraceSeconds;

  @Option(
      names = "--ping-interval-seconds",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "WebSocket ping to every socket silent this long, checked as often (default"
              + " ${DEFAULT-VALUE})")
  int pingIntervalSeconds;

  @Option(
      names = "--ping-timeout-seconds",
      paramLabel = "SECONDS",
      defaultValue = "20",
      description =
          "close a socket that sent nothing, pong included, for this long; at least twice"
              + " ping-interval-seconds (default ${DEFAULT-VALUE})")
  int pingTimeoutSeconds;

  @Option(
      names = "--database-url",
      paramLabel = "URL",
      description = "JDBC URL of PostgreSQL; unset starts the embedded one")
  String databaseUrl;

  @Option(
      names = "--database-user",
      paramLabel = "USER",
      description = "database user (default: the driver's)")
  String databaseUser;

  @Option(
      names = "--database-password",
      paramLabel = "PASSWORD",
      description = "database password (prefer the environment variable)")
  String databasePassword;

  @Option(
      names = "--database-pool-size",
      paramLabel = "N",
      defaultValue = "10",
      description = "JDBC connections (default ${DEFAULT-VALUE})")
  int databasePoolSize;

  @Option(
      names = "--database-timeout-seconds",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "longest wait of one database call (for a pooled connection, a statement, an answer:"
              + " this + 1 s); past it the call fails with unavailable (default ${DEFAULT-VALUE})")
  int databaseTimeoutSeconds;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "data",
      description = "embedded PostgreSQL's data directory (default ./${DEFAULT-VALUE})")
  Path dataDir;

  @Option(
      names = "--auth",
      paramLabel = "MODE",
      converter = AuthConverter.class,
      description =
          "none (development only: anyone who reaches the port may do anything), token (default"
              + " if a secret or JWKS is given, else none), or class:NAME (your own"
              + " RoleAuthorizer or Authorizer, on the class path)")
  AuthSetting auth;

  @Option(
      names = "--auth-secret-file",
      paramLabel = "FILE",
      description =
          "file holding the HS256 secret, at least 32 bytes (openssl rand -base64 48); or the"
              + " secret itself in $"
              + AUTH_SECRET_ENV)
  String authSecretFile;

  @Option(
      names = "--auth-jwks",
      paramLabel = "URL",
      description = "JWKS for RS256/ES256: https:// URL, http:// on loopback, or a file")
  String authJwks;

  @Option(
      names = "--auth-issuer",
      paramLabel = "ISS",
      description = "required iss of tokens (default any)")
  String authIssuer;

  @Option(
      names = "--auth-audience",
      paramLabel = "AUD",
      description = "required aud of tokens (default any)")
  String authAudience;

  @Option(
      names = "--auth-clock-skew",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "seconds of tolerance on exp and nbf, 0 to 600 (default ${DEFAULT-VALUE})")
  int authClockSkewSeconds;

  @Option(
      names = "--auth-jwks-refresh",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "seconds between JWKS refetches for unknown kids, two per interval (default"
              + " ${DEFAULT-VALUE})")
  int authJwksRefreshSeconds;

  @Option(
      names = "--allowed-origins",
      paramLabel = "ORIGINS",
      converter = OriginsConverter.class,
      description =
          "origins whose pages may open a WebSocket and call REST/SSE, comma-separated, or *"
              + " (default the server's own origin)")
  AllowedOrigins allowedOrigins;

  @Option(
      names = "--allowed-hosts",
      paramLabel = "HOSTS",
      description =
          "Host header names served, comma-separated without ports, or * (default"
              + " localhost,127.0.0.1,[::1] when listening on loopback, else any)")
  String allowedHosts;

  @Option(
      names = "--max-connections-per-address",
      paramLabel = "N",
      defaultValue = "200",
      description =
          "WebSockets open at once from one remote address; more are refused with 429"
              + " rate_limited; 0 for no limit (default ${DEFAULT-VALUE})")
  int maxConnectionsPerAddress;

  @Option(
      names = "--metrics-token-file",
      paramLabel = "FILE",
      description =
          "file holding the token /metrics requires as Authorization: Bearer (at least 16"
              + " characters), or the token itself in $"
              + TandemConfig.METRICS_TOKEN_ENV
              + "; without one, /metrics is open with --auth none and closed otherwise")
  String metricsTokenFile;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "info",
      converter = LevelConverter.class,
      description =
          "the least severe log lines written: error, warn, info, debug or trace (default"
              + " ${DEFAULT-VALUE})")
  Level logLevel;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      converter = FormatConverter.class,
      description =
          "text (a timestamped line per event) or json (one object per line, for log shippers)"
              + " (default ${DEFAULT-VALUE})")
  Logging.Format logFormat;

  // issue 18: several nodes on one database (docs/scaling.md)
  @Option(
      names = "--node-id",
      paramLabel = "ID",
      description =
          "this node's id among the servers sharing the database, 1-64 of A-Z a-z 0-9 - _ ."
              + " (default: derived from the host name and the data directory, the same on every"
              + " start)")
  String nodeId;

  @Option(
      names = "--advertise-url",
      paramLabel = "URL",
      description =
          "the http:// or https:// URL clients reach this node at directly, where other nodes"
              + " send them (default http://HOST:PORT/ as listened on)")
  String advertiseUrl;

  @Option(
      names = "--heartbeat-interval-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description =
          "how often this node renews its heartbeat (and with it its leases), 10 to 600000"
              + " (default ${DEFAULT-VALUE})")
  int heartbeatIntervalMs;

  @Option(
      names = "--node-dead-after-ms",
      paramLabel = "MS",
      defaultValue = "3000",
      description =
          "a node whose heartbeat is this old is dead and its documents are taken over, at least"
              + " twice the heartbeat interval (default ${DEFAULT-VALUE})")
  int nodeDeadAfterMs;

  /**
   * Options read from {@code environment} (usually {@link System#getenv()}) where no flag is given;
   * {@link #commandLine} or {@link #configure} installs the environment as picocli's defaults.
   */
  public ServerOptions(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /**
   * Reads the settings from {@code args} over {@code environment} over the defaults.
   *
   * @throws IllegalArgumentException naming the flag or variable and the expected form
   */
  static TandemConfig parse(List<String> args, Map<String, String> environment) {
    ServerOptions options = new ServerOptions(environment);
    try {
      commandLine(options).parseArgs(args.toArray(String[]::new));
    } catch (ParameterException e) {
      throw new IllegalArgumentException(message(e), e);
    }
    return options.toConfig();
  }

  /** These options alone as a command named {@code tandem serve}: for parsing and help. */
  static CommandLine commandLine(ServerOptions options) {
    CommandLine commandLine = new CommandLine(options);
    commandLine.getCommandSpec().name("tandem serve");
    return configure(commandLine, options.environment);
  }

  /**
   * Makes a command with these options read its defaults from {@code environment} ({@code
   * TANDEM_PORT} for {@code --port}), show each option's variable in its help, list the variables
   * that have no flag, and take a flag given twice as its last value (as the shell's own tools do).
   */
  public static CommandLine configure(CommandLine commandLine, Map<String, String> environment) {
    commandLine.setOverwrittenOptionsAllowed(true);
    commandLine.setDefaultValueProvider(
        argument -> {
          if (!(argument instanceof OptionSpec option) || !isSetting(option)) {
            return null;
          }
          String value = environment.get(variable(option));
          return value == null || value.isEmpty() ? null : value; // empty: unset, as before
        });
    commandLine
        .getCommandSpec()
        .usageMessage()
        .sortOptions(false)
        .width(100)
        .customSynopsis("tandem serve [--SETTING=VALUE]...");
    commandLine.getCommandSpec().usageMessage().footerHeading("%nEnvironment only:%n");
    commandLine
        .getCommandSpec()
        .usageMessage()
        .footer(
            "  " + AUTH_SECRET_ENV + "  the HS256 secret itself, if no --auth-secret-file is given",
            "  "
                + TandemConfig.METRICS_TOKEN_ENV
                + "  the metrics token itself, if no --metrics-token-file is given",
            "(no flags: a command line shows in ps). A flag wins over its variable, which wins"
                + " over the default.");
    commandLine
        .getHelpSectionMap()
        .put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, ServerOptions::optionList);
    return commandLine;
  }

  /** The option list, each setting followed by its environment variable. */
  private static String optionList(Help help) {
    Help.IOptionRenderer standard = help.createDefaultOptionRenderer();
    Help.IOptionRenderer withVariable =
        (option, labels, scheme) -> {
          Text[][] rows = standard.render(option, labels, scheme);
          if (!isSetting(option)) {
            return rows;
          }
          Text empty = scheme.text("");
          Text[][] more = Arrays.copyOf(rows, rows.length + 1);
          more[rows.length] =
              new Text[] {empty, empty, empty, empty, scheme.text("  env " + variable(option))};
          return more;
        };
    Help.Layout layout =
        new Help.Layout(
            help.colorScheme(),
            help.createDefaultLayout().textTable(),
            withVariable,
            help.createDefaultParameterRenderer());
    return help.optionList(layout, null, help.parameterLabelRenderer());
  }

  /** A server setting, not {@code --help} or {@code --version}. */
  private static boolean isSetting(OptionSpec option) {
    return !option.usageHelp() && !option.versionHelp();
  }

  /** {@code TANDEM_PORT} for {@code --port}: the one rule naming every variable. */
  static String variable(OptionSpec option) {
    return variable(option.longestName());
  }

  private static String variable(String flag) {
    return ENV_PREFIX + flag.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * One line saying what is wrong with the arguments, naming the flag and its variable; never a
   * value that is not the setting's own (an unknown flag's value may be a secret).
   */
  public static String message(ParameterException e) {
    if (e instanceof UnmatchedArgumentException unmatched) {
      return unmatched.getUnmatched().stream()
          .filter(arg -> arg.startsWith("-"))
          .findFirst()
          .map(arg -> "unknown flag " + arg.replaceFirst("=.*", "") + " (tandem serve --help)")
          .orElse("unexpected argument (expected: --name value)");
    }
    ArgSpec argument = e.getArgSpec();
    if (argument instanceof OptionSpec option && e.getCause() != null) {
      String setting = option.longestName() + " / " + variable(option) + " : ";
      if (e.getCause() instanceof TypeConversionException) {
        return setting + "'" + e.getValue() + "' (expected: an integer)";
      }
      return setting + e.getCause().getMessage(); // its message never quotes a secret
    }
    return e.getMessage();
  }

  /**
   * The configuration these options give, with what depends on other settings derived.
   *
   * @throws IllegalArgumentException naming the setting and the expected form
   */
  public TandemConfig toConfig() {
    TandemConfig.Builder config =
        TandemConfig.blankBuilder()
            .host(host)
            .port(port)
            .staticDir(staticDir())
            .maxMessageBytes(maxMessageBytes)
            .maxDocumentCodePoints(maxDocumentCodePoints)
            .maxOpCodePoints(maxOpCodePoints)
            .maxOpenDocumentsPerConnection(maxOpenDocuments)
            .outboundQueueLimit(outboundQueue)
            .outboundSocketBytes(outboundSocketBytes)
            .outboundTotalBytes(
                outboundTotalBytes != null
                    ? outboundTotalBytes
                    : TandemConfig.defaultOutboundTotalBytes())
            .badMessageLimit(badMessageLimit)
            .excessMessageLimit(excessMessageLimit)
            .maxMessagesPerSecond(maxMessagesPerSecond)
            .maxConnectionsPerUser(maxConnectionsPerUser)
            .maxMessagesPerSecondPerUser(maxMessagesPerSecondPerUser)
            .checkpointInterval(checkpointInterval)
            .historyInMemory(historyInMemory)
            .catchUpPage(catchUpPage)
            .submitQueuePerConnection(submitQueuePerConnection)
            .submitQueueCostPerDocument(submitQueueCostPerDocument)
            .idleUnloadAfter(Duration.ofSeconds(idleUnloadSeconds))
            .shutdownGrace(Duration.ofSeconds(shutdownGraceSeconds))
            .pingInterval(Duration.ofSeconds(pingIntervalSeconds))
            .pingTimeout(Duration.ofSeconds(pingTimeoutSeconds))
            .databaseUrl(nonEmpty(databaseUrl).orElse(null))
            .databaseUser(nonEmpty(databaseUser).orElse(null))
            .databasePassword(nonEmpty(databasePassword).orElse(null))
            .databasePoolSize(databasePoolSize)
            .databaseTimeout(Duration.ofSeconds(databaseTimeoutSeconds))
            .dataDir(dataDir)
            .authJwks(nonEmpty(authJwks).orElse(null))
            .authIssuer(nonEmpty(authIssuer).orElse(null))
            .authAudience(nonEmpty(authAudience).orElse(null))
            .authClockSkew(Duration.ofSeconds(authClockSkewSeconds))
            .authJwksRefresh(Duration.ofSeconds(authJwksRefreshSeconds))
            .allowedOrigins(allowedOrigins != null ? allowedOrigins : AllowedOrigins.sameOrigin())
            .allowedHosts(allowedHosts())
            .maxConnectionsPerAddress(maxConnectionsPerAddress)
            .metricsToken(metricsToken().orElse(null))
            .logLevel(logLevel)
            .logFormat(logFormat)
            .nodeId(nonEmpty(nodeId).orElse(null))
            .advertiseUrl(nonEmpty(advertiseUrl).orElse(null))
            .heartbeatInterval(Duration.ofMillis(heartbeatIntervalMs))
            .nodeDeadAfter(Duration.ofMillis(nodeDeadAfterMs));
    secret(config);
    // --auth last: the key source above derives it unless it is given
    config.auth(auth == null ? null : auth.mode());
    config.authClass(auth == null ? null : auth.className().orElse(null));
    return config.build();
  }

  /** {@code --auth-secret-file} or {@code TANDEM_AUTH_SECRET}: one of them, or neither. */
  private void secret(TandemConfig.Builder config) {
    Optional<String> file = nonEmpty(authSecretFile);
    String value = environment.get(AUTH_SECRET_ENV);
    boolean fromEnvironment = value != null && !value.isEmpty();
    if (file.isPresent() && fromEnvironment) {
      throw new IllegalArgumentException(
          "both --auth-secret-file and " + AUTH_SECRET_ENV + " are given (expected: one)");
    }
    if (file.isPresent()) {
      Path path = Path.of(file.get());
      config.authSecret(
          setting("--auth-secret-file", () -> HmacSecret.fromFile(path)), Optional.of(path));
    } else if (fromEnvironment) {
      config.authSecret(
          setting(AUTH_SECRET_ENV, () -> HmacSecret.fromValue(value, AUTH_SECRET_ENV)),
          Optional.empty());
    }
  }

  /** {@code --metrics-token-file} wins over {@code TANDEM_METRICS_TOKEN}. */
  private Optional<MetricsToken> metricsToken() {
    Optional<String> file = nonEmpty(metricsTokenFile);
    if (file.isPresent()) {
      return Optional.of(
          setting("--metrics-token-file", () -> MetricsToken.fromFile(Path.of(file.get()))));
    }
    String value = environment.get(TandemConfig.METRICS_TOKEN_ENV);
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        setting(
            TandemConfig.METRICS_TOKEN_ENV,
            () -> MetricsToken.fromValue(value, TandemConfig.METRICS_TOKEN_ENV)));
  }

  /** Reads a setting, its errors prefixed with the flag and variable (or the variable alone). */
  private static <T> T setting(String name, Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      String prefix = name.startsWith("--") ? name + " / " + variable(name) : name;
      throw new IllegalArgumentException(prefix + " : " + e.getMessage(), e);
    }
  }

  private Path staticDir() {
    if (staticDir == null) {
      return Files.isDirectory(TandemConfig.DEFAULT_STATIC_DIR)
          ? TandemConfig.DEFAULT_STATIC_DIR
          : null;
    }
    return staticDir.isEmpty() ? null : Path.of(staticDir);
  }

  /** A list of names, or null for the default, which depends on the host listened on. */
  private AllowedHosts allowedHosts() {
    if (allowedHosts == null || Arrays.stream(allowedHosts.split(",")).allMatch(String::isBlank)) {
      return null;
    }
    return setting("--allowed-hosts", () -> AllowedHosts.parse(allowedHosts, false));
  }

  private static Optional<String> nonEmpty(String value) {
    return Optional.ofNullable(value).map(String::trim).filter(s -> !s.isEmpty());
  }

  /** {@code --auth}: a mode, and the class for {@code class:NAME}. */
  record AuthSetting(Auth mode, Optional<String> className) {
    AuthSetting {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(className, "className");
    }
  }

  static final class AuthConverter implements ITypeConverter<AuthSetting> {
    @Override
    public AuthSetting convert(String value) {
      String setting = value.trim();
      if (setting.startsWith("class:") && setting.length() > "class:".length()) {
        return new AuthSetting(
            Auth.CLASS, Optional.of(setting.substring("class:".length()).trim()));
      }
      Auth mode =
          switch (setting.toLowerCase(Locale.ROOT)) {
            case "none" -> Auth.NONE;
            case "token" -> Auth.TOKEN;
            default ->
                throw new IllegalArgumentException(
                    "'" + value + "' (expected: none, token or class:NAME)");
          };
      return new AuthSetting(mode, Optional.empty());
    }
  }

  static final class OriginsConverter implements ITypeConverter<AllowedOrigins> {
    @Override
    public AllowedOrigins convert(String value) {
      return AllowedOrigins.parse(value);
    }
  }

  static final class LevelConverter implements ITypeConverter<Level> {
    @Override
    public Level convert(String value) {
      try {
        return Level.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "'" + value + "' (expected: error, warn, info, debug or trace)");
      }
    }
  }

  static final class FormatConverter implements ITypeConverter<Logging.Format> {
    @Override
    public Logging.Format convert(String value) {
      return Logging.Format.parse(value);
    }
  }
}
