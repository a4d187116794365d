-- Pruning, and the indexes of the history queries.
--
-- Pruning a document before revision P (Archive.prune) deletes its ops 1..P and its checkpoints
-- below P; its history then starts at the checkpoint at P, which keeps the chain hash at P, so a
-- verify starts there. The first checkpoint's revision is where a document's history starts (0
-- until it is pruned); revisions below it answer `gone`.
--
-- pruned_clients keeps, for every client whose ops were pruned, its highest seq among them (and
-- that op's revision and user): the key operations_client_seq_key no longer sees those ops, and a
-- resubmit of one of them must still be recognised as a duplicate, never applied again. Seqs only
-- increase per client, so one row per client and document says it all.

CREATE TABLE pruned_clients (
  doc_id    text   NOT NULL,
  client_id text   NOT NULL,
  seq       bigint NOT NULL,
  rev       bigint NOT NULL,
  user_id   text   NOT NULL,
  CONSTRAINT pruned_clients_pkey PRIMARY KEY (doc_id, client_id),
  CONSTRAINT pruned_clients_doc_fkey FOREIGN KEY (doc_id) REFERENCES documents (id) ON DELETE CASCADE,
  CONSTRAINT pruned_clients_seq_check CHECK (seq >= 0),
  CONSTRAINT pruned_clients_rev_check CHECK (rev > 0)
);

-- The text at a time (?at=): the last op committed at or before it is one index probe from the
-- end of the document's range, instead of a scan of its ops.
CREATE INDEX operations_doc_time_idx ON operations (doc_id, created_at, rev);

-- Blame: the authorship of the text at a checkpoint, as runs of code points last inserted by one
-- op (three arrays of one entry per run: user, revision, length; user null for text whose author
-- the history does not know, as the initial text's), so that the authorship at any revision is the
-- nearest checkpoint's plus a short replay. Null where it was not computed (checkpoints written
-- before this migration): blame then starts from an earlier checkpoint.
ALTER TABLE checkpoints
  ADD COLUMN author_users text[],
  ADD COLUMN author_revs bigint[],
  ADD COLUMN author_lengths integer[],
  ADD CONSTRAINT checkpoints_authors_check CHECK (
    (author_users IS NULL AND author_revs IS NULL AND author_lengths IS NULL)
    OR (cardinality(author_users) = cardinality(author_revs)
        AND cardinality(author_revs) = cardinality(author_lengths)));
