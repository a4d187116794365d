package dev.tandem.persistence;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The nodes of a cluster on one database and the leases by which one of them at a time sequences a
 * document (docs/scaling.md). A node heartbeats ({@link #heartbeat}); a lease is valid while its
 * owner's last heartbeat plus the owner's dead timeout is ahead of the database's clock, so one
 * heartbeat renews every lease of a node. Every acquisition adds one to the document's epoch, and
 * {@link OpLog#append(List, Map)} stores nothing for a document whose epoch moved on: a node whose
 * lease was taken over cannot commit, however late it wakes up. All times are the database's.
 * Thread-safe.
 */
public final class Leases {
  /** What {@link #acquire} found. */
  public sealed interface Acquisition {}

  /** This node holds the lease now, at {@code epoch}. */
  public record Held(long epoch) implements Acquisition {}

  /** A live node holds it: clients go there. */
  public record OwnedBy(String nodeId, String advertiseUrl) implements Acquisition {}

  /** There is no such document. */
  public record NoDocument() implements Acquisition {}

  /*
   * One statement: the UPDATE takes the lease if nobody holds it, this node does (a restart or a
   * reload: a new epoch all the same), or its owner is dead; the SELECT reads the row as it was
   * before (a CTE's snapshot), which names the live owner when the UPDATE took nothing. The row
   * lock orders acquisitions and appends of one document, and of two nodes acquiring at once the
   * second finds the first alive.
   */
  private static final String ACQUIRE =
      "WITH taken AS ("
          + " UPDATE documents d SET lease_owner = ?, lease_epoch = d.lease_epoch + 1"
          + " WHERE d.id = ? AND (d.lease_owner IS NULL OR d.lease_owner = ?"
          + " OR NOT EXISTS (SELECT 1 FROM nodes n"
          + " WHERE n.id = d.lease_owner AND n.expires_at > now()))"
          + " RETURNING d.lease_epoch)"
          + " SELECT (SELECT lease_epoch FROM taken), d.id, d.lease_owner, n.advertise_url"
          + " FROM (SELECT 1) one LEFT JOIN documents d ON d.id = ?"
          + " LEFT JOIN nodes n ON n.id = d.lease_owner";

  private final GuardedPool pool;

  Leases(GuardedPool pool) {
    this.pool = pool;
  }

  /*
   * The CTE reads the row as it was before the upsert: a live row of this id at another URL was
   * written by another process (or by this node before a restart at a new address).
   */
  private static final String HEARTBEAT =
      "WITH before AS (SELECT advertise_url FROM nodes"
          + " WHERE id = ? AND expires_at > now() AND advertise_url <> ?)"
          + " INSERT INTO nodes (id, advertise_url, expires_at)"
          + " VALUES (?, ?, now() + ? * interval '1 millisecond')"
          + " ON CONFLICT (id) DO UPDATE SET advertise_url = excluded.advertise_url,"
          + " heartbeat_at = now(), expires_at = excluded.expires_at"
          + " RETURNING (SELECT advertise_url FROM before)";

  /**
   * Registers the node or renews its heartbeat: it is alive until {@code deadAfter} from now by the
   * database's clock, and clients reach it at {@code advertiseUrl}.
   *
   * @return the URL this node id was alive at until now if it was another: another process uses the
   *     id (or this node restarted at a new address)
   */
  public Optional<String> heartbeat(String nodeId, String advertiseUrl, Duration deadAfter) {
    Objects.requireNonNull(advertiseUrl, "advertiseUrl");
    return Jdbc.autoCommit(
        pool,
        "heartbeat",
        null,
        null,
        connection -> {
          try (PreparedStatement upsert = connection.prepareStatement(HEARTBEAT)) {
            upsert.setString(1, nodeId);
            upsert.setString(2, advertiseUrl);
            upsert.setString(3, nodeId);
            upsert.setString(4, advertiseUrl);
            upsert.setLong(5, deadAfter.toMillis());
            try (ResultSet row = upsert.executeQuery()) {
              row.next();
              return Optional.ofNullable(row.getString(1));
            }
          }
        });
  }

  /** The node stops: it is dead from now on, so every lease it still holds may be taken at once. */
  public void leave(String nodeId) {
    Jdbc.autoCommit(
        pool,
        "leave",
        null,
        null,
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement("UPDATE nodes SET expires_at = now() WHERE id = ?")) {
            update.setString(1, nodeId);
            return update.executeUpdate();
          }
        });
  }

  /** Takes the document's lease for {@code nodeId} unless a live node holds it. */
  public Acquisition acquire(String nodeId, String docId) {
    return Jdbc.autoCommit(
        pool,
        "acquire lease",
        docId,
        null,
        connection -> {
          try (PreparedStatement acquire = connection.prepareStatement(ACQUIRE)) {
            acquire.setString(1, nodeId);
            acquire.setString(2, docId);
            acquire.setString(3, nodeId);
            acquire.setString(4, docId);
            try (ResultSet row = acquire.executeQuery()) {
              row.next();
              long epoch = row.getLong(1);
              if (!row.wasNull()) {
                return new Held(epoch);
              }
              if (row.getString(2) == null) {
                return new NoDocument();
              }
              return new OwnedBy(row.getString(3), row.getString(4));
            }
          }
        });
  }

  /** Gives the lease up if it is still at {@code epoch} (the document went idle here). */
  public void release(String nodeId, String docId, long epoch) {
    Jdbc.autoCommit(
        pool,
        "release lease",
        docId,
        null,
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE documents SET lease_owner = NULL"
                      + " WHERE id = ? AND lease_owner = ? AND lease_epoch = ?")) {
            update.setString(1, docId);
            update.setString(2, nodeId);
            update.setLong(3, epoch);
            return update.executeUpdate();
          }
        });
  }

  /** Of the documents this node holds at these epochs, those whose lease was taken over. */
  public List<String> lost(Map<String, Long> held) {
    if (held.isEmpty()) {
      return List.of();
    }
    String[] docIds = held.keySet().toArray(String[]::new);
    Long[] epochs = new Long[docIds.length];
    for (int i = 0; i < docIds.length; i++) {
      epochs[i] = held.get(docIds[i]);
    }
    return Jdbc.autoCommit(
        pool,
        "check leases",
        null,
        null,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT h.id FROM unnest(?::text[], ?::bigint[]) AS h(id, epoch)"
                      + " LEFT JOIN documents d ON d.id = h.id"
                      + " WHERE d.lease_epoch IS DISTINCT FROM h.epoch")) {
            select.setArray(1, connection.createArrayOf("text", docIds));
            select.setArray(2, connection.createArrayOf("bigint", epochs));
            List<String> lost = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                lost.add(rows.getString(1));
              }
            }
            return lost;
          }
        });
  }
}
