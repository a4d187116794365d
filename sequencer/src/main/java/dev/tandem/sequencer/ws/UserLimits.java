package dev.tandem.sequencer.ws;

import dev.tandem.sequencer.auth.Authorizer;
import dev.tandem.sequencer.auth.Principal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limits of one user across all its WebSockets: how many may be open at once ({@code
 * max-connections-per-user}) and how many messages they may send a second together ({@code
 * max-messages-per-second-per-user}). A user is tracked while it has a socket open.
 *
 * <p>The user {@value Authorizer.AllowAll#USER} of an {@link Authorizer} ({@code --auth none} makes
 * everyone that user) is not one person, so it is not limited per user: the limits per socket and
 * per remote address still apply. A token naming that user has a {@linkplain Principal#hasProfile
 * profile} and is limited like any other.
 */
final class UserLimits {
  private final int maxConnections;
  private final int messagesPerSecond;
  private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();

  /** One user's open sockets and shared message rate; the rate is guarded by this. */
  private static final class User {
    int connections; // changed only inside users.compute
    final MessageRate rate;

    User(int messagesPerSecond) {
      this.rate = new MessageRate(messagesPerSecond, System.nanoTime());
    }
  }

  /**
   * @param maxConnections sockets per user; 0 for no limit
   * @param messagesPerSecond messages per user a second; 0 for no limit
   */
  UserLimits(int maxConnections, int messagesPerSecond) {
    this.maxConnections = maxConnections;
    this.messagesPerSecond = messagesPerSecond;
  }

  static boolean applyTo(Principal principal) {
    return principal.hasProfile() || !principal.userId().equals(Authorizer.AllowAll.USER);
  }

  /**
   * Counts one more socket of {@code userId}; false (and nothing counted) if it has as many open as
   * allowed. Each true needs one {@link #disconnected} later.
   */
  boolean tryConnect(String userId) {
    boolean[] admitted = {false};
    users.compute(
        userId,
        (key, user) -> {
          User counted = user == null ? new User(messagesPerSecond) : user;
          admitted[0] = maxConnections == 0 || counted.connections < maxConnections;
          if (admitted[0]) {
            counted.connections++;
          }
          return counted.connections == 0 ? null : counted;
        });
    return admitted[0];
  }

  /** One socket of {@code userId}, counted by {@link #tryConnect}, is gone. */
  void disconnected(String userId) {
    users.computeIfPresent(
        userId,
        (key, user) -> {
          user.connections--;
          return user.connections == 0 ? null : user;
        });
  }

  /** Takes one message of {@code userId} at {@code now}; false if it is over the user's rate. */
  boolean tryAcquire(String userId, long now) {
    User user = users.get(userId);
    if (user == null) { // not tracked: not connected, or not limited
      return true;
    }
    synchronized (user) {
      return user.rate.tryAcquire(now);
    }
  }

  int maxConnections() {
    return maxConnections;
  }

  int messagesPerSecond() {
    return messagesPerSecond;
  }
}
