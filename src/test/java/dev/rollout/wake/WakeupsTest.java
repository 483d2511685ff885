package dev.rollout.wake;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import jakarta.inject.Inject;
import jakarta.transaction.UserTransaction;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** Wake-ups go through real PostgreSQL notifications: on commit only, and again after the connection is lost. */
@QuarkusTest
class WakeupsTest {

    @Inject
    Wakeups wakeups;

    @Inject
    UserTransaction transaction;

    @Inject
    DataSource dataSource;

    @Test
    void aNotificationIsHeardOnlyWhenItsTransactionCommits() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        WakeListener listener = heard::add;
        wakeups.subscribe(Topic.EVALUATE, listener);
        try {
            transaction.begin();
            wakeups.publish(Topic.EVALUATE, "rolled-back");
            transaction.rollback();

            transaction.begin();
            wakeups.publish(Topic.EVALUATE, "committed");
            transaction.commit();

            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("committed"));
            assertFalse(heard.contains("rolled-back"), "the rolled-back notification was never sent");
        } finally {
            wakeups.unsubscribe(Topic.EVALUATE, listener);
        }
    }

    @Test
    void aNotificationWaitsForItsCommitWhileLaterOnesGoOut() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        WakeListener listener = heard::add;
        wakeups.subscribe(Topic.EVALUATE, listener);
        try {
            transaction.begin();
            wakeups.publish(Topic.EVALUATE, "pending-until-commit");
            // Sent after the transaction's publish, by another thread outside any transaction: it goes out at once.
            CompletableFuture.runAsync(() -> wakeups.publish(Topic.EVALUATE, "outside")).get();
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("outside"));
            // (other notifications on the topic, the controller's own, may arrive too: only ours are looked at)
            assertFalse(heard.contains("pending-until-commit"), "nothing of an open transaction is sent before it commits");
            transaction.commit();
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("pending-until-commit"));
        } finally {
            wakeups.unsubscribe(Topic.EVALUATE, listener);
        }
    }

    @Test
    void aLostConnectionIsRestoredAndListenersAreToldToCatchUp() throws Exception {
        AtomicInteger reconnects = new AtomicInteger();
        List<String> heard = new CopyOnWriteArrayList<>();
        WakeListener listener = new WakeListener() {
            @Override
            public void onWake(String payload) {
                heard.add(payload);
            }

            @Override
            public void onReconnected() {
                reconnects.incrementAndGet();
            }
        };
        wakeups.subscribe(Topic.EVENTS, listener);
        try {
            try (Connection connection = dataSource.getConnection(); Statement kill = connection.createStatement()) {
                kill.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                        + " where application_name = 'rollout-controller-wakeups'");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> reconnects.get() > 0);
            // the listening connection is back: a new notification reaches this instance again
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                wakeups.publish(Topic.EVENTS, "after-reconnect");
                return heard.contains("after-reconnect");
            });
            assertTrue(reconnects.get() >= 1);
        } finally {
            wakeups.unsubscribe(Topic.EVENTS, listener);
        }
    }
}
