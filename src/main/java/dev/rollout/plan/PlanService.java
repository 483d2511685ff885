package dev.rollout.plan;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.rollout.clock.RolloutClock;
import dev.rollout.gate.GateEvaluator;
import dev.rollout.problem.ApiProblem;
import dev.rollout.webhook.WebhookSecrets;

@ApplicationScoped
public class PlanService {

    private final PlanRepository plans;
    private final RolloutClock clock;
    private final GateEvaluator gates;
    private final WebhookSecrets webhookSecrets;

    public PlanService(PlanRepository plans, RolloutClock clock, GateEvaluator gates, WebhookSecrets webhookSecrets) {
        this.plans = plans;
        this.clock = clock;
        this.gates = gates;
        this.webhookSecrets = webhookSecrets;
    }

    /** Stores a new version of the named plan: the next one, or exactly the one the caller asked for. */
    @Transactional
    public Plan create(PlanRequest request, String actor) {
        // A webhook's secretRef must name a configured secret.
        List<String> problems = PlanValidator.validate(request, gates.sourceNames(), webhookSecrets::configured);
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-plan", String.join("; ", problems)).with("errors", problems);
        }
        plans.lockVersions(request.name());
        int latest = latest(request.name()).map(p -> p.version).orElse(0);
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
        // Durations are kept as written (validated), so a plan reads back the way its author wrote it.
        plan.minTotalDuration = request.minTotalDuration();
        plan.finalBake = request.finalBake();
        plan.steps = request.steps().stream().map(s -> new PlanStep(s.percentage(), s.minDwell())).toList();
        plan.gates = request.gates() == null ? List.of() : List.copyOf(request.gates());
        plan.createdAt = clock.now();
        plan.createdBy = actor;
        plan.webhook = request.webhook();
        plan.persist();
        return plan;
    }

    public Optional<Plan> latest(String name) {
        return plans.latest(name);
    }

    public Optional<Plan> find(String name, Integer version) {
        return version == null ? plans.latest(name) : plans.find(name, version);
    }

    /** The latest version of every plan, by name. */
    public List<Plan> listLatest() {
        return plans.listLatest();
    }

    public List<Plan> versions(String name) {
        return plans.versions(name);
    }
}
