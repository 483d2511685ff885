package dev.rollout.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rollout.it.AppProcess;

/**
 * Benchmark, not a test: the watch at fleet scale. Run it with {@code deploy/bench/fleet}; every figure is
 * printed on a line starting with {@code fleet:}. Scenarios ({@code -Dbench.scenarios}, comma-separated):
 * <ul>
 * <li>{@code single}: {@code bench.rollouts} (10,000) rollouts on one instance at {@code -Xmx512m}: tick
 * figures, a violation of the plan of the rollout started last, then of {@code bench.runs - 1} other
 * plans, then of every rollout at once; heap, RSS, and the history (one violation, one pause each);</li>
 * <li>{@code big}: {@code bench.bigRollouts} (100,000) rollouts on one instance at {@code -Xmx1g}: tick
 * figures only;</li>
 * <li>{@code takeover}: {@code bench.rollouts} rollouts on three instances with a lease of
 * {@code bench.lease} (6 s); one is killed with SIGKILL; time until the survivors evaluate all of them
 * again; then every rollout violates, and the history is checked.</li>
 * </ul>
 * Other properties: {@code bench.plans} (100), {@code bench.interval} (2, seconds).
 */
class FleetBench {

    static final int PLANS = Integer.getInteger("bench.plans", 100);
    static final Duration INTERVAL = Duration.ofSeconds(Integer.getInteger("bench.interval", 2));
    static final Duration LEASE = Duration.ofSeconds(Integer.getInteger("bench.lease", 6));
    static final Duration BOUND = Duration.ofSeconds(Integer.getInteger("bench.bound", 300));

    @Test
    void fleet() throws Exception {
        List<String> scenarios = Arrays.asList(System.getProperty("bench.scenarios", "single,big,takeover").split(","));
        int rollouts = Integer.getInteger("bench.rollouts", 10_000);
        if (scenarios.contains("single")) {
            single(rollouts);
        }
        if (scenarios.contains("big")) {
            big(Integer.getInteger("bench.bigRollouts", 100_000));
        }
        if (scenarios.contains("takeover")) {
            takeover(rollouts);
        }
    }

    private static void single(int rollouts) throws Exception {
        FleetDriver.print("== single: %d rollouts, %d plans, one instance, interval %d s ==", rollouts, PLANS,
                INTERVAL.toSeconds());
        try (FleetDriver fleet = new FleetDriver("single", PLANS, INTERVAL)) {
            AppProcess app = fleet.start("single", List.of("-Xmx512m"), LEASE);
            fleet.createPlans(app);
            fleet.insertRollouts(rollouts);
            fleet.awaitFullTicks(rollouts, BOUND);
            fleet.measureTicks(INTERVAL.multipliedBy(6));
            String[] last = fleet.lastStarted();
            fleet.violations(rollouts, planOrder(Integer.parseInt(last[1]), Integer.getInteger("bench.runs", 3)),
                    last[0], BOUND);
            fleet.printResources();
        }
    }

    private static void big(int rollouts) throws Exception {
        FleetDriver.print("== big: %d rollouts, %d plans, one instance, interval %d s ==", rollouts, PLANS,
                INTERVAL.toSeconds());
        try (FleetDriver fleet = new FleetDriver("big", PLANS, INTERVAL)) {
            AppProcess app = fleet.start("big", List.of("-Xmx1g"), LEASE);
            fleet.createPlans(app);
            fleet.insertRollouts(rollouts);
            try {
                if (fleet.awaitFullTicks(rollouts, Duration.ofMinutes(15)) >= 0) {
                    fleet.measureTicks(Duration.ofSeconds(30));
                }
            } finally {
                fleet.printResources();
            }
        }
    }

    private static void takeover(int rollouts) throws Exception {
        FleetDriver.print("== takeover: %d rollouts, %d plans, three instances, interval %d s, lease %d s ==",
                rollouts, PLANS, INTERVAL.toSeconds(), LEASE.toSeconds());
        try (FleetDriver fleet = new FleetDriver("takeover", PLANS, INTERVAL)) {
            for (String name : List.of("watch-a", "watch-b", "watch-c")) {
                fleet.start(name, List.of("-Xmx512m"), LEASE);
            }
            fleet.createPlans(fleet.instance("watch-a"));
            fleet.insertRollouts(rollouts);
            fleet.awaitFullTicks(rollouts, BOUND);
            fleet.measureTicks(INTERVAL.multipliedBy(4));
            int before = fleet.watchedTotal();
            fleet.kill("watch-c");
            fleet.markKilled("watch-c");
            long killed = System.nanoTime();
            boolean back = FleetDriver.waitFor(BOUND, Duration.ofMillis(100),
                    () -> fleet.watchedTotal() == rollouts);
            FleetDriver.print("watch-c killed (SIGKILL) while the three reported %d rollouts: the survivors report "
                    + "all %d evaluated again after %s (target: lease %d s + 2 intervals = %d s)", before, rollouts,
                    back ? FleetDriver.ms(killed) + " ms" : "NOT within the bound", LEASE.toSeconds(),
                    LEASE.plus(INTERVAL.multipliedBy(2)).toSeconds());
            fleet.measureTicks(INTERVAL.multipliedBy(3));
            fleet.violations(rollouts, List.of(), null, BOUND);
            fleet.printResources();
        }
    }

    /** The plan of the rollout started last first, then others spread over the plans. */
    static List<Integer> planOrder(int lastPlan, int runs) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < runs && i < PLANS; i++) {
            order.add((lastPlan + i * 37) % PLANS);
        }
        return order;
    }
}
