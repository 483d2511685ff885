package dev.rollout.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rollout.problem.ApiProblem;

/** The horizon of the event feed: never past a seq that may still commit. */
class FeedRulesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long SECOND = 1_000_000_000L;

    private final Map<Long, FeedRules.Missing> missing = new HashMap<>();
    private final List<Long> givenUp = new ArrayList<>();

    private long advance(long horizon, long last, long[] seqs, boolean complete, long xmin, long idBound, long now) {
        return FeedRules.advance(horizon, last, seqs, complete, xmin, idBound, missing, now, TIMEOUT, givenUp);
    }

    @Test
    void visibleSeqsWithoutGapsMoveTheHorizonToTheLastOne() {
        assertEquals(13, advance(10, 13, new long[] {11, 12, 13}, true, 100, 105, 0));
        assertTrue(missing.isEmpty());
    }

    @Test
    void aMissingSeqStopsTheHorizonUntilEveryTransactionThatCouldHoldItHasEnded() {
        // 12 is missing while transactions 100..104 may be in flight
        assertEquals(11, advance(10, 13, new long[] {11, 13}, true, 100, 105, 0));
        assertEquals(105, missing.get(12L).idBound());
        // later: 12 committed and is visible
        assertEquals(13, advance(11, 13, new long[] {12, 13}, true, 103, 107, SECOND));
        assertTrue(missing.isEmpty());
    }

    @Test
    void aMissingSeqIsPassedOnceTheOldestTransactionInFlightIsNewerThanAnyThatCouldHoldIt() {
        assertEquals(11, advance(10, 13, new long[] {11, 13}, true, 100, 105, 0));
        // transactions below 105 still in flight (xmin 104): 12 may still come
        assertEquals(11, advance(11, 14, new long[] {13, 14}, true, 104, 110, SECOND));
        assertEquals(105, missing.get(12L).idBound(), "the first observation counts, not the latest");
        // xmin 105: every transaction that could hold 12 has ended, and it is still not there: rolled back
        assertEquals(14, advance(11, 14, new long[] {13, 14}, true, 105, 110, 2 * SECOND));
        assertTrue(givenUp.isEmpty(), "settled, not given up");
        assertTrue(missing.isEmpty());
    }

    @Test
    void withNothingInFlightAMissingSeqIsSettledAtOnce() {
        assertEquals(13, advance(10, 13, new long[] {11, 13}, true, 105, 105, 0));
    }

    @Test
    void seqsTakenButNotYetVisibleAtTheEndHoldTheHorizonToo() {
        // the sequence is at 14, but only 11 is visible: 12..14 are in flight or rolled back
        assertEquals(11, advance(10, 14, new long[] {11}, true, 100, 105, 0));
        assertEquals(11, advance(11, 14, new long[] {}, true, 101, 106, SECOND));
        // all three were missed with the first snapshot, so they settle together
        assertEquals(14, advance(11, 14, new long[] {}, true, 105, 106, 2 * SECOND));
    }

    @Test
    void aReadCutShortByItsLimitMovesOnlyToItsLastRow() {
        assertEquals(12, advance(10, 20, new long[] {11, 12}, false, 100, 105, 0));
        assertTrue(missing.isEmpty(), "13..20 were not read, so not missed");
    }

    @Test
    void aSeqHeldLongerThanTheGapTimeoutIsGivenUp() {
        assertEquals(11, advance(10, 13, new long[] {11, 13}, true, 100, 105, 0));
        assertEquals(11, advance(11, 13, new long[] {13}, true, 100, 110, 59 * SECOND));
        assertEquals(13, advance(11, 13, new long[] {13}, true, 100, 110, 60 * SECOND));
        assertEquals(List.of(12L), givenUp);
    }

    @Test
    void lastEventIdIsASeqOrNothing() {
        assertNull(LastEventId.parse(null));
        assertNull(LastEventId.parse(" "));
        assertEquals(0L, LastEventId.parse("0"));
        assertEquals(42L, LastEventId.parse(" 42 "));
        for (String bad : List.of("-1", "abc", "1.5", "12 13", "9".repeat(19))) {
            ApiProblem problem = assertThrows(ApiProblem.class, () -> LastEventId.parse(bad), bad);
            assertEquals(400, problem.status());
        }
    }
}
