import { Gauge, type Registry } from "prom-client";
import type { RewardSource } from "../stores/learning-records.js";
import { createAggregatedCounter } from "./aggregated-metrics.js";

/** Decisions the traffic-share gauge is computed over. */
const shareWindow = 1_000;

/** Prometheus metrics of online learning in the gateway. */
export interface LearningMetrics {
  /** A reward arrived (`outcome`: `learned`, `duplicate`, `unknown`, `expired`, `refused`, `missing`). */
  recordReward(source: RewardSource, outcome: string): void;
  recordUpdate(source: RewardSource): void;
  /** One judge call (`outcome`: `ok`, `unparsable`, `failed`) and what it cost. */
  recordJudgeCall(outcome: string, costUsd: number): void;
  /** One routed decision of the online router: its target and whether it explored (propensity < 1). */
  recordRouted(target: string, explored: boolean): void;
  /** The router's change detector saw `target`'s rewards shift (its arm restarted or its level moved). */
  recordChangeAlarm(target: string): void;
}

/**
 * Learning metrics on the gateway's registry: `switchyard_learning_rewards_total{source,outcome}`,
 * `switchyard_learning_updates_total{source}`, `switchyard_learning_judge_calls_total{outcome}`,
 * `switchyard_learning_judge_cost_usd_total` (judge spend, apart from the traffic's),
 * `switchyard_learning_routed_total{target,explored}` (exploration share and traffic share follow from it),
 * `switchyard_learning_change_alarms_total{target}` (the router's change detector saw a target's rewards shift
 * and restarted its arm or moved its level), and `switchyard_learning_traffic_share{target}`, each target's share of the last
 * 1,000 routed decisions.
 */
export function createLearningMetrics(registry: Registry): LearningMetrics {
  const rewards = createAggregatedCounter({ name: "switchyard_learning_rewards_total", help: "Rewards received by source and outcome (learned, duplicate, unknown, expired, refused, missing).", labelNames: ["source", "outcome"], registry });
  const updates = createAggregatedCounter({ name: "switchyard_learning_updates_total", help: "Learning updates applied to the online router, by reward source.", labelNames: ["source"], registry });
  const judgeCalls = createAggregatedCounter({ name: "switchyard_learning_judge_calls_total", help: "LLM-judge calls made to grade answers, by outcome (ok, unparsable, failed).", labelNames: ["outcome"], registry });
  const judgeCost = createAggregatedCounter({ name: "switchyard_learning_judge_cost_usd_total", help: "USD spent on judge calls (not part of the traffic's cost).", labelNames: [], registry });
  const routed = createAggregatedCounter({ name: "switchyard_learning_routed_total", help: "Decisions of the online router, by target and whether it explored (propensity < 1).", labelNames: ["target", "explored"], registry });
  const alarms = createAggregatedCounter({ name: "switchyard_learning_change_alarms_total", help: "Targets whose rewards the online router's change detector saw shift (their arm restarted or their level moved).", labelNames: ["target"], registry });
  const recent: string[] = [];
  let next = 0;
  new Gauge({
    name: "switchyard_learning_traffic_share",
    help: `Share of the last ${shareWindow} routed decisions per target.`,
    labelNames: ["target"],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const target of recent) counts.set(target, (counts.get(target) ?? 0) + 1);
      for (const [target, count] of counts) this.set({ target }, count / recent.length);
    },
  });
  return {
    recordReward(source, outcome) {
      rewards.inc([source, outcome]);
    },
    recordUpdate(source) {
      updates.inc([source]);
    },
    recordJudgeCall(outcome, costUsd) {
      judgeCalls.inc([outcome]);
      if (costUsd > 0) judgeCost.inc([], costUsd);
    },
    recordRouted(target, explored) {
      routed.inc([target, explored ? "true" : "false"]);
      if (recent.length < shareWindow) recent.push(target);
      else recent[next] = target;
      next = (next + 1) % shareWindow;
    },
    recordChangeAlarm(target) {
      alarms.inc([target]);
    },
  };
}
