-- The audit log: changes that are not about one rollout (API tokens, the bootstrap token, the service's
-- configuration; freezes later), with who, what, why and the database time. Append-only like
-- deployment_state: the database itself refuses UPDATE, DELETE and TRUNCATE. details never holds a
-- secret or a hash of one.
CREATE TABLE audit_log (
    seq     bigserial   PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT statement_timestamp(),
    actor   text        NOT NULL,
    action  text        NOT NULL CHECK (action ~ '^[a-z][a-z_]{0,62}$'),
    reason  text,
    details jsonb       NOT NULL DEFAULT '{}'
);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- A token may be limited to targets: patterns where '*' matches any run of characters. NULL: every target.
ALTER TABLE api_token ADD COLUMN targets text[]
    CHECK (targets IS NULL OR cardinality(targets) BETWEEN 1 AND 32);

-- The controller's own actor names can no longer be token names. A token that took one before is revoked
-- here, on the record, so that the history's "controller" always means the controller.
INSERT INTO audit_log (actor, action, reason, details)
SELECT 'controller', 'token_revoked', 'the name is reserved for the controller''s own actions',
       jsonb_build_object('name', name, 'role', role)
FROM api_token
WHERE (lower(name) IN ('controller', 'configuration', 'anonymous')
       OR (lower(name) = 'bootstrap-admin' AND name <> 'bootstrap-admin'))
  AND revoked_at IS NULL;

UPDATE api_token SET revoked_at = statement_timestamp(), revoked_by = 'controller'
WHERE (lower(name) IN ('controller', 'configuration', 'anonymous')
       OR (lower(name) = 'bootstrap-admin' AND name <> 'bootstrap-admin'))
  AND revoked_at IS NULL;
