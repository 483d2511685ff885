package dev.rollout.audit;

/** What an audit entry records; the wire name is the lower-case name. */
public enum AuditAction {
    /** An API token was created: details name, role, targets, expiresAt. */
    TOKEN_CREATED,
    /** An API token was revoked: details name, role, targets. */
    TOKEN_REVOKED,
    /** The configured bootstrap admin token was stored for the first time. */
    BOOTSTRAP_TOKEN_STORED,
    /** A different bootstrap value was configured and replaced the stored one (details.active says if it works). */
    BOOTSTRAP_TOKEN_CHANGED,
    /** A different bootstrap value was configured with the reactivation setting: the revoked token works again. */
    BOOTSTRAP_TOKEN_REACTIVATED,
    /** The service started with a configuration different from the one it last started with. */
    CONFIGURATION_CHANGED,
    /** A freeze was created: details name, from, until, targets (left out: every target). */
    FREEZE_CREATED,
    /** A freeze was lifted: details as when it was created. */
    FREEZE_LIFTED;

    public String wireName() {
        return name().toLowerCase();
    }

    /** Entries that become annotations too (the {@code audit_annotation} view of migration V15 lists the same). */
    public boolean annotated() {
        return this == FREEZE_CREATED || this == FREEZE_LIFTED;
    }
}
