package dev.rollout.rollout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Which live member watches a rollout: the one with the highest score for the pair (rendezvous hashing).
 * Every member computes the same answer from the same member list, with no leader and no claims; when a
 * member leaves, only its own rollouts move, spread over the others. Members that briefly disagree about
 * who is live may both look at a rollout in one tick, which is safe: every action is taken under the
 * rollout's lock and only on the version that was evaluated.
 */
public final class Ownership {

    private Ownership() {}

    public static boolean owns(String member, List<String> live, UUID rollout) {
        if (live.isEmpty()) {
            return true; // nobody else is known: watch everything rather than nothing
        }
        String best = null;
        long bestScore = Long.MIN_VALUE;
        for (String candidate : live) {
            long score = score(candidate, rollout);
            if (best == null || score > bestScore || score == bestScore && candidate.compareTo(best) < 0) {
                best = candidate;
                bestScore = score;
            }
        }
        return member.equals(best);
    }

    /** A well-mixed 64-bit score of (member, rollout): FNV-1a over the member, then a SplitMix64 finaliser. */
    static long score(String member, UUID rollout) {
        long h = 0xcbf29ce484222325L;
        for (byte b : member.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001b3L;
        }
        h ^= rollout.getMostSignificantBits();
        h = mix(h) ^ rollout.getLeastSignificantBits();
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
