-- The foreign key from operations to documents cost more than half of a group commit's time in
-- the database (PostgreSQL checks it row by row: about 20-40 microseconds per op, measured on a
-- 100-op append, against about 15 for the insert itself). It guarded nothing OpLog can break:
-- the append statement inserts the ops of a document only after its UPDATE found and locked that
-- document's row (the head compare-and-set), and the lock holds until the commit. Documents are
-- never deleted by Tandem; a tool that deletes one must delete its operations too.
-- Checkpoints, written rarely, keep their foreign key.
ALTER TABLE operations DROP CONSTRAINT operations_doc_fkey;
