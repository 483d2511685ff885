package dev.rollout.rollout;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import dev.rollout.plan.Plan;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One run of a plan for a target. Changed only through {@link RolloutService}, under a row lock. */
@Entity
@Table(name = "rollout")
public class Rollout extends PanacheEntityBase {

    @Id
    public UUID id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "plan_id")
    public Plan plan;

    public String target;

    public String version;

    @Enumerated(EnumType.STRING)
    public RolloutState state;

    /** -1 at the 0 % start, then the index of the plan step reached. */
    @Column(name = "step_index")
    public int stepIndex;

    @Column(name = "step_count")
    public int stepCount;

    @Column(name = "current_percentage")
    public double currentPercentage;

    @Column(name = "step_entered_at")
    public Instant stepEnteredAt;

    /** Start of the current clean dwell window: the step's entry, or the last resume. */
    @Column(name = "dwell_started_at")
    public Instant dwellStartedAt;

    @Column(name = "earliest_advance_at")
    public Instant earliestAdvanceAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Version
    @Column(name = "row_version")
    public long rowVersion;
}
