package dev.rollout.freeze;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.rollout.audit.AuditAction;
import dev.rollout.audit.AuditLog;
import dev.rollout.clock.RolloutClock;
import dev.rollout.page.Cursor;
import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.Reasons;

/**
 * Freezes: creating and lifting them (each recorded in the audit log, with actor and reason, in the same
 * transaction; the audit entry becomes a Grafana annotation tagged {@code freeze} through the outbox), listing
 * them, and the question rollouts ask: does a freeze cover this target now, and until when
 * ({@link FreezeRules}). Times are the database clock's.
 */
@ApplicationScoped
public class FreezeService {

    private final FreezeRepository freezes;
    private final AuditLog audit;
    private final RolloutClock clock;

    public FreezeService(FreezeRepository freezes, AuditLog audit, RolloutClock clock) {
        this.freezes = freezes;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    public FreezeView create(FreezeRequest request, String actor) {
        Instant now = clock.now();
        if (request == null) {
            throw invalid(List.of("body: name, from, until and reason are required"));
        }
        List<String> problems = request.problems(now);
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        FreezeRequest.Valid valid = request.valid();
        Freeze freeze = new Freeze(valid.name(), valid.from(), valid.until(), valid.targets(), valid.reason(), now,
                actor);
        if (!freezes.insert(freeze)) {
            throw ApiProblem.conflict("freeze-exists", "Freeze exists", "a freeze named '" + valid.name()
                    + "' exists; lift it first (DELETE /api/v1/freezes/" + valid.name() + ") or choose another name");
        }
        audit.append(actor, AuditAction.FREEZE_CREATED, valid.reason(), details(freeze));
        return FreezeView.of(freeze, now);
    }

    /** Lifts the named freeze at once: rollouts it held may move again. A reason is required. */
    @Transactional
    public void lift(String name, String reason, String actor) {
        Reasons.check(reason, true, "lift a freeze");
        Instant now = clock.now();
        Freeze lifted = freezes.lift(name, now, actor)
                .orElseThrow(() -> ApiProblem.notFound("freeze", dev.rollout.problem.Problems.shortened(name == null ? "" : name)));
        audit.append(actor, AuditAction.FREEZE_LIFTED, reason, details(lifted));
    }

    /** A page of the freezes not lifted (in force, to come, or ended), by name; the cursor is the last name. */
    @Transactional
    public Page<FreezeView> list(PageRequest page) {
        Cursor after = page.after();
        Instant now = clock.now();
        return Page.of(freezes.page(after == null ? null : after.text(0), page.fetchSize()), page,
                f -> Cursor.encode(f.name())).map(f -> FreezeView.of(f, now));
    }

    /** The freezes in force or to come at {@code now}; inside the caller's transaction, if any. */
    public List<Freeze> notEnded(Instant now) {
        return freezes.notEnded(now);
    }

    /** Whether a freeze covers {@code target} at {@code now}, and until when. */
    public Optional<FreezeRules.Cover> cover(String target, Instant now) {
        return FreezeRules.cover(freezes.notEnded(now), target, now);
    }

    private static Map<String, Object> details(Freeze f) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", f.name());
        details.put("from", f.from().toString());
        details.put("until", f.until().toString());
        if (f.targets() != null) {
            details.put("targets", f.targets());
        }
        return details;
    }

    private static ApiProblem invalid(List<String> problems) {
        return ApiProblem.badRequest("invalid-request", String.join("; ", problems)).with("errors", problems);
    }

}
