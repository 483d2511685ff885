-- Paging (GET /rollouts, newest first): the list is read in (started_at, id) order from a cursor, so an index in
-- that order serves every page without sorting the whole table.
CREATE INDEX rollout_newest_first ON rollout (started_at DESC, id DESC);

-- Least privilege needs no migration: when ROLLOUT_DB_OWNER_USER is set, the owner grants the runtime role its
-- privileges after every migrate (afterMigrate callback; see RuntimeGrants for the list of append-only tables),
-- so tables created by this and later migrations are covered without a GRANT in each file.
