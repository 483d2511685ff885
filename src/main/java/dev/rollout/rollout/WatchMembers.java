package dev.rollout.rollout;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The instances that share the watch (table watch_member). Each tick an instance renews its own
 * heartbeat and reads which members are live (heartbeat within the lease); {@link Ownership} then says
 * which rollouts are its own. A member that stops heartbeating drops out after one lease and its
 * rollouts go to the others. Native SQL; the only row mapping is the member id.
 */
@ApplicationScoped
public class WatchMembers {

    /** Members silent for this many leases are deleted, so the table holds only recent instances. */
    private static final int FORGET_AFTER_LEASES = 10;

    private final EntityManager em;
    private final String memberId;
    private final String instance;

    public WatchMembers(EntityManager em, WatchConfig config) {
        this.em = em;
        this.instance = config.instanceName();
        // Unique even when two replicas are configured with the same instance id.
        this.memberId = instance + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String memberId() {
        return memberId;
    }

    /** Renews this member's heartbeat and answers the live members, this one included, by id. */
    public List<String> heartbeat(Duration lease) {
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("""
                    insert into watch_member (member_id, instance, heartbeat_at, joined_at)
                    values (?1, ?2, statement_timestamp(), statement_timestamp())
                    on conflict (member_id) do update set heartbeat_at = excluded.heartbeat_at""")
                    .setParameter(1, memberId).setParameter(2, instance).executeUpdate();
            em.createNativeQuery("delete from watch_member where heartbeat_at < statement_timestamp() - ?1 * interval '1 millisecond'")
                    .setParameter(1, lease.toMillis() * FORGET_AFTER_LEASES).executeUpdate();
            @SuppressWarnings("unchecked")
            List<String> live = em.createNativeQuery("""
                    select member_id from watch_member
                    where heartbeat_at >= statement_timestamp() - ?1 * interval '1 millisecond'
                    order by member_id""")
                    .setParameter(1, lease.toMillis()).getResultList();
            return live;
        });
    }

    /** Leaves at once on a clean shutdown, so the others take this member's rollouts at their next tick. */
    public void leave() {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "delete from watch_member where member_id = ?1").setParameter(1, memberId).executeUpdate());
    }
}
