package dev.tandem.sequencer;

import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.sequencer.auth.Authorizer;
import dev.tandem.sequencer.auth.AuthorizerClass;
import dev.tandem.sequencer.auth.RoleAuthorizer;
import dev.tandem.sequencer.auth.TokenAuthorizer;
import dev.tandem.sequencer.auth.TokenVerifier;
import dev.tandem.sequencer.config.Logging;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Faults;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.metrics.MetricsHandler;
import dev.tandem.sequencer.rest.RestApplication;
import dev.tandem.sequencer.rest.RestHandler;
import dev.tandem.sequencer.server.BrokenContentLog;
import dev.tandem.sequencer.server.HealthHandler;
import dev.tandem.sequencer.server.IgnoreForeignUpgrades;
import dev.tandem.sequencer.server.OutboundBudget;
import dev.tandem.sequencer.server.RefuseForeignHosts;
import dev.tandem.sequencer.server.RefuseUndecodablePaths;
import dev.tandem.sequencer.server.WebSocketGate;
import dev.tandem.sequencer.ws.EditEndpoint;
import dev.tandem.sequencer.ws.FrameSizeGuard;
import dev.tandem.sequencer.ws.ProtocolWarmUp;
import dev.tandem.sequencer.ws.WebSocketContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.grizzly.http.server.HttpHandlerRegistration;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.server.ServerConfiguration;
import org.glassfish.grizzly.http.server.StaticHttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The Tandem server: one process, one port, serving the WebSocket protocol at {@code /ws}, the REST
 * API and SSE under {@code /api}, {@code /healthz}, {@code /readyz} and {@code /livez}, {@code
 * /metrics}, and static files at {@code /}.
 *
 * <p>Start it in-process with {@link #builder()} (tests use port 0 and a shared {@link Database}),
 * or from the command line with {@link #main}. {@link #close()} shuts down gracefully: it stops
 * accepting, refuses new submits with {@code unavailable}, waits for the commits in flight, and
 * closes every socket with 1001 so clients reconnect.
 */
public final class TandemServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TandemServer.class);

  /** The smallest frame buffer of Tyrus, which reads each frame whole (see FrameSizeGuard). */
  public static final int MAX_FRAME_BUFFER = 16 * 1024 * 1024;

  /** The most one socket's read takes at a time (see the listener set-up). */
  private static final int READ_BYTES_PER_TURN = 16 * 1024;

  private final TandemConfig config;
  private final Database database;
  private final boolean ownsDatabase;
  private final Sequencers sequencers;
  private final OutboundBudget outboundBudget;
  private final EditEndpoint editEndpoint;
  private final WebSocketContainer webSockets;
  private final RestHandler restApi;
  private final HttpServer httpServer;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closed;

  private TandemServer(
      TandemConfig config,
      Database database,
      boolean ownsDatabase,
      RoleAuthorizer authorizer,
      Faults faults) {
    this.config = config;
    this.database = database;
    this.ownsDatabase = ownsDatabase;
    this.sequencers = new Sequencers(database, config, faults);
    this.outboundBudget = new OutboundBudget(config.outboundTotalBytes());
    // The longest step of a start, which editors over WebSocket do not need: on a core of its own.
    this.restApi =
        RestHandler.buildInBackground(
            () -> new RestApplication(sequencers, authorizer, config, outboundBudget));
    this.editEndpoint = new EditEndpoint(sequencers, authorizer, config, outboundBudget);
    // Tyrus buffers each frame whole before EditEndpoint sees it (as a fragment of a message, which
    // EditEndpoint measures and refuses with 1009); FrameSizeGuard hands it no data frame over
    // max-message-bytes, so this buffer is never outgrown (Tyrus would close with 1011).
    this.webSockets =
        new WebSocketContainer(Math.max(MAX_FRAME_BUFFER, 2 * config.maxMessageBytes() + 1024));
    this.httpServer = new HttpServer();
    NetworkListener listener = new NetworkListener("grizzly", config.host(), config.port());
    listener.getTransport().getWorkerThreadPoolConfig().setThreadFactory(workerThreads());
    httpServer.addListener(listener);
    listener.getKeepAlive().setIdleTimeoutInSeconds(-1); // WebSockets idle as long as they like
    // Each add-on goes right after the codec: the one registered last runs first. A request that
    // is not well-formed is a bad_request before its Host or Origin is looked at.
    listener.registerAddOn(new IgnoreForeignUpgrades());
    listener.registerAddOn(
        new WebSocketGate(config.allowedOrigins(), config.maxConnectionsPerAddress()));
    listener.registerAddOn(new RefuseForeignHosts(config.effectiveAllowedHosts()));
    listener.registerAddOn(new RefuseUndecodablePaths());
    listener.registerAddOn(new FrameSizeGuard(config.maxMessageBytes()));
    // One read of a socket is decoded whole before its selector thread takes the next socket: a
    // small read bounds what a flooding socket gets per turn (by default a read takes the socket's
    // receive buffer, 128 KiB or more: a thousand messages), so other sockets' frames wait for
    // little. The messages are then handled in turns, one per socket (EditEndpoint, InboundTurns).
    listener.getTransport().setReadBufferSize(READ_BYTES_PER_TURN);
    BrokenContentLog.install();
    webSockets.attachTo(listener);
    ServerConfiguration routes = httpServer.getServerConfiguration();
    routes.addHttpHandler(restApi, HttpHandlerRegistration.bulder().contextPath("/api").build());
    routes.setPassTraceRequest(true); // Jersey answers TRACE (405), as elsewhere
    routes.setDefaultQueryEncoding(StandardCharsets.UTF_8);
    for (HealthHandler.Probe probe : HealthHandler.Probe.values()) {
      routes.addHttpHandler(
          new HealthHandler(probe, sequencers, database.health(), restApi::awaitBuilt),
          switch (probe) {
            case LIVE -> "/livez";
            case READY -> "/readyz";
            case HEALTH -> "/healthz";
          });
    }
    routes.addHttpHandler(
        new MetricsHandler(sequencers.metrics(), config.metricsToken(), authorizer.requiresToken()),
        "/metrics");
    sequencers
        .metrics()
        .gauges(
            editEndpoint::connectionCount,
            sequencers::loadedDocuments,
            sequencers::subscriberCount,
            outboundBudget::used,
            () -> database.health().status().reachable());
    database.bindMeters(sequencers.metrics().registry());
    config
        .staticDir()
        .ifPresent(
            dir -> {
              StaticHttpHandler files = new StaticHttpHandler(dir.toAbsolutePath().toString());
              files.setFileCacheEnabled(false);
              routes.addHttpHandler(files, "/");
            });
  }

  /** Grizzly's worker threads, named as Jersey's server factory names them. */
  private static ThreadFactory workerThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "grizzly-http-server-" + count.getAndIncrement());
      thread.setDaemon(false);
      return thread;
    };
  }

  /** A builder for an in-process server. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts listening; returns this server. Editors over WebSocket are served at once; a REST
   * request waits until the REST API is built ({@link RestHandler}), a fraction of a second into a
   * start.
   */
  public TandemServer start() {
    try {
      httpServer.start();
      ServerEndpointConfig endpoint =
          ServerEndpointConfig.Builder.create(EditEndpoint.class, "/ws")
              .configurator(
                  new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                      return endpointClass.cast(editEndpoint);
                    }
                  })
              .build();
      webSockets.addEndpoint(endpoint);
      webSockets.deploy(port());
      editEndpoint.startKeepAlive(webSockets.getScheduledExecutorService());
      sequencers.joinCluster(config.advertiseUrl().orElse(httpUri().toString()));
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port(), e);
    } catch (jakarta.websocket.DeploymentException e) {
      close();
      throw new IllegalStateException("cannot deploy the WebSocket endpoint", e);
    }
    return this;
  }

  /** The port actually listened on (useful with port 0). */
  public int port() {
    return httpServer.getListeners().iterator().next().getPort();
  }

  /** {@code http://host:port/}, with {@code localhost} for the wildcard address. */
  public URI httpUri() {
    String host = "0.0.0.0".equals(config.host()) ? "localhost" : config.host();
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /** {@code ws://host:port/ws}. */
  public URI webSocketUri() {
    return URI.create(httpUri().toString().replaceFirst("^http", "ws") + "ws");
  }

  public TandemConfig config() {
    return config;
  }

  /** Grizzly's worker threads, which serve every HTTP request and WebSocket frame (for tests). */
  int httpWorkerThreads() {
    return httpServer
        .getListeners()
        .iterator()
        .next()
        .getTransport()
        .getWorkerThreadPoolConfig()
        .getMaxPoolSize();
  }

  /** The bytes waiting for clients on this server, for in-process tests and tools. */
  public OutboundBudget outboundBudget() {
    return outboundBudget;
  }

  /** The sequencers of this server, for in-process tests and tools. */
  public Sequencers sequencers() {
    return sequencers;
  }

  /**
   * Graceful shutdown; idempotent. In this order, within the grace: the port stops accepting (open
   * connections stay), new submits are refused, the commits in flight finish and are answered,
   * every WebSocket is sent 1001 and SSE streams end, the sockets' close handshakes finish; only
   * then does Grizzly stop. Its shutdown closes every connection at once: a socket whose close
   * frame was not written yet saw 1006 instead of 1001.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    long graceMillis = config.shutdownGrace().toMillis();
    long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
    log.info("shutting down (grace {} ms)", graceMillis);
    try {
      httpServer.getListeners().forEach(listener -> listener.getTransport().unbindAll());
      sequencers.stopAccepting();
      sequencers.awaitCommitted(remaining(deadline));
      sequencers.leaveCluster(); // before the sockets close: their clients reconnect elsewhere
      editEndpoint.closeAll();
      sequencers.closeStreams();
      if (!editEndpoint.awaitClosed(deadline)) {
        log.warn(
            "{} WebSocket(s) did not finish their close handshake within the grace",
            editEndpoint.connectionCount());
      }
      httpServer
          .shutdown(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS)
          .get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("graceful HTTP shutdown did not finish: {}", e.toString());
    } finally {
      httpServer.shutdownNow();
      restApi.destroy(); // if the server never started, Grizzly destroys no handler
      webSockets.stop();
      editEndpoint.stopHandling();
      database.unbindMeters(sequencers.metrics().registry());
      sequencers.close();
      if (ownsDatabase) {
        database.close();
      }
      stopped.countDown();
      log.info("stopped");
    }
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  /** Releases what the constructor made, for a server that never started. */
  private void discard() {
    httpServer.shutdownNow();
    restApi.destroy();
    webSockets.stop();
    editEndpoint.stopHandling();
    database.unbindMeters(sequencers.metrics().registry());
    sequencers.close();
  }

  /** Blocks until {@link #close()} finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /**
   * Runs the server until SIGTERM or SIGINT: {@code tandem serve} with these arguments. {@code
   * --help} lists the settings.
   */
  public static void main(String[] args) {
    String[] serve = new String[args.length + 1];
    serve[0] = "serve";
    System.arraycopy(args, 0, serve, 1, args.length);
    Tandem.main(serve);
  }

  /**
   * Runs a server with {@code config} until SIGTERM or SIGINT, printing the configuration first;
   * returns the exit status (2 if the authentication settings cannot be used, 1 if the REST API
   * could not be built).
   */
  static int serve(TandemConfig config, PrintWriter err) throws InterruptedException {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    Logging.configure(config.logLevel(), config.logFormat());
    System.out.println("Tandem configuration:\n  " + config.describe().replace("\n", "\n  "));
    TokenVerifier verifier;
    RoleAuthorizer authorizer;
    try {
      verifier = config.tokenVerifier().orElse(null);
      authorizer =
          verifier != null
              ? new TokenAuthorizer(verifier)
              : config
                  .authClass()
                  .map(AuthorizerClass::load)
                  .orElseGet(() -> RoleAuthorizer.from(Authorizer.allowAll()));
    } catch (IllegalArgumentException e) {
      err.println("tandem: " + e.getMessage());
      return 2;
    }
    TandemServer server = builder().config(config).authorizer(authorizer).build().start();
    config.warnings(server.port()).forEach(log::warn);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  if (verifier != null) {
                    verifier.close();
                  }
                },
                "tandem-shutdown"));
    System.out.println(
        "Tandem listening on "
            + server.httpUri()
            + "  (WebSocket "
            + server.webSocketUri()
            + ", REST "
            + server.httpUri()
            + "api/docs/{id})");
    try {
      server.restApi.awaitBuilt();
    } catch (IllegalStateException e) { // logged where it failed
      if (!server.closed) { // else a signal stopped the server while it was built
        server.close();
        return 1;
      }
    }
    server.awaitStopped();
    return 0;
  }

  /** Configures an in-process server. */
  public static final class Builder {
    private TandemConfig config = TandemConfig.defaults();
    private Database database;
    private RoleAuthorizer authorizer = RoleAuthorizer.from(Authorizer.allowAll());
    private Faults faults;

    private Builder() {}

    public Builder config(TandemConfig value) {
      config = Objects.requireNonNull(value, "config");
      return this;
    }

    /** Uses this database and leaves it open on close; without one, the server opens its own. */
    public Builder database(Database value) {
      database = Objects.requireNonNull(value, "database");
      return this;
    }

    /**
     * Decides who may do what on every path (default: everyone everything, as {@code anonymous}).
     * For signed tokens, a {@link dev.tandem.sequencer.auth.TokenAuthorizer}.
     */
    public Builder authorizer(RoleAuthorizer value) {
      authorizer = Objects.requireNonNull(value, "authorizer");
      return this;
    }

    /** A custom {@link Authorizer}, behind {@link RoleAuthorizer#from}. */
    public Builder authorizer(Authorizer value) {
      return authorizer(RoleAuthorizer.from(Objects.requireNonNull(value, "authorizer")));
    }

    /** Injects failures at named steps of the documents' work (fault-injection tests). */
    Builder faults(Faults value) {
      faults = Objects.requireNonNull(value, "faults");
      return this;
    }

    /**
     * Opens the database if none was given; the server does not listen before {@link #start}.
     *
     * <p>A database of its own opens in the background while this thread builds the HTTP stack
     * (Grizzly, Jersey, Tyrus), since the two take about as long, on a core each; it returns once
     * both are done, as if they had run one after the other.
     */
    public TandemServer build() {
      if (database != null) {
        // Embedded beside others on a database it was handed: a node of its own unless named
        // (its data directory says nothing about it), so two such servers never share leases.
        TandemConfig own =
            config.nodeId().isPresent()
                ? config
                : config.toBuilder()
                    .nodeId("node-" + UUID.randomUUID().toString().substring(0, 8))
                    .build();
        return new TandemServer(own, database, false, authorizer, faults);
      }
      Database opening = Database.openInBackground(databaseConfig(config));
      warmUpAfter(opening);
      TandemServer server;
      try {
        server = new TandemServer(config, opening, true, authorizer, faults);
      } catch (RuntimeException | Error e) {
        opening.close();
        throw e;
      }
      try {
        opening.awaitOpen();
      } catch (RuntimeException | Error e) {
        server.discard();
        throw e;
      }
      return server;
    }

    /**
     * Once the database is open, builds the protocol's readers and writers ({@link ProtocolWarmUp})
     * on the core it opened on, which is free while this thread still builds the HTTP stack: the
     * first client after a start waits less for its opened.
     */
    private static void warmUpAfter(Database opening) {
      Thread warmUp =
          new Thread(
              () -> {
                try {
                  opening.awaitOpen();
                } catch (RuntimeException failed) {
                  return; // build() reports it
                }
                try {
                  ProtocolWarmUp.run();
                } catch (RuntimeException e) { // a bug; the first client builds them instead
                  log.warn("the protocol's warm-up failed", e);
                }
              },
              "tandem-warm-up");
      warmUp.setDaemon(true);
      warmUp.start();
    }

    private static DatabaseConfig databaseConfig(TandemConfig config) {
      return new DatabaseConfig(
          config.databaseUrl().orElse(null),
          config.databaseUser().orElse(null),
          config.databasePassword().orElse(null),
          config.databasePoolSize(),
          config.dataDir(),
          config.databaseTimeout());
    }
  }
}
