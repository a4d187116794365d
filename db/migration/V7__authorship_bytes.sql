-- A checkpoint's authorship (V5's three arrays) as one bytea, Authorship.encode's format:
--   version byte 1; varint count of users, each a varint byte length and its UTF-8; varint count
--   of runs, each three varints: user (0 = unknown, i = the i-th user), revision, length.
-- Varints are unsigned LEB128 (7 bits a byte, low first). Why: the arrays of a long text (one run
-- per code point, 150,000 with typists 500) cost PostgreSQL about 0.4 s to parse on write and
-- 0.2 s to print on read, the driver as much again, and the bytes take 0.02 s each way
-- (docs/performance.md). Existing arrays are converted here, in that format.
CREATE FUNCTION pg_temp.tandem_varint(v bigint) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  out bytea := '';
BEGIN
  WHILE v >= 128 LOOP
    out := out || set_byte('\x00'::bytea, 0, ((v & 127) | 128)::int);
    v := v >> 7;
  END LOOP;
  RETURN out || set_byte('\x00'::bytea, 0, v::int);
END
$$;

ALTER TABLE checkpoints ADD COLUMN authorship bytea;

UPDATE checkpoints c SET authorship = (
  WITH runs AS (
    SELECT t.u, t.r, t.l, t.i
    FROM unnest(c.author_users, c.author_revs, c.author_lengths) WITH ORDINALITY AS t(u, r, l, i)
  ), users AS (
    SELECT u, row_number() OVER (ORDER BY min(i)) AS idx FROM runs WHERE u IS NOT NULL GROUP BY u
  )
  SELECT '\x01'::bytea
    || pg_temp.tandem_varint((SELECT count(*) FROM users))
    || coalesce((SELECT string_agg(pg_temp.tandem_varint(octet_length(convert_to(u, 'UTF8')))
                                     || convert_to(u, 'UTF8'), ''::bytea ORDER BY idx)
                 FROM users), '')
    || pg_temp.tandem_varint((SELECT count(*) FROM runs))
    || coalesce((SELECT string_agg(pg_temp.tandem_varint(coalesce(users.idx, 0))
                                     || pg_temp.tandem_varint(runs.r)
                                     || pg_temp.tandem_varint(runs.l), ''::bytea ORDER BY runs.i)
                 FROM runs LEFT JOIN users ON users.u = runs.u), '')
)
WHERE author_users IS NOT NULL;

ALTER TABLE checkpoints
  DROP CONSTRAINT checkpoints_authors_check,
  DROP COLUMN author_users,
  DROP COLUMN author_revs,
  DROP COLUMN author_lengths;

DROP FUNCTION pg_temp.tandem_varint(bigint);
