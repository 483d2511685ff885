package dev.rollout.security;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Optional single sign-on: JWT bearer tokens from an OIDC issuer. Off unless {@code rollout.jwt.issuer}
 * is set; then {@code audience} and one of {@code public-key-file} (PEM) or {@code jwks-file} are required.
 */
@ConfigMapping(prefix = "rollout.jwt")
public interface JwtConfig {

    /** The exact {@code iss} accepted. */
    Optional<String> issuer();

    /** An {@code aud} value that must be present. */
    Optional<String> audience();

    /** The claim holding the role(s): a string or an array of strings; a dotted path reaches into objects. */
    @WithDefault("roles")
    String roleClaim();

    /**
     * Only role values with this prefix are this service's roles ({@code rollout:admin} is admin here), so
     * a realm-wide {@code admin} meant for another application is no role here.
     */
    @WithDefault("rollout:")
    String rolePrefix();

    /**
     * Also read bare role names ({@code admin}). Only for a role claim the identity provider fills for this
     * service alone (e.g. a client role); never for a realm-wide claim.
     */
    @WithDefault("false")
    boolean bareRoles();

    /**
     * The claim that limits a JWT to targets: a string or an array of patterns ({@code payments-*}), as a
     * token's {@code targets}; a dotted path reaches into objects. Without the claim: every target.
     */
    @WithDefault("rollout_targets")
    String targetsClaim();

    /** The issuer's public key (RSA or EC), PEM "PUBLIC KEY". */
    Optional<String> publicKeyFile();

    /** The issuer's JSON Web Key Set, as a file (kept up to date by whoever deploys the service). */
    Optional<String> jwksFile();

    /** Tolerated difference between the issuer's clock and ours for exp/nbf/iat. */
    @WithDefault("30s")
    Duration clockSkew();
}
