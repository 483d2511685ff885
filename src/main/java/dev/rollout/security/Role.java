package dev.rollout.security;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a caller may do. Roles are ordered: each one may do everything the ones before it may.
 * The JSON and database spelling is the lower-case name.
 */
public enum Role {
    /** Reads everything. */
    VIEWER,
    /** Also asks a rollout to advance: what a deploy script holds. */
    DEPLOYER,
    /** Also creates plans, starts, pauses, resumes, rolls back and aborts rollouts. */
    OPERATOR,
    /** Also manages credentials and may override the dwell (and gates) with a reason. */
    ADMIN;

    public boolean includes(Role required) {
        return compareTo(required) >= 0;
    }

    public String wireName() {
        return name().toLowerCase();
    }

    public static Optional<Role> fromWire(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(name)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(Role::wireName).toList();
    }
}
