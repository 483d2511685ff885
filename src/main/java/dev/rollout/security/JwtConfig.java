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

    /** The issuer's public key (RSA or EC), PEM "PUBLIC KEY". */
    Optional<String> publicKeyFile();

    /** The issuer's JSON Web Key Set, as a file (kept up to date by whoever deploys the service). */
    Optional<String> jwksFile();

    /** Tolerated difference between the issuer's clock and ours for exp/nbf/iat. */
    @WithDefault("30s")
    Duration clockSkew();
}
