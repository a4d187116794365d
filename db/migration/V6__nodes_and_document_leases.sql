-- Several Tandem nodes on one database (docs/scaling.md). Each node registers itself in nodes and
-- heartbeats: expires_at is the database's clock at the last heartbeat plus the node's dead
-- timeout, so every node judges liveness by one clock and by the owner's own timeout.
CREATE TABLE nodes (
  id text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 64),
  advertise_url text NOT NULL CHECK (char_length(advertise_url) BETWEEN 1 AND 2000),
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- A document's lease lives on its own row, so the group commit's compare-and-set on the head
-- (OpLog's append) checks the epoch in the same row lock: a node whose lease was taken over (the
-- epoch moved on) stores nothing, whenever it wakes up. Every acquisition adds one to the epoch;
-- a renewal is the owner's heartbeat (the lease is valid while its owner's expires_at is ahead).
-- lease_owner is NULL when nobody holds it (never taken, released at a graceful shutdown).
ALTER TABLE documents
  ADD COLUMN lease_owner text,
  ADD COLUMN lease_epoch bigint NOT NULL DEFAULT 0;
