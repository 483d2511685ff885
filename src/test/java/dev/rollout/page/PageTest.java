package dev.rollout.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.rollout.problem.ApiProblem;

/** Pages and cursors, with no database and no HTTP. */
class PageTest {

    private static final PageRequest TWO = new PageRequest(2, null, 0);

    @Test
    void aPageKeepsTheLimitAndPointsPastItsLastItem() {
        Page<String> page = Page.of(List.of("a", "b", "c"), TWO, s -> s);
        assertEquals(List.of("a", "b"), page.items());
        assertEquals("b", page.next());
        Page<String> last = Page.of(List.of("a", "b"), TWO, s -> s);
        assertEquals(List.of("a", "b"), last.items());
        assertNull(last.next(), "exactly the limit left: no next page");
        assertNull(Page.of(List.<String>of(), TWO, s -> s).next());
        assertEquals(List.of(1, 1), page.map(String::length).items());
        assertEquals("b", page.map(String::length).next());
    }

    @Test
    void cursorsRoundTripAnyText() {
        Instant at = Instant.parse("2026-11-28T18:40:17.123456Z");
        UUID id = UUID.randomUUID();
        Cursor cursor = Cursor.decode(Cursor.encode(at, id), 2);
        assertEquals(at, cursor.instant(0));
        assertEquals(id, cursor.uuid(1));
        String odd = "a.b/c?d=e&f é \"";
        assertEquals(odd, Cursor.decode(Cursor.encode(odd), 1).text(0));
        assertEquals(42, Cursor.decode(Cursor.encode(42), 1).integer(0));
    }

    @Test
    void foreignOrDamagedCursorsAreBadRequests() {
        String plan = Cursor.encode("plan-a");
        String rollout = Cursor.encode(Instant.now(), UUID.randomUUID());
        for (Runnable bad : List.<Runnable>of(
                () -> Cursor.decode(plan, 2),
                () -> Cursor.decode(rollout, 1),
                () -> Cursor.decode("", 1),
                () -> Cursor.decode("!!", 1),
                () -> Cursor.decode("a".repeat(513), 1),
                () -> Cursor.decode(plan + "." + plan, 2).instant(0),
                () -> Cursor.decode(plan + "." + plan, 2).uuid(1),
                () -> Cursor.decode(plan, 1).integer(0))) {
            ApiProblem problem = assertThrows(ApiProblem.class, bad::run);
            assertEquals(400, problem.status());
        }
    }
}
