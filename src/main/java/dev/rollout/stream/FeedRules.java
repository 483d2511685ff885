package dev.rollout.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far the event feed may read the history in seq order without ever skipping a row that commits later.
 * A seq comes from a sequence when the row is inserted, so transactions commit out of seq order: after 11 and
 * 13 are visible, 12 may still be in flight (it will appear) or rolled back (it never will). The feed
 * advances its horizon over visible rows, and over a missing seq only once it is proven never to come:
 * <ul>
 * <li>when it is first missed, the reader has read the sequence's value at or above it (before it took the
 * bound), so the transaction that took it had its transaction id by then (db/V16: the id is assigned before
 * the seq) and that id is below the bound ({@code idBound}: the reader's own id, taken after, plus one);</li>
 * <li>once a later snapshot's {@code xmin} reaches that bound, every such transaction has ended, and a
 * read after that snapshot that still misses the seq proves it was rolled back;</li>
 * <li>after {@code gap-timeout} it is given up anyway, so one transaction left open cannot stall every
 * stream (the one case that can skip an event; it is logged).</li>
 * </ul>
 * No I/O: the feed reads, this decides.
 */
final class FeedRules {

    /**
     * A seq first missed at {@code firstMissedNanos}, when every transaction that could hold it had an id below
     * {@code idBound}.
     */
    record Missing(long idBound, long firstMissedNanos) {
    }

    private FeedRules() {
    }

    /**
     * The new horizon: every seq up to it is either among {@code seqs} (read after the snapshot) or proven
     * never to come. {@code seqs} are the visible seqs in {@code (horizon, last]}, ascending; {@code complete}
     * says the read was not cut short by its limit. {@code missing} carries what earlier reads missed; it is
     * updated (new misses recorded, settled ones dropped). Given up seqs are added to {@code givenUp}.
     */
    static long advance(long horizon, long last, long[] seqs, boolean complete, long xmin, long idBound,
            Map<Long, Missing> missing, long nowNanos, Duration gapTimeout, List<Long> givenUp) {
        long bound = complete || seqs.length == 0 ? last : seqs[seqs.length - 1];
        long stop = bound + 1; // the first seq that may still come
        List<Long> passed = new ArrayList<>();
        int i = 0;
        // Every missing seq of the range is noted now, with this snapshot, so that they all settle together.
        for (long seq = horizon + 1; seq <= bound; seq++) {
            if (i < seqs.length && seqs[i] == seq) {
                i++;
                continue;
            }
            Missing seen = missing.computeIfAbsent(seq, s -> new Missing(idBound, nowNanos));
            boolean settled = xmin >= seen.idBound();
            boolean timedOut = nowNanos - seen.firstMissedNanos() >= gapTimeout.toNanos();
            if (!settled && !timedOut) {
                stop = Math.min(stop, seq);
            } else if (!settled && seq < stop) {
                passed.add(seq);
            }
        }
        long limit = stop;
        passed.stream().filter(seq -> seq < limit).forEach(givenUp::add);
        long newHorizon = stop - 1;
        missing.keySet().removeIf(seq -> seq <= newHorizon);
        return newHorizon;
    }
}
