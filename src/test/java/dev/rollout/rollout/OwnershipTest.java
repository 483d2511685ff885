package dev.rollout.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class OwnershipTest {

    private static final List<String> MEMBERS = List.of("a:1/0f0f0f0f", "b:2/1e1e1e1e", "c:3/2d2d2d2d");

    private static List<UUID> rollouts(int n) {
        Random random = new Random(42);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()));
        }
        return ids;
    }

    private static String owner(List<String> live, UUID rollout) {
        List<String> owners = live.stream().filter(m -> Ownership.owns(m, live, rollout)).toList();
        assertEquals(1, owners.size(), "exactly one owner of " + rollout + ": " + owners);
        return owners.get(0);
    }

    @Test
    void everyRolloutHasExactlyOneOwnerAndTheShareIsEven() {
        Map<String, Integer> share = new HashMap<>();
        for (UUID id : rollouts(30_000)) {
            share.merge(owner(MEMBERS, id), 1, Integer::sum);
        }
        for (String member : MEMBERS) {
            int count = share.getOrDefault(member, 0);
            assertTrue(count > 9_000 && count < 11_000, member + " owns " + count + " of 30000: " + share);
        }
    }

    @Test
    void whenAMemberLeavesOnlyItsRolloutsMove() {
        List<String> survivors = MEMBERS.subList(0, 2);
        for (UUID id : rollouts(10_000)) {
            String before = owner(MEMBERS, id);
            String after = owner(survivors, id);
            if (!before.equals(MEMBERS.get(2))) {
                assertEquals(before, after, "a survivor's rollout moved: " + id);
            }
        }
    }

    @Test
    void aMemberThatKnowsNoOneWatchesEverything() {
        assertTrue(Ownership.owns("alone", List.of(), UUID.randomUUID()));
    }
}
