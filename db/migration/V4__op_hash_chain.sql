-- Tamper-evident history: every op stores the hash of the history up to it, chained to the one
-- before, so that changing, removing or reordering a stored op changes every hash after it.
--
--   hash(N) = hex(SHA-256(UTF-8(hash(N-1) || '\n' || N || '\n' || client_id || '\n' || client_seq
--                               || '\n' || user_id || '\n' || op)))
--   hash(0) = the SHA-256 of the initial text (the checkpoint at revision 0)
--
-- op is the stored wire JSON; ids hold no control characters and the JSON no raw line break, so
-- the line breaks separate the fields unambiguously. The document id and the time are left out:
-- a document imported under another id keeps its chain. dev.tandem.persistence.HistoryChain is the
-- same function in Java (OpLog computes it in the group commit, verify recomputes it);
-- tandem_chain_hash here only upgrades data written before this migration.
--
-- documents.head_hash is the hash at the head: OpLog's append advances it with the head (a
-- compare-and-set on both). checkpoints.chain is the hash at the checkpoint's revision, so a replay
-- that starts at a checkpoint can check the ops after it without the ops before it.

CREATE FUNCTION tandem_chain_hash(
    previous text, rev bigint, client_id text, client_seq bigint, user_id text, op text)
RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT encode(sha256(convert_to(previous || E'\n' || rev || E'\n' || client_id || E'\n'
                                  || client_seq || E'\n' || user_id || E'\n' || op, 'UTF8')), 'hex')
$$;

ALTER TABLE documents ADD COLUMN head_hash text;
ALTER TABLE operations ADD COLUMN hash text;
ALTER TABLE checkpoints ADD COLUMN chain text;

-- Backfill, one document at a time, in revision order (operations may hold ops of a document
-- whose row is gone: operations has no foreign key since V3; they get a chain from zeros).
DO $$
DECLARE
  doc text;
  h text;
  revs bigint[];
  hashes text[];
  r record;
BEGIN
  FOR doc IN SELECT id FROM documents UNION SELECT DISTINCT doc_id FROM operations LOOP
    SELECT sha256 INTO h FROM checkpoints WHERE doc_id = doc AND rev = 0;
    h := coalesce(h, repeat('0', 64));
    revs := '{}';
    hashes := '{}';
    FOR r IN
      SELECT rev, op, client_id, client_seq, user_id FROM operations WHERE doc_id = doc ORDER BY rev
    LOOP
      h := tandem_chain_hash(h, r.rev, r.client_id, r.client_seq, r.user_id, r.op);
      revs := revs || r.rev;
      hashes := hashes || h;
    END LOOP;
    UPDATE operations p SET hash = u.hash
      FROM unnest(revs, hashes) AS u(rev, hash)
      WHERE p.doc_id = doc AND p.rev = u.rev;
    UPDATE documents SET head_hash = h WHERE id = doc;
  END LOOP;
  UPDATE checkpoints c SET chain = coalesce(
    CASE WHEN c.rev = 0 THEN c.sha256
         ELSE (SELECT op.hash FROM operations op WHERE op.doc_id = c.doc_id AND op.rev = c.rev) END,
    repeat('0', 64));
END
$$;

ALTER TABLE documents ALTER COLUMN head_hash SET NOT NULL,
  ADD CONSTRAINT documents_head_hash_check CHECK (char_length(head_hash) = 64);
ALTER TABLE operations ALTER COLUMN hash SET NOT NULL,
  ADD CONSTRAINT operations_hash_check CHECK (char_length(hash) = 64);
ALTER TABLE checkpoints ALTER COLUMN chain SET NOT NULL,
  ADD CONSTRAINT checkpoints_chain_check CHECK (chain ~ '^[0-9a-f]{64}$');
