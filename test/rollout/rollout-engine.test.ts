import assert from "node:assert/strict";
import { test } from "node:test";
import type { Decision } from "../../src/core/decision.js";
import { SwitchyardError } from "../../src/core/errors.js";
import { createRandom } from "../../src/core/random.js";
import type { RoutingEngine } from "../../src/core/routing-engine.js";
import { RolloutEngine, type ArtifactEngine } from "../../src/rollout/rollout-engine.js";

function stubArm(version: string, choose: () => { model: string; propensity?: number } | Error): ArtifactEngine {
  const engine: RoutingEngine = {
    routerName: `stub-${version}`,
    targets: [{ id: "a", inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 1000 }],
    async decide() {
      const choice = choose();
      if (choice instanceof Error) throw choice;
      const decision: Decision = { model: choice.model, router: `stub-${version}`, willingnessToPay: 1, candidates: [], decisionMs: 0 };
      if (choice.propensity !== undefined) decision.propensity = choice.propensity;
      return decision;
    },
  };
  return { engine, path: `${version}.json`, version };
}

const query = { messages: [{ role: "user" as const, content: "hi" }] };

test("canary propensity is the mixture's probability of the served model", async () => {
  const same = new RolloutEngine({ primary: stubArm("p", () => ({ model: "a" })), shadow: undefined, canary: { arm: stubArm("c", () => ({ model: "a" })), share: 0.25 } }, { random: createRandom(1) });
  for (let i = 0; i < 20; i++) assert.equal((await same.decide(query)).propensity, 1, "both arms choose a: served with probability 1");

  const exploring = new RolloutEngine({ primary: stubArm("p", () => ({ model: "a" })), shadow: undefined, canary: { arm: stubArm("c", () => ({ model: "b", propensity: 0.8 })), share: 0.25 } }, { random: createRandom(2) });
  const seen = new Map<string, number>();
  for (let i = 0; i < 400; i++) {
    const decision = await exploring.decide(query);
    seen.set(decision.arm!, (seen.get(decision.arm!) ?? 0) + 1);
    if (decision.arm === "canary") {
      assert.equal(decision.model, "b");
      assert.ok(Math.abs(decision.propensity! - 0.25 * 0.8) < 1e-12);
      assert.equal(decision.artifact, "c");
    } else {
      assert.ok(Math.abs(decision.propensity! - 0.75) < 1e-12);
      assert.equal(decision.artifact, "p");
    }
  }
  const canaryShare = (seen.get("canary") ?? 0) / 400;
  assert.ok(canaryShare > 0.18 && canaryShare < 0.32, `canary share ${canaryShare}`);
});

test("a canary that cannot decide leaves the request to the primary with its own propensity", async () => {
  const engine = new RolloutEngine(
    { primary: stubArm("p", () => ({ model: "a", propensity: 0.9 })), shadow: undefined, canary: { arm: stubArm("c", () => new SwitchyardError("no_candidates", "none")), share: 1 } },
    { random: createRandom(3) },
  );
  const decision = await engine.decide(query);
  assert.equal(decision.arm, "primary");
  assert.equal(decision.propensity, 0.9);
});

test("a pinned engine keeps the state it was pinned on across a swap", async () => {
  const engine = new RolloutEngine({ primary: stubArm("old", () => ({ model: "a" })), shadow: undefined, canary: undefined }, { random: createRandom(4) });
  const pinned = engine.pin();
  engine.swap({ primary: stubArm("new", () => ({ model: "a" })), shadow: undefined, canary: undefined });
  assert.equal((await pinned.decide(query)).artifact, "old");
  assert.equal((await engine.decide(query)).artifact, "new");
  assert.equal(engine.routerName, "stub-new");
});
