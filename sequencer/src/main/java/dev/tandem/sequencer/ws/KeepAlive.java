package dev.tandem.sequencer.ws;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Finds sockets whose peer is gone. A client whose network vanished sends no FIN, and a server that
 * only waits would keep its socket, and list its client as present, for as long as TCP retries
 * (minutes, or forever on an idle socket). So every {@code interval} one {@link #sweep} looks at
 * every socket: one that sent nothing for half an interval gets a WebSocket ping (browsers and the
 * JDK answer it by themselves, with a pong), and one that sent nothing, pong included, for {@code
 * timeout} is dead. A peer that vanishes is therefore found within {@code timeout + interval}.
 *
 * <p>A socket that has not said {@code hello} within {@code timeout} of opening is handed over too,
 * alive or not: it holds a connection (and a place in {@code max-connections-per-address}) without
 * being anyone, and a peer that answers pings would otherwise keep it forever.
 *
 * <p>One task for all sockets, on the WebSocket container's scheduler: no timer per socket, and no
 * work per message but a timestamp ({@link Connection#heard}). Tyrus's own idle timeout stays off
 * ({@link WebSocketContainer#NO_IDLE_TIMEOUT_MILLIS}): it would reschedule a timer per message.
 */
final class KeepAlive {
  private final long intervalNanos;
  private final long timeoutNanos;
  private final Consumer<Connection> dead;

  private final Consumer<Connection> nameless;

  /**
   * {@code dead} closes a socket found dead, {@code nameless} one that said no {@code hello} in
   * time; each is called once per sweep that finds the socket.
   */
  KeepAlive(
      Duration interval,
      Duration timeout,
      Consumer<Connection> dead,
      Consumer<Connection> nameless) {
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
    this.dead = dead;
    this.nameless = nameless;
  }

  /**
   * Pings every socket silent for half an interval; hands over every one silent too long, and every
   * one without a {@code hello} for as long.
   */
  void sweep(Iterable<Connection> connections, long nowNanos) {
    for (Connection connection : connections) {
      long silent = nowNanos - connection.lastHeardNanos();
      if (!connection.greeted() && nowNanos - connection.openedNanos() > timeoutNanos) {
        nameless.accept(connection);
      } else if (silent > timeoutNanos) {
        dead.accept(connection);
      } else if (silent >= intervalNanos / 2) {
        connection.ping();
      }
    }
  }
}
