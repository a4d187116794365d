/**
 * Tandem persistence: the PostgreSQL op log and checkpoints, and the embedded PostgreSQL that runs
 * when no database is configured.
 *
 * <p>{@link dev.tandem.persistence.Database#open} starts (or connects to) PostgreSQL, migrates the
 * schema from {@code db/migration} with Flyway and opens a HikariCP pool. {@link
 * dev.tandem.persistence.OpLog} appends committed ops of many documents in one transaction (group
 * commit) and reads them back; {@link dev.tandem.persistence.CheckpointStore} keeps the full text
 * at some revisions, so the text at revision N is the nearest checkpoint at or below N plus a short
 * replay. The database's keys refuse a second op at a revision and a resubmitted {@code (client,
 * seq)}, whatever the application does; every failure a caller can act on is its own {@link
 * dev.tandem.persistence.PersistenceException} subclass, and no {@code SQLException} leaks.
 */
package dev.tandem.persistence;
