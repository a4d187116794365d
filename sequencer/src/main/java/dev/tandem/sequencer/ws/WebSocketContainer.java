package dev.tandem.sequencer.ws;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.Set;
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
  private static final String CONTEXT_PATH = "";
  private static final String ADD_ON_CLASS =
      "org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn";

  private final TyrusWebSocketEngine engine;

  /**
   * @param incomingBufferSize the largest single frame Tyrus buffers; a larger one is cut off by
   *     Tyrus itself (a message of many smaller fragments is measured by {@link EditEndpoint})
   */
  public WebSocketContainer(int incomingBufferSize) {
    super(Set.<Class<?>>of());
    engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(incomingBufferSize).build();
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

  @Override
  public WebSocketEngine getWebSocketEngine() {
    return engine;
  }
}
