-- OpLog appends a whole batch in one autocommitted statement (one round trip, one commit). Its
-- UPDATE advances each document's head from first - 1 (a compare-and-set); this function makes the
-- statement fail, and so store nothing, unless every document of the batch advanced.
CREATE FUNCTION tandem_require_heads_advanced(advanced bigint, expected bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  IF advanced <> expected THEN
    RAISE EXCEPTION 'append refused: % of % documents were at the expected head', advanced, expected
      USING ERRCODE = 'TD001';
  END IF;
  RETURN advanced;
END
$$;
