package dev.rollout.audit;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import dev.rollout.security.ActorNames;
import io.quarkus.runtime.StartupEvent;

/**
 * At start-up, records the service's configuration ({@link ConfigurationSnapshot}: non-secret values, secrets
 * only as set) in the audit log when it differs from the one recorded last, with the names that changed.
 * It reads every {@code rollout.*} name, which no single configuration mapping can list, so it takes the
 * {@link Config} itself; it reads no setting for its own use.
 */
@ApplicationScoped
public class ConfigurationAudit {

    private static final Logger LOG = Logger.getLogger(ConfigurationAudit.class);
    /** Serialises instances starting together, so one change is recorded once. */
    private static final long LOCK = 0x726f6c6c6f7574L;

    private final Config config;
    private final AuditLog audit;
    private final jakarta.persistence.EntityManager em;

    public ConfigurationAudit(Config config, AuditLog audit, jakarta.persistence.EntityManager em) {
        this.config = config;
        this.audit = audit;
        this.em = em;
    }

    void atStart(@Observes StartupEvent event) {
        record(current());
    }

    /** The configuration this instance runs with. */
    ConfigurationSnapshot current() {
        Map<String, String> properties = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("%") || ConfigurationSnapshot.envName(name) == null) {
                continue;
            }
            try {
                config.getOptionalValue(name, String.class).ifPresent(value -> {
                    // a dotted name is what the service reads: it wins over the environment spelling
                    String key = ConfigurationSnapshot.envName(name);
                    if (name.startsWith("rollout.") || !properties.containsKey(key)) {
                        properties.put(key, value);
                    }
                });
            } catch (RuntimeException e) {
                properties.put(ConfigurationSnapshot.envName(name), "(unresolvable)");
            }
        }
        return ConfigurationSnapshot.of(properties);
    }

    /** Appends a {@code configuration_changed} entry unless {@code snapshot} is what was recorded last; true if it did. */
    @Transactional
    @SuppressWarnings("unchecked")
    boolean record(ConfigurationSnapshot snapshot) {
        em.createNativeQuery("select pg_advisory_xact_lock(?1)").setParameter(1, LOCK).getSingleResult();
        Optional<AuditEntry> last = audit.latest(AuditAction.CONFIGURATION_CHANGED);
        Map<String, ?> previous = last.map(e -> e.details().get("settings")).filter(Map.class::isInstance)
                .map(s -> (Map<String, ?>) s).orElse(Map.of());
        List<String> changed = snapshot.changedSince(previous);
        if (last.isPresent() && changed.isEmpty()) {
            LOG.debug("configuration unchanged since the last start");
            return false;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("changed", changed);
        details.put("settings", snapshot.settings());
        audit.append(ActorNames.CONFIGURATION, AuditAction.CONFIGURATION_CHANGED,
                last.isEmpty() ? "first start with an audit log" : "started with a changed configuration", details);
        LOG.infof("configuration changed since the last start: %s", changed);
        return true;
    }
}
