package dev.rollout.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.rollout.gate.GateDefinition;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A stored plan version. Never updated: a change is a new version. */
@Entity
@Immutable
@Table(name = "plan")
public class Plan extends PanacheEntityBase {

    /** The plan's {@code approvalBy} that keeps a rollout's starter from approving its steps. */
    public static final String ANOTHER_OPERATOR = "another-operator";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    public int version;

    @Enumerated(EnumType.STRING)
    public Mode mode;

    @Enumerated(EnumType.STRING)
    @Column(name = "on_violation")
    public ViolationPolicy onViolation;

    @Column(name = "min_total_duration")
    public String minTotalDuration;

    @Column(name = "final_bake")
    public String finalBake;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<PlanStep> steps;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<GateDefinition> gates;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "created_by")
    public String createdBy;

    /**
     * Who may approve a step that needs approval: null, any operator; {@value #ANOTHER_OPERATOR}, anyone but
     * the rollout's starter.
     */
    @Column(name = "approval_by")
    public String approvalBy;

    /** Optional step webhook; null when the plan has none. */
    @JdbcTypeCode(SqlTypes.JSON)
    public PlanWebhook webhook;

    /** Whether entering step {@code stepIndex} needs an approval; false for indexes outside the plan. */
    public boolean needsApproval(int stepIndex) {
        return stepIndex >= 0 && stepIndex < steps.size() && steps.get(stepIndex).needsApproval();
    }

    /** Optional advance windows; null when steps may be entered at any time. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "advance_windows")
    public List<AdvanceWindow> advanceWindows;

    /** Parsed once per loaded version: plan versions never change. */
    @jakarta.persistence.Transient
    private volatile AdvanceWindows windows;

    /** The plan's advance-window rule ({@link AdvanceWindows#ALWAYS} without windows). */
    public AdvanceWindows windows() {
        AdvanceWindows parsed = windows;
        if (parsed == null) {
            parsed = AdvanceWindows.of(advanceWindows);
            windows = parsed;
        }
        return parsed;
    }

    public StepSchedule schedule() {
        return new StepSchedule(steps.stream().map(PlanStep::percentage).toList(),
                steps.stream().map(s -> PlanDurations.of(s.minDwell())).toList(),
                finalBake == null ? Duration.ZERO : PlanDurations.of(finalBake),
                steps.stream().map(PlanStep::needsApproval).toList());
    }
}
