package dev.rollout.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.rollout.clock.RolloutClock;
import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateEvaluator;
import dev.rollout.page.Cursor;
import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.problem.ApiProblem;
import dev.rollout.webhook.WebhookEndpoints;

@ApplicationScoped
public class PlanService {

    private final PlanRepository plans;
    private final RolloutClock clock;
    private final GateEvaluator gates;
    private final WebhookEndpoints webhookEndpoints;
    private final PlanCache cache;

    public PlanService(PlanRepository plans, RolloutClock clock, GateEvaluator gates, WebhookEndpoints webhookEndpoints,
            PlanCache cache) {
        this.plans = plans;
        this.cache = cache;
        this.clock = clock;
        this.gates = gates;
        this.webhookEndpoints = webhookEndpoints;
    }

    /** The plan a create call answers with, and whether the call stored it ({@code false}: it already existed). */
    public record Applied(Plan plan, boolean created) {
    }

    /**
     * Stores a new version of the named plan: the next one, or exactly the one the caller asked for. A
     * request identical to the latest version (same content, no version or that version) stores nothing and
     * answers that version: applying the same plan twice is idempotent.
     */
    @Transactional
    public Applied create(PlanRequest request, String actor) {
        List<String> problems = problems(request);
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-plan", String.join("; ", problems)).with("errors", problems);
        }
        // Serialises version numbering per name, so two creators never race to the same version.
        plans.lockVersions(request.name());
        Optional<Plan> current = latest(request.name());
        int latest = current.map(p -> p.version).orElse(0);
        if (current.isPresent() && (request.version() == null || request.version() == latest)
                && sameContent(current.get(), request)) {
            return new Applied(current.get(), false);
        }
        int version = request.version() == null ? latest + 1 : request.version();
        if (version <= latest) {
            throw ApiProblem.conflict("plan-version-exists", "Plan version exists",
                    "plan '" + request.name() + "' version " + version + " already exists; plans are immutable, "
                            + "post version " + (latest + 1) + " or omit the version")
                    .with("latestVersion", latest);
        }
        if (version != latest + 1) {
            throw ApiProblem.badRequest("invalid-plan", "version: the next version of plan '" + request.name()
                    + "' is " + (latest + 1) + ", got " + version)
                    .with("errors", List.of("version: must be " + (latest + 1)));
        }
        Plan plan = new Plan();
        plan.name = request.name();
        plan.version = version;
        plan.mode = Mode.valueOf(request.mode());
        plan.onViolation = ViolationPolicy.valueOf(request.onViolation());
        // Durations are stored normalised (PT24H, never pt24h or P1D), so equal plans read back equal.
        plan.minTotalDuration = PlanDurations.normalize(request.minTotalDuration());
        plan.finalBake = PlanDurations.normalize(request.finalBake());
        plan.steps = steps(request);
        plan.gates = request.gates() == null ? List.of() : List.copyOf(request.gates());
        plan.createdAt = clock.now();
        plan.createdBy = actor;
        plan.webhook = webhook(request);
        plan.approvalBy = request.approvalBy();
        plan.advanceWindows = request.advanceWindows() == null ? null : List.copyOf(request.advanceWindows());
        plan.persist();
        return new Applied(plan, true);
    }

    /** Every problem of {@code request} as a plan to create; a webhook must name a configured endpoint. */
    private List<String> problems(PlanRequest request) {
        return PlanValidator.validate(request, gates.sourceNames(), webhookEndpoints.names());
    }

    /**
     * What creating {@code request} would give, storing nothing: the same validation as {@link #create}, the
     * schedule, the minimum duration and lint warnings.
     */
    public PlanPreview preview(PlanRequest request) {
        return PlanPreview.of(request, problems(request));
    }

    private static List<PlanStep> steps(PlanRequest request) {
        return request.steps().stream().map(s -> new PlanStep(s.percentage(), PlanDurations.normalize(s.minDwell()),
                s.approval()))
                .toList();
    }

    /** True when a valid request describes exactly the stored plan (durations compared normalised). */
    static boolean sameContent(Plan plan, PlanRequest request) {
        List<GateDefinition> gates = request.gates() == null ? List.of() : request.gates();
        return plan.mode.name().equals(request.mode()) && plan.onViolation.name().equals(request.onViolation())
                && Objects.equals(storedNormalized(plan.minTotalDuration), PlanDurations.normalize(request.minTotalDuration()))
                && Objects.equals(storedNormalized(plan.finalBake), PlanDurations.normalize(request.finalBake()))
                && plan.steps.stream().map(s -> new PlanStep(s.percentage(), storedNormalized(s.minDwell()), s.approval()))
                        .toList()
                        .equals(steps(request))
                && Objects.equals(plan.gates == null ? List.of() : plan.gates, gates)
                && Objects.equals(plan.webhook, webhook(request))
                && Objects.equals(plan.approvalBy, request.approvalBy())
                && Objects.equals(plan.advanceWindows, request.advanceWindows());
    }

    /** The stored form of a valid request's webhook: the endpoint's name only. */
    private static PlanWebhook webhook(PlanRequest request) {
        return request.webhook() == null ? null : PlanWebhook.endpoint(request.webhook().endpoint());
    }

    /** Versions stored before durations were normalised may hold text that no longer parses: compare it as is. */
    private static String storedNormalized(String text) {
        return text == null || PlanDurations.parse(text).isEmpty() ? text : PlanDurations.normalize(text);
    }

    public Optional<Plan> latest(String name) {
        return plans.latest(name);
    }

    public Optional<Plan> find(String name, Integer version) {
        return version == null ? plans.latest(name) : plans.find(name, version);
    }

    /** As {@link #byId}, only if it is cached: never reads the database (for callers that must not block). */
    public Optional<Plan> cached(long id) {
        return cache.cached(id);
    }

    /** The stored plan version with this id, shared from {@link PlanCache}: read it, never change it. */
    public Optional<Plan> byId(long id) {
        return cache.byId(id);
    }

    /** A page of the latest version of every plan, by name; the cursor is the last name. */
    public Page<Plan> listLatest(PageRequest page) {
        Cursor after = page.after();
        return Page.of(plans.listLatest(after == null ? null : after.text(0), page.fetchSize()), page,
                plan -> Cursor.encode(plan.name));
    }

    /** A page of the versions of a plan, oldest first; the cursor is the last version. */
    public Page<Plan> versions(String name, PageRequest page) {
        Cursor after = page.after();
        return Page.of(plans.versions(name, after == null ? 0 : after.integer(0), page.fetchSize()), page,
                plan -> Cursor.encode(plan.version));
    }
}
