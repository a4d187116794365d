package dev.tandem.sequencer.document;

import dev.tandem.persistence.Leases;
import dev.tandem.persistence.PersistenceException;
import dev.tandem.sequencer.error.Errors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in a cluster on one database (docs/scaling.md): its heartbeat, and the leases of
 * the documents it sequences. A document is loaded only under a lease ({@link #acquire}); its
 * commits carry the lease's epoch, which the group commit checks in the same statement. A heartbeat
 * renews every lease of the node at once and finds the documents taken over meanwhile (the node was
 * paused, or cut off from the database, beyond its dead timeout): those are handed to {@code
 * onLost}, which makes the document step down. Thread-safe.
 */
final class Ownership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ownership.class);

  private final Leases leases;
  private final String nodeId;
  private final Duration interval;
  private final Duration deadAfter;
  private final Consumer<String> onLost;
  private final ConcurrentHashMap<String, Long> held = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeats;
  private volatile String advertiseUrl;
  private volatile boolean heartbeatFailing;
  private volatile String sharedWith; // the other URL this id was last seen alive at

  Ownership(
      Leases leases,
      String nodeId,
      Duration interval,
      Duration deadAfter,
      Consumer<String> onLost) {
    this.leases = leases;
    this.nodeId = nodeId;
    this.interval = interval;
    this.deadAfter = deadAfter;
    this.onLost = onLost;
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "tandem-heartbeat");
              thread.setDaemon(true);
              return thread;
            });
  }

  String nodeId() {
    return nodeId;
  }

  /** Registers the node, reachable at {@code url}, and heartbeats from now on. */
  void join(String url) {
    advertiseUrl = url;
    heartbeats.scheduleWithFixedDelay(
        this::heartbeat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    log.atInfo()
        .setMessage("node joined")
        .addKeyValue("node", nodeId)
        .addKeyValue("url", url)
        .log();
  }

  /**
   * On the database pool: the document's lease for this node, at a new epoch, or {@code moved} if a
   * live node holds it; empty if there is no such document.
   */
  Leases.Acquisition acquire(String docId) {
    Leases.Acquisition acquisition = leases.acquire(nodeId, docId);
    if (acquisition instanceof Leases.OwnedBy owner) {
      throw Errors.moved(docId, owner.nodeId(), owner.advertiseUrl());
    }
    if (acquisition instanceof Leases.Held lease) {
      held.put(docId, lease.epoch());
    }
    return acquisition;
  }

  /** The document left memory: its lease is given up (on the database pool, best effort). */
  void release(String docId, long epoch, Consumer<Runnable> onDatabasePool) {
    if (held.remove(docId, epoch)) {
      onDatabasePool.accept(
          () -> {
            try {
              leases.release(nodeId, docId, epoch);
            } catch (PersistenceException e) { // it expires with the node, or is taken then
              log.debug("releasing the lease of '{}' failed: {}", docId, e.toString());
            }
          });
    }
  }

  /** The document stepped down: nothing of it is held any more. */
  void forget(String docId) {
    held.remove(docId);
  }

  /**
   * A graceful stop: no more heartbeats, and the node is dead at once, so every document it holds
   * is taken by the next node that opens it.
   */
  void leave() {
    heartbeats.shutdownNow();
    if (advertiseUrl == null) {
      return;
    }
    try {
      leases.leave(nodeId);
      log.atInfo().setMessage("node left").addKeyValue("node", nodeId).log();
    } catch (PersistenceException e) {
      log.warn("could not mark node {} as left ({}); its leases expire", nodeId, e.toString());
    }
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
  }

  /**
   * The id was alive at another URL until this heartbeat: another process uses it, and the two take
   * each other's documents in turn (safe, by the fence, but every takeover moves clients), or this
   * node restarted at a new address. Logged once per other URL.
   */
  private void idAliveElsewhere(String otherUrl) {
    if (!otherUrl.equals(sharedWith)) {
      sharedWith = otherUrl;
      log.atWarn()
          .setMessage(
              "node id in use at another address: give every node its own --node-id"
                  + " (unless this node restarted at a new address)")
          .addKeyValue("node", nodeId)
          .addKeyValue("url", advertiseUrl)
          .addKeyValue("other", otherUrl)
          .log();
    }
  }

  private void heartbeat() {
    try {
      leases.heartbeat(nodeId, advertiseUrl, deadAfter).ifPresent(this::idAliveElsewhere);
      Map<String, Long> snapshot = Map.copyOf(held);
      List<String> lost = leases.lost(snapshot);
      for (String docId : lost) {
        if (held.remove(docId, snapshot.get(docId))) {
          log.atWarn()
              .setMessage("lease taken over by another node: stepping down")
              .addKeyValue("doc", docId)
              .log();
          onLost.accept(docId);
        }
      }
      if (heartbeatFailing) {
        heartbeatFailing = false;
        log.info("heartbeat of node {} succeeds again", nodeId);
      }
    } catch (RuntimeException e) { // the next one tries again; the leases expire meanwhile
      if (!heartbeatFailing) {
        heartbeatFailing = true;
        log.warn("heartbeat of node {} failed: {}", nodeId, e.toString());
      }
    }
  }
}
