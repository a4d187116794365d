package dev.tandem.sequencer.ws;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * Tyrus on a Grizzly listener that someone else owns, so that WebSocket, REST and static files
 * share one {@code HttpServer} and one port.
 *
 * <p>Tyrus 2.2's own Grizzly container always creates its own server; its {@code WebSocketAddOn}
 * (which puts Tyrus's filter in front of the HTTP filter of a listener) has a package-private
 * constructor. We construct that add-on reflectively, once, at start: if a Tyrus upgrade changes
 * it, the server fails at start with a clear message rather than misbehaving later.
 */
public final class WebSocketContainer extends TyrusServerContainer {
  /**
   * The idle timeout of every socket, from its creation on: practically none (sockets idle as long
   * as they like).
   *
   * <p>Not 0, which the API defines as "none": Tyrus 2.2 then schedules an empty task with delay 0
   * on its scheduler for every message sent or received, waking a scheduler thread each time (10%
   * of the server's CPU with 50 editors on a document). With a timeout, each message cancels the
   * socket's timeout task and schedules a new one, which wakes no thread; {@link
   * #getScheduledExecutorService} removes the cancelled tasks from the queue at once. It must be
   * the container's default, not set in {@code onOpen}: a task scheduled with delay 0 before would
   * run after it and close the socket. A century: longer delays overflow the scheduler's nanosecond
   * clock. Dead sockets are found by {@link KeepAlive} instead, with one task for all sockets.
   */
  public static final long NO_IDLE_TIMEOUT_MILLIS = Duration.ofDays(100 * 365).toMillis();

  private static final String CONTEXT_PATH = "";
  private static final String ADD_ON_CLASS =
      "org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn";

  private final TyrusWebSocketEngine engine;
  private IdleTimerScheduler scheduler; // guarded by this

  /**
   * @param incomingBufferSize the largest single frame Tyrus buffers; a larger one is cut off by
   *     Tyrus itself (a message of many smaller fragments is measured by {@link EditEndpoint})
   */
  public WebSocketContainer(int incomingBufferSize) {
    super(Set.<Class<?>>of());
    engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(incomingBufferSize).build();
    setDefaultMaxSessionIdleTimeout(NO_IDLE_TIMEOUT_MILLIS);
  }

  /** Puts Tyrus in front of {@code listener}'s HTTP processing; call before the server starts. */
  public void attachTo(NetworkListener listener) {
    try {
      Constructor<?> constructor =
          Class.forName(ADD_ON_CLASS)
              .getDeclaredConstructor(org.glassfish.tyrus.spi.ServerContainer.class, String.class);
      constructor.setAccessible(true);
      listener.registerAddOn((AddOn) constructor.newInstance(this, CONTEXT_PATH));
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot attach Tyrus to the Grizzly listener (" + ADD_ON_CLASS + " changed?)", e);
    }
  }

  /** Deploys the endpoints added so far; call after the server started. */
  public void deploy(int port) throws IOException, DeploymentException {
    start(CONTEXT_PATH, port);
  }

  @Override
  public void register(Class<?> endpointClass) throws DeploymentException {
    engine.register(endpointClass, CONTEXT_PATH);
  }

  @Override
  public void register(ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
    engine.register(serverEndpointConfig, CONTEXT_PATH);
  }

  /**
   * Tyrus's scheduler, set to drop cancelled tasks, without the idle-timeout tasks that are never
   * due (see {@link #NO_IDLE_TIMEOUT_MILLIS} and {@link IdleTimerScheduler}).
   */
  @Override
  public synchronized ScheduledExecutorService getScheduledExecutorService() {
    ScheduledExecutorService service = super.getScheduledExecutorService();
    if (scheduler == null || scheduler.delegate() != service) {
      if (service instanceof ScheduledThreadPoolExecutor) {
        ((ScheduledThreadPoolExecutor) service).setRemoveOnCancelPolicy(true);
      }
      scheduler = new IdleTimerScheduler(service, NO_IDLE_TIMEOUT_MILLIS);
    }
    return scheduler;
  }

  @Override
  public WebSocketEngine getWebSocketEngine() {
    return engine;
  }
}
