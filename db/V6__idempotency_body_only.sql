-- An idempotent call's first answer is kept as its body alone; the resource that replays it knows the
-- status and headers of its own answers. A row with no body is a claim still in its transaction.
ALTER TABLE idempotency_record DROP COLUMN status;
ALTER TABLE idempotency_record DROP COLUMN location;
