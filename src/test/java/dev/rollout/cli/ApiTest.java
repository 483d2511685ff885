package dev.rollout.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** What the client reads off the wire: event streams and paging links. */
class ApiTest {

    @Test
    void eventsAreReadWholeAndKeepAlivesSkipped() throws Exception {
        String wire = ": keep-alive\n\nid: 7\nevent: step\ndata: {\"seq\":7,\ndata: \"action\":\"step\"}\n\n"
                + ":\nretry: 1000\nid: 8\nevent: paused\ndata:{\"seq\":8}\n\n";
        try (Api.EventStream stream = new Api.EventStream(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)))) {
            Api.Event first = stream.next();
            assertEquals(new Api.Event("7", "step", "{\"seq\":7,\n\"action\":\"step\"}"), first);
            assertEquals(new Api.Event("8", "paused", "{\"seq\":8}"), stream.next());
            assertNull(stream.next(), "the server closed the stream");
        }
    }

    @Test
    void aStreamThatGoesSilentFailsSoTheWatchReconnects() throws Exception {
        java.io.PipedOutputStream server = new java.io.PipedOutputStream();
        java.io.PipedInputStream wire = new java.io.PipedInputStream(server);
        server.write("id: 1\nevent: step\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
        server.flush();
        long start = System.nanoTime();
        try (Api.EventStream stream = new Api.EventStream(wire, java.time.Duration.ofMillis(300))) {
            assertEquals("1", stream.next().id());
            java.io.IOException silent = assertThrows(java.io.IOException.class, stream::next);
            assertTrue(silent.getMessage().contains("nothing heard"), silent.getMessage());
        }
        assertTrue(System.nanoTime() - start < java.time.Duration.ofSeconds(10).toNanos());
        assertTrue(!Thread.currentThread().isInterrupted(), "the reader is left able to wait and reconnect");
    }

    @Test
    void nextPagesAreFollowedOnlyOnTheSameServer() throws Exception {
        Api api = api("http://127.0.0.1:8080/");
        assertEquals("/rollouts?state=PAUSED&after=abc", api.nextPage(link("</api/v1/rollouts?state=PAUSED&after=abc>; rel=\"next\"")));
        assertEquals("/plans?after=x", api.nextPage(link("<http://127.0.0.1:8080/api/v1/plans?after=x>; rel=\"next\"")));
        assertNull(api.nextPage(HttpHeaders.of(Map.of(), (a, b) -> true)));
        Api.Failure elsewhere = assertThrows(Api.Failure.class,
                () -> api.nextPage(link("<http://attacker.example/api/v1/plans?after=x>; rel=\"next\"")));
        assertTrue(elsewhere.getMessage().contains("another server"), elsewhere.getMessage());
    }

    @Test
    void theApiRootIsAcceptedAsTheAddress() throws Exception {
        assertEquals("http://127.0.0.1:8080", api("http://127.0.0.1:8080/api/v1/").address());
        Api behindAProxy = api("https://ops.example/rollout");
        assertEquals("https://ops.example/rollout", behindAProxy.address());
        assertEquals("/rollouts?after=1", behindAProxy.nextPage(link("</rollout/api/v1/rollouts?after=1>; rel=next")));
    }

    private static Api api(String url) throws Args.UsageException {
        return Api.fromEnvironment(Map.of("ROLLOUT_URL", url, "ROLLOUT_TOKEN", "rt_test"), new ObjectMapper());
    }

    private static HttpHeaders link(String value) {
        return HttpHeaders.of(Map.of("Link", List.of(value)), (a, b) -> true);
    }
}
