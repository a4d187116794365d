-- Tandem storage: the op log of every document and its checkpoints.
--
-- The keys are the last line of defence of the sequencer's invariants: whatever the application
-- does, the database refuses a second op at a revision (operations_pkey) and a second op with the
-- same (client, seq) in a document (operations_client_seq_key).
--
-- Ids are text of 1-200 characters (client ids 1-64, as the wire protocol says) without control
-- characters. An op is stored as its wire JSON ([5, "hi", -3, 10]) in a text column: the database
-- never looks inside an op, text keeps exactly the canonical form OperationJson wrote, and it
-- skips jsonb's parse and re-encode on every insert and read. Lengths count code points, but the
-- database checks only lengths of ids; the OT algebra checks ops before they get here.

CREATE TABLE documents (
  id         text        NOT NULL,
  head_rev   bigint      NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT documents_pkey PRIMARY KEY (id),
  CONSTRAINT documents_id_check CHECK (char_length(id) BETWEEN 1 AND 200 AND id !~ '[[:cntrl:]]'),
  CONSTRAINT documents_head_rev_check CHECK (head_rev >= 0)
);

CREATE TABLE operations (
  doc_id     text        NOT NULL,
  rev        bigint      NOT NULL,
  op         text        NOT NULL,
  client_id  text        NOT NULL,
  client_seq bigint      NOT NULL,
  user_id    text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT operations_pkey PRIMARY KEY (doc_id, rev),
  CONSTRAINT operations_client_seq_key UNIQUE (doc_id, client_id, client_seq),
  CONSTRAINT operations_doc_fkey FOREIGN KEY (doc_id) REFERENCES documents (id) ON DELETE CASCADE,
  CONSTRAINT operations_rev_check CHECK (rev > 0),
  CONSTRAINT operations_op_check CHECK (left(op, 1) = '[' AND right(op, 1) = ']'),
  CONSTRAINT operations_client_id_check
    CHECK (char_length(client_id) BETWEEN 1 AND 64 AND client_id !~ '[[:cntrl:]]'),
  CONSTRAINT operations_client_seq_check CHECK (client_seq >= 0),
  CONSTRAINT operations_user_id_check
    CHECK (char_length(user_id) BETWEEN 1 AND 200 AND user_id !~ '[[:cntrl:]]')
);

CREATE TABLE checkpoints (
  doc_id     text        NOT NULL,
  rev        bigint      NOT NULL,
  content    text        NOT NULL,
  sha256     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT checkpoints_pkey PRIMARY KEY (doc_id, rev),
  CONSTRAINT checkpoints_doc_fkey FOREIGN KEY (doc_id) REFERENCES documents (id) ON DELETE CASCADE,
  CONSTRAINT checkpoints_rev_check CHECK (rev >= 0),
  CONSTRAINT checkpoints_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$')
);

