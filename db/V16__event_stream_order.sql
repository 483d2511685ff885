-- Event streams read deployment_state in seq order up to a horizon below every transaction still in flight
-- (dev.rollout.stream.FeedRules). That horizon is exact only if a transaction has its transaction id before it
-- takes a seq: a reader that sees the sequence at N then knows every holder of a seq up to N among the
-- transactions its next snapshot lists. pg_current_xact_id() assigns the id when the transaction has none yet
-- (most appends already have one, from the change the event describes); nextval() then takes the seq.
CREATE FUNCTION deployment_state_next_seq() RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_current_xact_id();
    RETURN nextval('deployment_state_seq_seq'::regclass);
END
$$;

ALTER TABLE deployment_state ALTER COLUMN seq SET DEFAULT deployment_state_next_seq();
