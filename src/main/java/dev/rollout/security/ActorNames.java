package dev.rollout.security;

import java.util.Locale;
import java.util.Set;

/**
 * Names the service itself writes as the actor of what it does, which no API token may take: so
 * {@code controller} in a history or audit entry always means the controller. Compared without regard to
 * case, so that {@code Controller} cannot pass for it in a view that lowercases. JWT actors cannot collide
 * with any of these or with token names: they always contain {@code @} ({@code <subject>@<issuer host>}),
 * which a token name cannot.
 */
public final class ActorNames {

    /** The watch's moves, and corrections the service makes itself (the history's {@code controller}). */
    public static final String CONTROLLER = "controller";
    /** What the service's configuration did: the bootstrap token stored from it, a changed configuration. */
    public static final String CONFIGURATION = "configuration";
    /** The stored name of the configured bootstrap admin token. */
    public static final String BOOTSTRAP_ADMIN = "bootstrap-admin";

    private static final Set<String> RESERVED = Set.of(CONTROLLER, CONFIGURATION, BOOTSTRAP_ADMIN,
            CurrentActor.ANONYMOUS);

    private ActorNames() {}

    public static boolean reserved(String name) {
        return name != null && RESERVED.contains(name.toLowerCase(Locale.ROOT));
    }

    /** The reserved names, for messages. */
    public static Set<String> all() {
        return RESERVED;
    }
}
