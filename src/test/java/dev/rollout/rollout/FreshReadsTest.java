package dev.rollout.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

/** Batched reads never answer a request with a read sent before it arrived. */
class FreshReadsTest {

    record Row(UUID id, int version) {
    }

    /** Reads the test answers by hand: each holds the ids it asked for and its pending answer. */
    private final List<UUID[]> sent = new ArrayList<>();
    private final List<CompletableFuture<List<Row>>> answers = new ArrayList<>();
    private final FreshReads<Row> reads = new FreshReads<>(ids -> {
        sent.add(ids);
        CompletableFuture<List<Row>> answer = new CompletableFuture<>();
        answers.add(answer);
        return Uni.createFrom().completionStage(answer);
    }, Row::id);

    @Test
    void aRequestArrivingWhileAReadIsOnItsWayWaitsForTheNextOne() {
        UUID id = UUID.randomUUID();
        CompletableFuture<Row> first = reads.read(id).subscribeAsCompletionStage();
        assertEquals(1, sent.size());
        // A change commits, then a second request for the same row arrives while the first read is out.
        CompletableFuture<Row> second = reads.read(id).subscribeAsCompletionStage();
        assertEquals(1, sent.size(), "one read on its way at a time");
        answers.get(0).complete(List.of(new Row(id, 1)));
        assertEquals(1, first.join().version());
        assertFalse(second.isDone(), "the read sent before it arrived does not answer it");
        assertEquals(2, sent.size());
        answers.get(1).complete(List.of(new Row(id, 2)));
        assertEquals(2, second.join().version());
    }

    @Test
    void requestsWaitingTogetherShareOneRead() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID missing = UUID.randomUUID();
        reads.read(UUID.randomUUID()).subscribeAsCompletionStage(); // keeps the first read on its way
        List<CompletableFuture<Row>> waiting = List.of(reads.read(a).subscribeAsCompletionStage(),
                reads.read(a).subscribeAsCompletionStage(), reads.read(b).subscribeAsCompletionStage(),
                reads.read(missing).subscribeAsCompletionStage());
        answers.get(0).complete(List.of());
        assertEquals(2, sent.size());
        assertEquals(Set.of(a, b, missing), Set.copyOf(Arrays.asList(sent.get(1))), "each id once, one statement");
        answers.get(1).complete(List.of(new Row(a, 7), new Row(b, 8)));
        assertEquals(7, waiting.get(0).join().version());
        assertEquals(7, waiting.get(1).join().version());
        assertEquals(8, waiting.get(2).join().version());
        assertNull(waiting.get(3).join(), "no such row");
        assertEquals(2, sent.size(), "nothing left to read");
    }

    @Test
    void aFailedReadFailsItsRequestsAndTheNextReadIsSent() {
        UUID id = UUID.randomUUID();
        CompletableFuture<Row> first = reads.read(id).subscribeAsCompletionStage();
        CompletableFuture<Row> second = reads.read(id).subscribeAsCompletionStage();
        answers.get(0).completeExceptionally(new IllegalStateException("connection closed"));
        assertTrue(first.isCompletedExceptionally());
        assertEquals(2, sent.size());
        answers.get(1).complete(List.of(new Row(id, 3)));
        assertEquals(3, second.join().version());
    }
}
