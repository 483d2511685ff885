package dev.rollout.security;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How long a verified API token may be trusted without asking the database again ({@link TokenCache}).
 * {@code ttl} is the bound within which a token revoked (or rotated) on another instance stops working
 * here; on the instance that revokes it, it stops at once. At most {@link TokenCache#MAX_TTL}.
 */
@ConfigMapping(prefix = "rollout.auth-cache")
public interface AuthCacheConfig {

    /** How long a verified token is trusted from the moment it was read; 0 turns the cache off. */
    @WithDefault("2s")
    Duration ttl();

    /** At most this many verified tokens are kept (the cache is emptied when it would grow past it). */
    @WithDefault("10000")
    int maxEntries();

    /** At most this many unknown or inactive token hashes are remembered, for the same {@code ttl}. */
    @WithDefault("10000")
    int maxUnknown();
}
