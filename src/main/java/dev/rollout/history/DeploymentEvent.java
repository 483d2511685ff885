package dev.rollout.history;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One row of the append-only deployment_state history. The database refuses updates and deletes. */
@Entity
@Immutable
@Table(name = "deployment_state")
public class DeploymentEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long seq;

    @Column(name = "rollout_id")
    public UUID rolloutId;

    public Instant at;

    public String action;

    @Column(name = "from_percentage")
    public Double fromPercentage;

    @Column(name = "to_percentage")
    public Double toPercentage;

    public String actor;

    public String reason;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> details;

    public Action kind() {
        return Action.fromWire(action);
    }
}
