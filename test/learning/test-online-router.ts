import type { CandidatePrediction } from "../../src/core/objective.js";
import type { Random } from "../../src/core/random.js";
import { routerTrainers } from "../../src/routers/create-router-trainer.js";
import type { OnlineChoice, OnlineObservation, OnlineRouter } from "../../src/routers/online-router.js";
import type { RouteInput, RouterState } from "../../src/routers/router.js";
import type { RouterTrainer } from "../../src/routers/router-trainer.js";

/** Kind of the test-only router. */
export const testOnlineKind = "test-eps-mean";

interface Arm {
  sum: number;
  count: number;
}

/** State of {@link TestOnlineRouter}. */
export interface TestOnlineState extends RouterState {
  kind: typeof testOnlineKind;
  epsilon: number;
  arms: Record<string, Arm>;
  /** Observed costs per model (the router learns real prices: mean cost). */
  costs: Record<string, Arm>;
}

/**
 * A context-free ε-greedy router over per-model running means of the reward (prior 0.5 with weight 1),
 * for tests of the gateway's learning loop until the real bandit routers land. Deterministic updates.
 */
export class TestOnlineRouter implements OnlineRouter {
  readonly online = true;
  readonly kind = testOnlineKind;
  readonly followsObjective = true;
  private readonly arms: Map<string, Arm>;
  private readonly costs: Map<string, Arm>;
  constructor(private readonly epsilon: number, models: readonly string[], arms: Record<string, Arm> = {}, costs: Record<string, Arm> = {}) {
    this.arms = new Map(models.map((model) => [model, { ...(arms[model] ?? { sum: 0, count: 0 }) }]));
    this.costs = new Map(Object.entries(costs).map(([model, arm]) => [model, { ...arm }]));
  }
  get models(): readonly string[] {
    return [...this.arms.keys()];
  }
  static fromState(state: TestOnlineState): TestOnlineRouter {
    return new TestOnlineRouter(state.epsilon, Object.keys(state.arms), state.arms, state.costs);
  }
  meanOf(model: string): number {
    const arm = this.arms.get(model);
    return arm === undefined ? 0.5 : (arm.sum + 0.5) / (arm.count + 1);
  }
  predictQuality(_input: RouteInput): Float64Array {
    return Float64Array.from(this.models, (model) => this.meanOf(model));
  }
  choose(_input: RouteInput, candidates: readonly CandidatePrediction[], willingnessToPay: number, random: Random): OnlineChoice {
    const scored = candidates.map((candidate) => this.meanOf(candidate.model));
    let best = 0;
    for (let i = 1; i < candidates.length; i++) {
      if (willingnessToPay * scored[i]! - candidates[i]!.predictedCostUsd > willingnessToPay * scored[best]! - candidates[best]!.predictedCostUsd) best = i;
    }
    const explore = random() < this.epsilon;
    const index = explore ? Math.floor(random() * candidates.length) : best;
    const share = this.epsilon / candidates.length;
    return { model: candidates[index]!.model, propensity: index === best ? 1 - this.epsilon + share : share, scoredQuality: Float64Array.from(scored) };
  }
  update(observation: OnlineObservation): boolean {
    const arm = this.arms.get(observation.model);
    if (arm === undefined) return false;
    arm.sum += observation.reward;
    arm.count += 1;
    if (observation.costUsd !== undefined) {
      const cost = this.costs.get(observation.model) ?? { sum: 0, count: 0 };
      cost.sum += observation.costUsd;
      cost.count += 1;
      this.costs.set(observation.model, cost);
    }
    return true;
  }
  addModel(model: string): void {
    if (!this.arms.has(model)) this.arms.set(model, { sum: 0, count: 0 });
  }
  removeModel(model: string): void {
    this.arms.delete(model);
    this.costs.delete(model);
  }
  /** Updates learned so far (over every model). */
  totalCount(): number {
    let total = 0;
    for (const arm of this.arms.values()) total += arm.count;
    return total;
  }
  toState(): TestOnlineState {
    return { kind: testOnlineKind, epsilon: this.epsilon, arms: Object.fromEntries([...this.arms].map(([model, arm]) => [model, { ...arm }])), costs: Object.fromEntries(this.costs) };
  }
}

/**
 * The test router with a change detector of the simplest kind: a reward of exactly 0 "restarts" the arm
 * (only the count of restarts is kept), so tests can raise an alarm on the update of their choice.
 */
export class AlarmingTestOnlineRouter extends TestOnlineRouter {
  restarts = 0;
  override update(observation: OnlineObservation): boolean {
    const learned = super.update(observation);
    if (learned && observation.reward === 0) this.restarts++;
    return learned;
  }
}

/** Registers the test router with the strategy registry (idempotent), so artifacts of its kind load. */
export function registerTestOnlineRouter(): void {
  const registry = routerTrainers as Map<string, RouterTrainer>;
  if (registry.has(testOnlineKind)) return;
  registry.set(testOnlineKind, {
    kind: testOnlineKind,
    description: "test-only ε-greedy over per-model running means",
    servable: true,
    train: (data) => new TestOnlineRouter(0.1, data.models),
    fromState: (state) => TestOnlineRouter.fromState(state as TestOnlineState),
  });
}

/** A cold-start state of the test router over `models`. */
export function testOnlineState(models: readonly string[], epsilon = 0.1): TestOnlineState {
  return new TestOnlineRouter(epsilon, models).toState();
}
