package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.client.ClientState.OpId;
import dev.tandem.ot.CodePoints;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A connection to a Tandem server: one WebSocket (one per owner node on a cluster), many documents
 * ({@link #open(String)}).
 *
 * <p>On several nodes (docs/scaling.md) a document another node owns is answered with {@code moved}
 * and that node's URL: the document moves to a socket of its own to that node (one per node, shared
 * by the documents it owns), where it reopens with {@code open {rev}} as after a reconnect; the
 * socket to the seed node stays for the other documents, so a client whose documents have different
 * owners keeps each on its owner. A node socket that is lost reconnects to its node; one that
 * cannot be reached sends its documents back to the seed socket, where they are redirected again or
 * taken over. A node socket without documents is closed. {@link #connectionState()} is the seed
 * socket's; each document's {@link TandemDocument#state()} is its own socket's.
 *
 * <p>It says {@code hello} with a token, a client id that stays the same across reconnects and
 * protocol 1; pings the server; and when the socket is lost reconnects with exponential backoff,
 * jitter and a cap, reopens every document with {@code open {rev}} at its last known revision,
 * applies the missed ops (a long catch-up sends the older ones in {@code ops} messages before
 * {@code opened}), recognises its own op among them by client id and seq, and once {@code opened}
 * arrives resends what is still unacknowledged with the same seq, so nothing is lost and nothing is
 * applied twice. Close code 1008 (policy violation) ends it for good instead, unless it followed an
 * {@code unauthorized} and a {@link TokenProvider} can get a fresh token.
 *
 * <p>Tokens: a static {@link Builder#token} is said in every {@code hello}. A {@link
 * Builder#tokenProvider} is called instead at every connect and reconnect (on a thread of its own),
 * and again when 80 % of the token's life from {@code welcome} to its expiry has passed (or 60 s
 * before it expires, whichever comes first) to send {@code auth {token}} on the live socket; a
 * refused refresh is reported and retried with backoff while the old token still serves. When the
 * server closes with 1008 after {@code unauthorized} (a token that expired or was refused), a
 * client with a provider reconnects with backoff and a fresh token; one without stops. {@link
 * #identity()} is who the server says this client is.
 *
 * <p>Threading: all state lives on one event thread per client. Public methods may be called from
 * any thread; they hand their work to the event thread and answer with a future. Listeners run on
 * the event thread and must not block. Seqs increase across all documents of the client.
 *
 * <p>A seq is only unique together with the client id: a new {@code TandemClient} gets a new random
 * client id unless one is given, and a given id must come with a {@link Builder#firstSeq} above
 * every seq an earlier client with that id used.
 *
 * <p>Someone else using this client's id (by mistake, or to erase its edits) makes the server
 * refuse an op with {@link ErrorCode#SEQ_REUSED}, or shows as an op committed under this client's
 * id that this client did not send (then it need not wait for a refusal). The client then takes a
 * fresh random id: once no other op of it is in flight under the old id (each has its ack or its
 * own refusal), it reconnects and says the new id in {@code hello}, reopens its documents as on any
 * reconnect, and sends the refused op again, transformed as usual, under the new id with a fresh
 * seq. Nothing is lost or applied twice; {@link #addClientIdListener} reports it.
 */
public final class TandemClient implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TandemClient.class.getName());
  private static final int POLICY_VIOLATION = 1008;
  private static final int MESSAGE_TOO_BIG = 1009;

  /** A token is refreshed when this share of its life from welcome (or authed) has passed ... */
  private static final double REFRESH_AT = 0.8;

  /** ... or this long before it expires, whichever comes first ... */
  private static final Duration REFRESH_BEFORE = Duration.ofSeconds(60);

  /** ... but never sooner than this: a client clock far ahead of the server's must not spin. */
  private static final Duration MIN_REFRESH = Duration.ofSeconds(1);

  /**
   * Work the server refused for now ({@code unavailable}) and refused token refreshes are retried
   * with backoff up to this cap (or the reconnect cap, if larger): the server is up but busy, or
   * counts refusals as bad messages. Reconnects stay at the reconnect cap, so that a client is back
   * within about a second of its server.
   */
  static final Duration RETRY_MAX = Duration.ofSeconds(30);

  private static final HttpClient SHARED_HTTP = HttpClient.newHttpClient();

  /** The URIs to connect to, tried in turn when one cannot be reached (nodes of one cluster). */
  private final List<URI> seeds;

  private final String token;
  private final TokenProvider tokenProvider;
  private final ExecutorService tokenThread; // null without a provider
  private final HttpClient http;
  private final Duration pingInterval;
  private final Duration connectTimeout;
  private final Backoff reconnectBackoff;
  private final Backoff refreshBackoff;
  private final Builder settings;
  private final ScheduledExecutorService events;
  private final Thread eventThread;

  private final List<Consumer<ConnectionState>> connectionListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<TandemException>> errorListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<ClientIdChange>> clientIdListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Identity>> identityListeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> firstWelcome = new CompletableFuture<>();
  private volatile ConnectionState connectionState = ConnectionState.CONNECTING;
  private volatile Identity identity;

  /** The id of new ops (written on the event thread): changes when someone else uses it. */
  private volatile String clientId;

  // event thread only
  private final Map<String, TandemDocument> documents = new LinkedHashMap<>();
  private long nextSeq;

  /** The id said in the current connection's hello: ops go only on a connection of their id. */
  private String helloId;

  private int messageLimit;
  private Connection connection; // to a seed: every document not on a node socket

  /** The socket to each node a {@code moved} named, while a document lives there. */
  private final Map<URI, Connection> nodeConnections = new LinkedHashMap<>();

  /** The documents on a node socket, and that node; the others are on the seed socket. */
  private final Map<String, URI> owners = new java.util.HashMap<>();

  /** When each document was last redirected: a second redirect within a second waits a backoff. */
  private final Map<String, Long> lastMoved = new java.util.HashMap<>();

  /** Documents waiting out a redirect's backoff: a welcome meanwhile does not open them. */
  private final Set<String> waiting = new HashSet<>();

  /** Nodes whose lost socket waits out its backoff before it is made again. */
  private final Set<URI> nodesBackingOff = new HashSet<>();

  private ScheduledFuture<?> reconnectTask;
  private ScheduledFuture<?> refreshTask;
  private int connectAttempts; // a token that arrives for an abandoned attempt is dropped

  /** Where the next connect of the seed socket goes. */
  private URI target;

  private int seedIndex;
  private boolean closed;

  private TandemClient(Builder builder) {
    this.settings = builder;
    connectionListeners.addAll(builder.connectionListeners);
    errorListeners.addAll(builder.errorListeners);
    identityListeners.addAll(builder.identityListeners);
    clientIdListeners.addAll(builder.clientIdListeners);
    List<URI> seedList = new ArrayList<>();
    seedList.add(builder.uri);
    seedList.addAll(builder.alternates);
    this.seeds = List.copyOf(seedList);
    this.target = builder.uri;
    this.token = builder.token;
    this.tokenProvider = builder.tokenProvider;
    this.clientId = builder.clientId != null ? builder.clientId : UUID.randomUUID().toString();
    this.helloId = clientId;
    this.http = builder.httpClient != null ? builder.httpClient : SHARED_HTTP;
    this.pingInterval = builder.pingInterval;
    this.connectTimeout = builder.connectTimeout;
    this.reconnectBackoff =
        new Backoff(builder.initialBackoff, builder.maxBackoff, builder.randomOrDefault());
    // refused refreshes count as bad messages on the server (10 in 10 s close the socket): so
    // retries start at a second, a few in ten seconds, and go on until the token expires
    this.refreshBackoff =
        new Backoff(MIN_REFRESH, builder.retryMaxBackoff(), builder.randomOrDefault());
    this.nextSeq = builder.firstSeq;
    this.messageLimit = builder.maxMessageBytes;
    Thread[] thread = new Thread[1];
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              thread[0] = new Thread(runnable, "tandem-client-" + clientId);
              thread[0].setDaemon(true);
              return thread[0];
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() needs no wait
    executor.prestartCoreThread();
    this.events = executor;
    this.eventThread = thread[0];
    this.tokenThread =
        tokenProvider == null
            ? null
            : Executors.newSingleThreadExecutor(
                runnable -> {
                  Thread tokens = new Thread(runnable, "tandem-token-" + clientId);
                  tokens.setDaemon(true);
                  return tokens;
                });
  }

  /** A builder for a client of the WebSocket endpoint {@code uri} (for example ws://host/ws). */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /**
   * The id this client's ops go under, said in {@code hello}; the same across reconnects until
   * someone else uses it (see {@link #addClientIdListener}).
   */
  public String clientId() {
    return clientId;
  }

  /** The user the server's {@code welcome} named, or null before the first welcome. */
  public String userId() {
    Identity current = identity;
    return current == null ? null : current.userId();
  }

  /**
   * Who the server says this client is (user id, display name, colour, token expiry), from the last
   * {@code welcome} and {@code authed}; null before the first welcome.
   */
  public Identity identity() {
    return identity;
  }

  public ConnectionState connectionState() {
    return connectionState;
  }

  /** Completes at the first {@code welcome}; fails if the client is closed before. */
  public CompletableFuture<Void> whenConnected() {
    return firstWelcome.copy();
  }

  /**
   * Called on the event thread at every change of the connection state from now on. The client
   * starts connecting in {@link Builder#build()}, so a listener added here may miss the first
   * changes; one that must hear them all goes to {@link Builder#addConnectionListener}. The same
   * holds for the other listeners.
   */
  public void addConnectionListener(Consumer<ConnectionState> listener) {
    connectionListeners.add(Objects.requireNonNull(listener));
  }

  /** Called on the event thread for errors not about one document (a refused hello, say). */
  public void addErrorListener(Consumer<TandemException> listener) {
    errorListeners.add(Objects.requireNonNull(listener));
  }

  /**
   * Called on the event thread at every {@code welcome}, and when a refreshed token's new expiry is
   * confirmed ({@code authed}).
   */
  public void addIdentityListener(Consumer<Identity> listener) {
    identityListeners.add(Objects.requireNonNull(listener));
  }

  /**
   * Called on the event thread when someone else used this client's id, so that its ops go under a
   * fresh one from now on (the refused op is sent again under it).
   */
  public void addClientIdListener(Consumer<ClientIdChange> listener) {
    clientIdListeners.add(Objects.requireNonNull(listener));
  }

  /**
   * Opens a document (the server creates it empty if it does not exist and the user may write). The
   * future completes with the handle once the server sent its text and revision, and fails with a
   * {@link TandemException} if the server refuses. Opening an open document returns the same
   * handle.
   */
  public CompletableFuture<TandemDocument> open(String docId) {
    Objects.requireNonNull(docId, "docId");
    CompletableFuture<TandemDocument> result = new CompletableFuture<>();
    execute(
        () -> {
          if (closed) {
            result.completeExceptionally(new IllegalStateException("client is closed"));
            return;
          }
          TandemDocument document = documents.get(docId);
          if (document == null) { // an open document is not opened again: the server refuses that
            document = new TandemDocument(this, docId);
            documents.put(docId, document);
            if (connection != null && connection.welcomed) {
              document.connected(); // a new document starts on the seed socket
            }
          }
          document.whenOpened().whenComplete(forward(result));
        },
        result);
    return result;
  }

  /**
   * Aborts the socket as a network failure would; the client reconnects with backoff and catches
   * up. For fault drills and tests.
   */
  public void dropConnection() {
    execute(
        () -> {
          for (Connection current : connections()) {
            lost(current, 1006, "connection dropped on request");
          }
        });
  }

  /**
   * Closes the socket and every document handle without waiting for unacknowledged edits (call
   * {@link TandemDocument#whenSynchronized()} first to keep them). Blocks up to a few seconds.
   */
  @Override
  public void close() {
    execute(this::shutDown);
    if (Thread.currentThread() != eventThread) {
      try {
        events.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void shutDown() {
    if (closed) {
      return;
    }
    closed = true;
    cancelTimers();
    for (Connection current : connections()) {
      current.stopPing();
      current.closeNormally();
    }
    connection = null;
    nodeConnections.clear();
    for (TandemDocument document : List.copyOf(documents.values())) {
      document.clientClosed();
    }
    documents.clear();
    firstWelcome.completeExceptionally(new IllegalStateException("client closed"));
    setState(ConnectionState.CLOSED);
    events.shutdown();
    if (tokenThread != null) {
      tokenThread.shutdownNow(); // a provider blocked on the network is interrupted
    }
  }

  // ---- connection lifecycle (event thread) ----

  private void connect() {
    reconnectTask = null;
    if (closed) {
      return;
    }
    setState(ConnectionState.CONNECTING);
    if (tokenProvider == null) {
      openSocket(token);
      return;
    }
    int attempt = ++connectAttempts;
    fetchToken()
        .whenComplete(
            (fresh, failure) ->
                execute(
                    () -> {
                      if (attempt != connectAttempts || closed) {
                        return;
                      }
                      if (failure != null) {
                        report(tokenFailure(failure));
                        setState(ConnectionState.OFFLINE);
                        reconnectTask =
                            events.schedule(
                                this::connect,
                                reconnectBackoff.next().toMillis(),
                                TimeUnit.MILLISECONDS);
                      } else {
                        openSocket(fresh);
                      }
                    }));
  }

  /** Calls the token provider on its own thread. */
  private CompletableFuture<String> fetchToken() {
    CompletableFuture<String> result = new CompletableFuture<>();
    try {
      tokenThread.execute(
          () -> {
            try {
              String fresh = tokenProvider.getToken();
              if (fresh == null) {
                throw new IllegalStateException("it gave null (expected a token)");
              }
              result.complete(fresh);
            } catch (Throwable e) { // whatever it throws, the attempt must end
              result.completeExceptionally(e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
      result.completeExceptionally(new IllegalStateException("client closed"));
    }
    return result;
  }

  private static TandemException tokenFailure(Throwable failure) {
    Throwable cause =
        failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return new TandemException(
        ErrorCode.UNAUTHORIZED, "token provider failed: " + cause, false, null, null);
  }

  private void openSocket(String helloToken) {
    Connection attempt = new Connection(null, target, helloIdNow());
    connection = attempt;
    dial(attempt, helloToken);
  }

  /** The id a new socket says in hello: the client's, once no op waits under an older one. */
  private String helloIdNow() {
    if (drained(helloId)) {
      helloId = clientId; // else ops under the old id still await their answers
    }
    return helloId;
  }

  private void dial(Connection attempt, String helloToken) {
    attempt.helloToken = helloToken;
    attempt.token = helloToken;
    http.newWebSocketBuilder()
        .connectTimeout(connectTimeout)
        .buildAsync(attempt.uri, attempt)
        .whenComplete(
            (socket, failure) -> {
              if (failure != null) {
                execute(() -> lost(attempt, 1006, "connect failed: " + failure));
              }
            });
  }

  /**
   * A socket to {@code node} for the documents it owns, unless there is one (or none of them is
   * left); their {@code open} goes once it is welcomed.
   */
  private void connectNode(URI node) {
    nodesBackingOff.remove(node);
    if (closed || nodeConnections.containsKey(node) || !owners.containsValue(node)) {
      return;
    }
    Connection attempt = new Connection(node, node, helloIdNow());
    nodeConnections.put(node, attempt);
    if (tokenProvider == null) {
      dial(attempt, token);
      return;
    }
    fetchToken()
        .whenComplete(
            (fresh, failure) ->
                execute(
                    () -> {
                      if (!isCurrent(attempt) || closed) {
                        return;
                      }
                      if (failure != null) {
                        report(tokenFailure(failure));
                        lost(attempt, 1006, "no token for " + node);
                      } else {
                        dial(attempt, fresh);
                      }
                    }));
  }

  /** The seed socket and every node socket. */
  private List<Connection> connections() {
    List<Connection> all = new ArrayList<>();
    if (connection != null) {
      all.add(connection);
    }
    all.addAll(nodeConnections.values());
    return all;
  }

  /** Whether {@code current} is still the seed socket or its node's socket. */
  private boolean isCurrent(Connection current) {
    return current.node == null
        ? current == connection
        : nodeConnections.get(current.node) == current;
  }

  /** The socket {@code document} lives on now, or null while it is being made. */
  private Connection connectionOf(TandemDocument document) {
    URI node = owners.get(document.id());
    return node == null ? connection : nodeConnections.get(node);
  }

  /** The documents that live on the socket to {@code node} (null: the seed socket). */
  private List<TandemDocument> documentsOn(URI node) {
    return documents.values().stream()
        .filter(document -> Objects.equals(owners.get(document.id()), node))
        .toList();
  }

  private void socketOpened(Connection current) {
    if (!isCurrent(current)) {
      current.abort();
      return;
    }
    send(current, Wire.hello(current.helloToken, current.clientId));
    // Silence is judged from the socket's open, not from its welcome: a server that never
    // answers hello, or whose close the JDK's WebSocket does not report (as it sometimes does not
    // for a close just after the handshake), is then found dead like any other.
    current.lastHeardNanos = System.nanoTime();
    long period = pingInterval.toMillis();
    current.pingTask =
        events.scheduleAtFixedRate(() -> ping(current), period, period, TimeUnit.MILLISECONDS);
  }

  private void received(Connection current, String text) {
    if (!isCurrent(current)) {
      return;
    }
    current.lastHeardNanos = System.nanoTime();
    try {
      JsonNode message = Wire.parse(text);
      String type = Wire.string(message, "type");
      if (!current.welcomed && !type.equals("welcome") && !type.equals("error")) {
        throw new Wire.MalformedMessage("server sent '" + type + "' before welcome");
      }
      switch (type) {
        case "welcome" -> welcomed(current, message);
        case "pong" -> {}
        case "authed" -> authed(current, message);
        case "error" -> error(current, message);
        case "opened", "ops", "ack", "presence", "closed" -> {
          TandemDocument document = documents.get(Wire.string(message, "doc"));
          if (document != null && connectionOf(document) == current) { // else: a socket it left
            document.received(type, message);
          }
        }
        default -> {} // a newer server's message: ignore
      }
    } catch (Wire.MalformedMessage | IllegalArgumentException e) {
      report(new TandemException(ErrorCode.UNKNOWN, e.getMessage(), false, null, null));
    }
    switchIfDrained();
  }

  private void welcomed(Connection current, JsonNode message) {
    current.welcomed = true;
    if (current.node == null) { // a node's socket says nothing about the client's connection
      String user = Wire.optionalString(message, "user", null);
      identity =
          user == null
              ? null
              : new Identity(
                  user,
                  Wire.optionalString(message, "name", user),
                  Optional.ofNullable(Wire.optionalString(message, "color", null)),
                  expiry(message));
      reconnectBackoff.reset();
      refreshBackoff.reset();
      if (identity != null) { // before CONNECTED: whoever waits for the connection sees who it is
        callEach(identityListeners, identity);
      }
      setState(ConnectionState.CONNECTED);
      firstWelcome.complete(null);
      scheduleRefresh(current);
    }
    for (TandemDocument document : documentsOn(current.node)) {
      openUnlessWaiting(document);
    }
  }

  /**
   * Opens {@code document} on its socket unless it waits out a redirect's backoff (its timer does).
   */
  private void openUnlessWaiting(TandemDocument document) {
    if (!waiting.contains(document.id())) {
      document.connected();
    }
  }

  private static Optional<Instant> expiry(JsonNode message) {
    Long exp = Wire.optionalInteger(message, "exp");
    return exp == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(exp));
  }

  /** The refreshed token is taken: {@code authed {user, exp}}. */
  private void authed(Connection current, JsonNode message) {
    current.authPending = false;
    current.token = current.pendingToken;
    if (current.node != null) {
      return; // the seed socket's refresh schedules the next one for all
    }
    refreshBackoff.reset();
    if (identity != null) {
      identity =
          new Identity(identity.userId(), identity.name(), identity.color(), expiry(message));
      callEach(identityListeners, identity);
    }
    scheduleRefresh(current);
  }

  /**
   * With a token provider and a token that expires: refresh it when 80 % of its remaining life has
   * passed, or 60 s before it expires, whichever comes first.
   */
  private void scheduleRefresh(Connection current) {
    cancelRefresh();
    if (tokenProvider == null || identity == null || identity.expiresAt().isEmpty()) {
      return;
    }
    long left = identity.expiresAt().get().toEpochMilli() - System.currentTimeMillis();
    long delay =
        Math.max(
            MIN_REFRESH.toMillis(),
            Math.min((long) (REFRESH_AT * left), left - REFRESH_BEFORE.toMillis()));
    refreshTask = events.schedule(() -> refresh(current), delay, TimeUnit.MILLISECONDS);
  }

  private void refresh(Connection current) {
    refreshTask = null;
    if (current != connection) {
      return;
    }
    fetchToken()
        .whenComplete(
            (fresh, failure) ->
                execute(
                    () -> {
                      if (current != connection) {
                        return;
                      }
                      if (failure != null) {
                        report(tokenFailure(failure));
                        retryRefresh(current);
                      } else if (fresh.equals(current.token)) {
                        retryRefresh(current); // nothing new yet (a fixed token): ask again later
                      } else {
                        for (Connection each : connections()) { // node sockets serve it too
                          if (each.welcomed && !fresh.equals(each.token)) {
                            each.authPending = true;
                            each.pendingToken = fresh;
                            send(each, Wire.auth(fresh));
                          }
                        }
                      }
                    }));
  }

  /**
   * A refused or failed refresh: the old token serves until it expires; try again after a backoff
   * (the server closes the socket at expiry, which cancels the retry).
   */
  private void retryRefresh(Connection current) {
    cancelRefresh();
    refreshTask =
        events.schedule(
            () -> refresh(current), refreshBackoff.next().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void cancelRefresh() {
    if (refreshTask != null) {
      refreshTask.cancel(false);
      refreshTask = null;
    }
  }

  private void error(Connection current, JsonNode message) {
    TandemException error =
        new TandemException(
            ErrorCode.fromWire(Wire.optionalString(message, "code", "unknown")),
            Wire.optionalString(message, "message", ""),
            Wire.flag(message, "retryable"),
            Wire.optionalString(message, "doc", null),
            Wire.optionalInteger(message, "seq"));
    if (error.code() == ErrorCode.UNAUTHORIZED) {
      if (current.authPending && error.docId().isEmpty()) {
        current.authPending = false; // the refresh was refused: the old token still serves
        if (current.node == null) {
          retryRefresh(current); // a node socket's waits for the seed socket's next refresh
        }
      } else {
        current.unauthorized = true; // a close 1008 next is about the token
      }
    }
    TandemDocument document = error.docId().map(documents::get).orElse(null);
    if (document != null && connectionOf(document) != current) {
      return; // about a socket the document left
    }
    String movedTo = Wire.optionalString(message, "url", null);
    if (error.code() == ErrorCode.MOVED && movedTo != null) {
      if (document != null) {
        follow(document, movedTo);
      }
      return;
    }
    if (document != null) {
      document.error(error);
    } else {
      report(error);
    }
  }

  /**
   * Another node sequences {@code document} (docs/scaling.md): it moves to the socket to that node
   * (made if there is none), where it reopens and resends what is unacknowledged, as after any
   * reconnect; the socket it leaves stays for the other documents. At once the first time; a
   * redirect of the same document within a second of the last waits a backoff, so two nodes that
   * disagree for a moment are not asked in a tight loop.
   */
  private void follow(TandemDocument document, String url) {
    URI owner;
    try {
      owner = URI.create(url);
    } catch (IllegalArgumentException e) {
      report(
          new TandemException(ErrorCode.UNKNOWN, "moved to a bad URL: " + url, false, null, null));
      return;
    }
    long now = System.nanoTime();
    Long last = lastMoved.put(document.id(), now);
    boolean again = last != null && now - last < TimeUnit.SECONDS.toNanos(1);
    if (connection != null && owner.equals(connection.uri)) {
      owners.remove(document.id()); // back to the seed socket's node
    } else {
      owners.put(document.id(), owner);
    }
    document.disconnected(); // the server forgot it on the socket it leaves
    closeUnusedNodeSockets();
    if (again) {
      waiting.add(document.id());
      schedule(
          () -> {
            waiting.remove(document.id());
            reopen(document, owner);
          },
          reconnectBackoff.next());
    } else {
      reopen(document, owner);
    }
  }

  /** Opens {@code document} on its socket, if it still lives on {@code owner}'s. */
  private void reopen(TandemDocument document, URI owner) {
    if (closed || documents.get(document.id()) != document) {
      return;
    }
    URI node = owners.get(document.id());
    if (node != null && !node.equals(owner)) {
      return; // redirected again meanwhile
    }
    Connection current = connectionOf(document);
    if (current == null) {
      if (node != null && !nodesBackingOff.contains(node)) {
        connectNode(node); // its welcome opens the document; else the backoff's reconnect's does
      }
    } else if (current.welcomed) {
      document.connected();
    }
  }

  /** Closes the node sockets no document lives on any more. */
  private void closeUnusedNodeSockets() {
    for (Connection unused : List.copyOf(nodeConnections.values())) {
      if (!owners.containsValue(unused.node)) {
        nodeConnections.remove(unused.node);
        unused.stopPing();
        unused.closeNormally();
      }
    }
  }

  private void ping(Connection current) {
    if (!isCurrent(current)) {
      return;
    }
    long silentNanos = System.nanoTime() - current.lastHeardNanos;
    if (silentNanos > 2 * pingInterval.toNanos()) {
      lost(current, 1006, "no answer from the server for " + silentNanos / 1_000_000 + " ms");
    } else if (current.welcomed) { // before it, a pong would come before the welcome
      send(current, Wire.ping());
    }
  }

  private void lost(Connection current, int code, String reason) {
    lost(current, code, reason, null);
  }

  /** As {@link #lost(Connection, int, String)}, reconnecting after {@code delay} if not null. */
  private void lost(Connection current, int code, String reason, Duration reconnectDelay) {
    if (!isCurrent(current)) {
      return;
    }
    if (current.node != null) {
      nodeLost(current, code, reason, reconnectDelay);
      return;
    }
    connection = null;
    cancelTimers();
    current.stopPing();
    current.abort();
    if (!current.welcomed) { // not reached: the next seed (any node of a cluster will do)
      seedIndex = (seedIndex + 1) % seeds.size();
      target = seeds.get(seedIndex);
    }
    for (TandemDocument document : documentsOn(null)) {
      document.disconnected();
    }
    if (closed || !stillUsable(current, code, reason)) {
      return;
    }
    setState(ConnectionState.OFFLINE);
    Duration delay = reconnectDelay != null ? reconnectDelay : reconnectBackoff.next();
    reconnectTask = events.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A node socket is lost: it reconnects to its node after a backoff; if it never reached the node
   * (gone, or not a node any more), its documents go back to the seed socket, where they are
   * redirected again or taken over.
   */
  private void nodeLost(Connection current, int code, String reason, Duration reconnectDelay) {
    nodeConnections.remove(current.node);
    current.stopPing();
    current.abort();
    List<TandemDocument> orphans = documentsOn(current.node);
    for (TandemDocument document : orphans) {
      document.disconnected();
    }
    if (closed || !stillUsable(current, code, reason)) {
      return;
    }
    if (!current.welcomed) {
      for (TandemDocument document : orphans) {
        owners.remove(document.id());
        if (connection != null && connection.welcomed) {
          openUnlessWaiting(document);
        }
      }
      return;
    }
    Duration delay = reconnectDelay != null ? reconnectDelay : reconnectBackoff.next();
    nodesBackingOff.add(current.node);
    schedule(() -> connectNode(current.node), delay);
  }

  /**
   * What a close code says about every socket of this client: a message too big lowers the limit; a
   * policy violation (not about a token a provider can renew) ends the client (false).
   */
  private boolean stillUsable(Connection current, int code, String reason) {
    if (code == MESSAGE_TOO_BIG && current.largestSentBytes > 1) {
      // the server's limit is lower than assumed: never send a message that large again, so the
      // op that was too big is refused locally (too_large, resync) instead of looping on 1009
      messageLimit = Math.min(messageLimit, current.largestSentBytes - 1);
      report(
          new TandemException(
              ErrorCode.TOO_LARGE,
              "server closed the connection (1009): message limit now " + messageLimit + " bytes",
              false,
              null,
              null));
    }
    boolean tokenRefused = current.unauthorized || reason.contains("token expired");
    if (code == POLICY_VIOLATION && !(tokenRefused && tokenProvider != null)) {
      report(
          new TandemException(
              ErrorCode.FORBIDDEN,
              "server closed the connection for a policy violation: " + reason,
              false,
              null,
              null));
      shutDown();
      return false;
    }
    return true;
  }

  /** Whether no op is in flight under {@code id}. */
  private boolean drained(String id) {
    return documents.values().stream().noneMatch(document -> document.inFlightUnder(id));
  }

  /**
   * After a new client id: once every op sent under the old one is answered, reconnect each socket
   * that said the old one under the new one (an op whose answer is lost with the socket goes again
   * under the old id first, so it is stored once). Each socket is judged by the id it said: sockets
   * opened at different times may have said different ones.
   */
  private void switchIfDrained() {
    for (Connection current : connections()) {
      if (current.welcomed && !current.clientId.equals(clientId) && drained(current.clientId)) {
        lost(current, 1006, "reconnecting as " + clientId, Duration.ZERO);
      }
    }
  }

  private void cancelTimers() {
    if (reconnectTask != null) {
      reconnectTask.cancel(false);
      reconnectTask = null;
    }
    cancelRefresh();
  }

  private void setState(ConnectionState state) {
    if (connectionState != state) {
      connectionState = state;
      callEach(connectionListeners, state);
    }
  }

  // ---- used by TandemDocument (event thread) ----

  /** Sends on the document's socket if it is welcomed; false if there is none. */
  boolean send(TandemDocument document, ObjectNode message) {
    return sendText(document, Wire.encode(message));
  }

  /** {@link #send(TandemDocument, ObjectNode)} of an encoded message. */
  boolean sendText(TandemDocument document, String text) {
    Connection current = connectionOf(document);
    if (current == null || !current.welcomed) {
      return false;
    }
    send(current, text);
    return true;
  }

  /** The size limit of one message, in UTF-8 bytes, as far as this client knows it. */
  int messageLimit() {
    return messageLimit;
  }

  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4; // with its low surrogate
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  boolean online(TandemDocument document) {
    Connection current = connectionOf(document);
    return current != null && current.welcomed;
  }

  /** The id of an op that goes in flight now. */
  OpId nextId() {
    return new OpId(clientId, nextSeq++);
  }

  /** The id the document's socket said in its hello. */
  String helloId(TandemDocument document) {
    Connection current = connectionOf(document);
    return current != null ? current.clientId : helloId;
  }

  /**
   * Someone else used {@code taken.clientId()} with {@code taken.seq()} for another op of document
   * {@code docId}. If that is this client's id, new ops go under a fresh one from now on.
   */
  void idTaken(OpId taken, String docId) {
    if (!taken.clientId().equals(clientId)) {
      return; // an op under an id already replaced: it simply goes under the current one
    }
    String previous = clientId;
    clientId = UUID.randomUUID().toString();
    callEach(clientIdListeners, new ClientIdChange(previous, clientId, docId, taken.seq()));
  }

  Builder settings() {
    return settings;
  }

  void forget(TandemDocument document) {
    if (documents.remove(document.id(), document)) {
      owners.remove(document.id());
      lastMoved.remove(document.id());
      waiting.remove(document.id());
      closeUnusedNodeSockets();
      switchIfDrained();
    }
  }

  /**
   * Resync by reconnecting the document's socket: its documents reopen with {@code open {rev}} and
   * catch up.
   */
  void resync(TandemDocument document) {
    Connection current = connectionOf(document);
    if (current != null) {
      lost(current, 1006, "resync");
    }
  }

  void report(TandemException error) {
    callEach(errorListeners, error);
  }

  /** Runs {@code task} on the event thread; false if the client is closed (it never runs). */
  boolean execute(Runnable task) {
    try {
      events.execute(task);
      return true;
    } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
      return false;
    }
  }

  /** Runs {@code task} on the event thread, or fails {@code result} if the client is closed. */
  void execute(Runnable task, CompletableFuture<?> result) {
    if (!execute(task)) {
      result.completeExceptionally(new IllegalStateException("client is closed"));
    }
  }

  void schedule(Runnable task, Duration delay) {
    try {
      events.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
      // the client is closed: nothing more happens
    }
  }

  boolean onEventThread() {
    return Thread.currentThread() == eventThread;
  }

  private void send(Connection current, ObjectNode message) {
    send(current, Wire.encode(message));
  }

  private void send(Connection current, String text) {
    current.largestSentBytes = Math.max(current.largestSentBytes, utf8Length(text));
    current.sends =
        current.sends.thenCompose(socket -> socket.sendText(text, true).thenApply(s -> socket));
    current.sends.whenComplete(
        (socket, failure) -> {
          if (failure != null) {
            execute(() -> lost(current, 1006, "send failed: " + failure));
          }
        });
  }

  /**
   * The server's rule for a client id: 1–64 code points of well-formed UTF-16 (no lone surrogate)
   * without control characters (U+0000–U+001F, U+007F–U+009F), with the server's messages.
   *
   * @throws IllegalArgumentException otherwise
   */
  static String checkClientId(String clientId) {
    Objects.requireNonNull(clientId, "clientId");
    int lone = CodePoints.firstLoneSurrogate(clientId);
    if (lone >= 0) {
      throw new IllegalArgumentException(
          "client id holds a lone surrogate at UTF-16 index " + lone + " (expected: none)");
    }
    int length = CodePoints.count(clientId);
    if (length < 1 || length > 64) {
      throw new IllegalArgumentException(
          "client id length : " + length + " (expected: 1 to 64 code points)");
    }
    for (int i = 0; i < clientId.length(); i++) {
      if (Character.isISOControl(clientId.charAt(i))) {
        throw new IllegalArgumentException(
            String.format(
                "client id holds control character U+%04X at %d (expected: none)",
                (int) clientId.charAt(i), i));
      }
    }
    return clientId;
  }

  /** Calls every listener; one that throws is logged and does not stop the others. */
  private static <T> void callEach(List<Consumer<T>> listeners, T value) {
    for (Consumer<T> listener : listeners) {
      try {
        listener.accept(value);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "client listener failed", e);
      }
    }
  }

  private static <T> java.util.function.BiConsumer<T, Throwable> forward(
      CompletableFuture<T> target) {
    return (value, failure) -> {
      if (failure != null) {
        target.completeExceptionally(failure);
      } else {
        target.complete(value);
      }
    };
  }

  /**
   * One socket. Its listener methods run on the HTTP client's threads, one at a time; they only
   * hand over to the event thread, where a connection that is no longer current is ignored.
   */
  private final class Connection implements WebSocket.Listener {
    private final URI node; // null for the seed socket
    private final URI uri;
    private final String clientId; // said in its hello
    private String helloToken; // event thread
    private final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final ByteArrayOutputStream partialBinary = new ByteArrayOutputStream();
    private CompletableFuture<WebSocket> sends = opened; // event thread
    private volatile WebSocket socket;
    private boolean welcomed; // event thread
    private ScheduledFuture<?> pingTask; // event thread
    private int largestSentBytes; // event thread
    private long lastHeardNanos = System.nanoTime(); // event thread
    private boolean unauthorized; // event thread: the server refused its token
    private boolean authPending; // event thread: an auth of pendingToken awaits its answer
    private String pendingToken; // event thread
    private String token; // event thread: the token it serves under (hello's, or the authed one)

    Connection(URI node, URI uri, String clientId) {
      this.node = node;
      this.uri = uri;
      this.clientId = clientId;
    }

    void stopPing() {
      if (pingTask != null) {
        pingTask.cancel(false);
        pingTask = null;
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      socket = webSocket;
      opened.complete(webSocket);
      webSocket.request(1);
      execute(() -> socketOpened(this));
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        execute(() -> received(this, text));
      }
      webSocket.request(1);
      return null;
    }

    /** {@code ops} messages come in binary frames: the same UTF-8 JSON as the text frames. */
    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partialBinary.writeBytes(bytes); // whole before decoding: a fragment may split a character
      if (last) {
        String text = partialBinary.toString(StandardCharsets.UTF_8);
        partialBinary.reset();
        execute(() -> received(this, text));
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      execute(() -> lost(this, statusCode, "closed by the server: " + statusCode + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      execute(() -> lost(this, 1006, "socket error: " + error));
    }

    void abort() {
      WebSocket current = socket;
      if (current != null) {
        current.abort();
      } else {
        opened.thenAccept(WebSocket::abort);
      }
    }

    void closeNormally() {
      sends
          .thenCompose(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "client closed"))
          .orTimeout(2, TimeUnit.SECONDS)
          .whenComplete((s, failure) -> abort());
      if (socket == null) {
        opened.thenAccept(WebSocket::abort);
      }
    }
  }

  /** Settings of a {@link TandemClient}; {@link #build()} starts connecting. */
  public static final class Builder {
    private final URI uri;
    private String token = "";
    private TokenProvider tokenProvider;
    private String clientId;
    private long firstSeq = 1;
    private HttpClient httpClient;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(1);
    private Duration pingInterval = Duration.ofSeconds(20);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int maxMessageBytes = 1 << 20;
    private Random random;
    private final List<URI> alternates = new ArrayList<>();
    private final List<Consumer<ConnectionState>> connectionListeners = new ArrayList<>();
    private final List<Consumer<TandemException>> errorListeners = new ArrayList<>();
    private final List<Consumer<Identity>> identityListeners = new ArrayList<>();
    private final List<Consumer<ClientIdChange>> clientIdListeners = new ArrayList<>();

    private Builder(URI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
    }

    /**
     * Other nodes of the same cluster (docs/scaling.md): when the current one cannot be reached,
     * the client tries the next. Not needed behind a load balancer.
     */
    public Builder alternates(List<URI> others) {
      alternates.addAll(others);
      return this;
    }

    /** The token said in {@code hello}; empty when the server has auth off. */
    public Builder token(String token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * Where to get tokens: at every connect and reconnect, and before the token expires (sent in
     * {@code auth}). Used instead of {@link #token(String)}; see {@link TokenProvider}.
     */
    public Builder tokenProvider(TokenProvider tokenProvider) {
      this.tokenProvider = Objects.requireNonNull(tokenProvider, "tokenProvider");
      return this;
    }

    /**
     * The client id, by the server's rule: 1–64 chars (UTF-16 units), no control character, no lone
     * surrogate. By default a random UUID. See the class comment on seqs.
     */
    public Builder clientId(String clientId) {
      this.clientId = checkClientId(clientId);
      return this;
    }

    /** The first seq this client uses (default 1). */
    public Builder firstSeq(long firstSeq) {
      if (firstSeq < 1) {
        throw new IllegalArgumentException("first seq is " + firstSeq + " (expected >= 1)");
      }
      this.firstSeq = firstSeq;
      return this;
    }

    /** The HTTP client whose WebSocket support to use (default: one shared by all clients). */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * Reconnect delays: attempt n waits between half and all of min(max, initial * 2^n); also the
     * first delays of retries after a retryable error, which go on doubling up to 30 s (or {@code
     * max}, if larger). Defaults 200 ms and 1 s: back within about a second once the server is.
     */
    public Builder backoff(Duration initial, Duration max) {
      new Backoff(initial, max, new Random()); // checks the arguments
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** How often to ping; no message for two intervals counts as a lost socket. Default 20 s. */
    public Builder pingInterval(Duration pingInterval) {
      if (pingInterval.isNegative() || pingInterval.isZero()) {
        throw new IllegalArgumentException("ping interval " + pingInterval + " (expected > 0)");
      }
      this.pingInterval = pingInterval;
      return this;
    }

    /**
     * The server's message size limit in UTF-8 bytes (default 1 MiB, the server's default). A
     * submit over it is not sent: it fails with {@link ErrorCode#TOO_LARGE} and the document
     * resyncs. A close with 1009 lowers the limit below the message that caused it.
     */
    public Builder maxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes < 64) {
        throw new IllegalArgumentException(
            "max message bytes " + maxMessageBytes + " (expected >= 64)");
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout);
      return this;
    }

    /**
     * A listener of the connection state that is in place before the first connect, so it hears
     * every change (as {@link TandemClient#addConnectionListener}, which may miss the first ones).
     */
    public Builder addConnectionListener(Consumer<ConnectionState> listener) {
      connectionListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * An error listener in place before the first connect: it hears a token provider that fails, or
     * a refused {@code hello}, on the very first attempt too.
     */
    public Builder addErrorListener(Consumer<TandemException> listener) {
      errorListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** An identity listener in place before the first {@code welcome}. */
    public Builder addIdentityListener(Consumer<Identity> listener) {
      identityListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** A client id listener in place before the first connect. */
    public Builder addClientIdListener(Consumer<ClientIdChange> listener) {
      clientIdListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** The random source of the backoff jitter (for repeatable tests). */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /** The backoff of retries after a retryable error ({@code unavailable}). */
    Backoff newBackoff() {
      return new Backoff(initialBackoff, retryMaxBackoff(), randomOrDefault());
    }

    private Duration retryMaxBackoff() {
      return maxBackoff.compareTo(RETRY_MAX) > 0 ? maxBackoff : RETRY_MAX;
    }

    private Random randomOrDefault() {
      return random != null ? new Random(random.nextLong()) : new Random();
    }

    /**
     * Creates the client and starts connecting at once, with the listeners added to this builder in
     * place.
     */
    public TandemClient build() {
      TandemClient client = new TandemClient(this);
      client.execute(client::connect);
      return client;
    }
  }
}
