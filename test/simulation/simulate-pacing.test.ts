import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../../src/data/load-dataset.js";
import type { RoutingExample } from "../../src/data/routing-example.js";
import { createScenario } from "../../src/simulation/scenario.js";
import { simulate, type SimulationLine } from "../../src/simulation/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const sample = await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"));

test("--pace-to-knob holds online routers to the knob's calibrated spend; static routers are not paced", async () => {
  // A cold LinUCB with a large exploration bonus buys dear models: unpaced it overspends the knob's spend.
  const options = { examples: sample.examples, models: sample.models, routers: ["linucb+cold"], seed: 3, quality: 0.1, params: { alpha: 2 } };
  const spend = (lines: SimulationLine[], router: string) => lines.filter((line) => line.router === router).reduce((sum, line) => sum + line.costUsd, 0);
  const free: SimulationLine[] = [];
  const unpaced = await simulate({ ...options, onLine: (line) => free.push(line) });
  const held: SimulationLine[] = [];
  const paced = await simulate({ ...options, paceToKnob: true, onLine: (line) => held.push(line) });
  const steps = paced.dataset.streamedSteps;
  const target = paced.knobSpendUsd * steps;
  assert.ok(paced.pacedToKnob && !unpaced.pacedToKnob);
  assert.ok(spend(free, "linucb+cold") > 1.5 * target, `unpaced ${spend(free, "linucb+cold")} vs the knob's ${target}`);
  assert.ok(spend(held, "linucb+cold") <= target, `paced ${spend(held, "linucb+cold")} vs the knob's ${target}`);
  // The offline reference routes exactly as without pacing.
  assert.equal(spend(held, "offline-knn"), spend(free, "offline-knn"));
  // paceToReference: held to offline-knn's realised spend on the stream instead.
  const matched: SimulationLine[] = [];
  const toReference = await simulate({ ...options, paceToReference: true, onLine: (line) => matched.push(line) });
  assert.ok(toReference.pacedToReference && !toReference.pacedToKnob);
  // Here the unpaced bandit spends less than offline-knn: the pacer raises its willingness-to-pay towards that spend.
  assert.notEqual(spend(matched, "linucb+cold"), spend(free, "linucb+cold"));
  assert.ok(spend(matched, "linucb+cold") <= spend(matched, "offline-knn"), `paced ${spend(matched, "linucb+cold")} vs offline-knn's ${spend(matched, "offline-knn")}`);
});

test("a static router with +paced is held to the pacing like the bandits (the measuring device's own cost); bad suffixes are refused", async () => {
  const options = { examples: sample.examples, models: sample.models, routers: ["knn+paced"], seed: 3 };
  const lines: SimulationLine[] = [];
  const free = await simulate({ ...options, onLine: (line) => lines.push(line) });
  assert.deepEqual(free.routers.map((summary) => summary.router), ["offline-knn", "offline-knn+paced"]);
  const of = (router: string) => lines.filter((line) => line.router === router).map((line) => line.model);
  // Unpaced it is the reference itself, decision for decision.
  assert.deepEqual(of("offline-knn+paced"), of("offline-knn"));
  // Paced to the knob's calibrated spend (not the reference's realised one), its spend is held to that target.
  const held: SimulationLine[] = [];
  const paced = await simulate({ ...options, quality: 0.9, paceToKnob: true, onLine: (line) => held.push(line) });
  const spend = (router: string) => held.filter((line) => line.router === router).reduce((sum, line) => sum + line.costUsd, 0);
  const target = paced.knobSpendUsd * paced.dataset.streamedSteps;
  assert.ok(spend("offline-knn+paced") <= target, `paced copy ${spend("offline-knn+paced")} vs target ${target}`);
  assert.notDeepEqual(held.filter((line) => line.router === "offline-knn+paced").map((line) => line.model), held.filter((line) => line.router === "offline-knn").map((line) => line.model));
  // Held to the reference's own realised spend, step by step: it is on plan at every step, so it routes like the
  // reference — but for the hard guard's margin at the very end (real costs differ from predicted ones here).
  const matched: SimulationLine[] = [];
  await simulate({ ...options, seed: 4, paceToReference: true, onLine: (line) => matched.push(line) });
  const copy = matched.filter((line) => line.router === "offline-knn+paced");
  const reference = matched.filter((line) => line.router === "offline-knn");
  const differing = copy.flatMap((line, t) => (line.model !== reference[t]!.model ? [t] : []));
  assert.ok(differing.every((t) => t >= 0.95 * copy.length), `decisions moved at steps ${differing.join(", ")} of ${copy.length}`);
  assert.ok(copy.reduce((sum, line) => sum + line.costUsd, 0) <= reference.reduce((sum, line) => sum + line.costUsd, 0));
  for (const bad of ["knn+warm", "knn+paced+x", "linucb+paced"]) {
    await assert.rejects(simulate({ ...options, routers: [bad] }), (error: Error & { param?: string }) => error.param === "--router" && error.message.includes(bad), bad);
  }
});

test("a willingness-to-pay override runs every router at it", async () => {
  const result = await simulate({ examples: sample.examples, models: sample.models, routers: [], seed: 3, willingnessToPay: 0.0123 });
  assert.equal(result.willingnessToPay, 0.0123);
});

test("price-cut divides the history-best model's costs by 20 from half the stream", () => {
  const history = sample.examples.slice(0, 100) as RoutingExample[];
  const scenario = createScenario("price-cut", history, sample.models, 200);
  const example = sample.examples[150]!;
  const model = scenario.model!;
  assert.equal(scenario.fromStep, 100);
  assert.equal(scenario.costUsd(example, model, 99), example.outcomes[model]!.costUsd);
  assert.equal(scenario.costUsd(example, model, 100), example.outcomes[model]!.costUsd / 20);
  const other = sample.models.find((m) => m !== model)!;
  assert.equal(scenario.costUsd(example, other, 150), example.outcomes[other]!.costUsd);
});

test("fullInformation (a ceiling's measuring device) teaches a cold bandit every model's score: it routes closer to the best model per prompt", async () => {
  // Quality only (knob 1): the best answer wins. With every label revealed a cold LinUCB must pick the right model more often.
  const options = { examples: sample.examples, models: sample.models, routers: ["linucb+cold"], seed: 3, quality: 1, params: { alpha: 0 } };
  const rewardOf = (lines: SimulationLine[]) => {
    const own = lines.filter((line) => line.router === "linucb+cold");
    return own.reduce((sum, line) => sum + line.reward, 0) / own.length;
  };
  const bandit: SimulationLine[] = [];
  await simulate({ ...options, onLine: (line) => bandit.push(line) });
  const full: SimulationLine[] = [];
  await simulate({ ...options, fullInformation: true, onLine: (line) => full.push(line) });
  assert.ok(rewardOf(full) > rewardOf(bandit), `full information ${rewardOf(full)} vs bandit feedback ${rewardOf(bandit)}`);
  // The reference does not learn: it routes identically.
  assert.deepEqual(
    full.filter((line) => line.router === "offline-knn").map((line) => line.model),
    bandit.filter((line) => line.router === "offline-knn").map((line) => line.model),
  );
});

test("new-model with anchors: the bandits add the arriving model from its outcomes on recent traffic, whose cost is reported apart", async () => {
  const options = { examples: sample.examples, models: sample.models, routers: ["linucb+warm"], seed: 3, scenario: "new-model" as const };
  const plain = await simulate(options);
  const anchored = await simulate({ ...options, anchors: 30 });
  assert.equal(plain.scenario.anchors, 0);
  assert.equal(plain.scenario.anchorCostUsd, 0);
  assert.equal(anchored.scenario.anchors, 30);
  assert.ok(anchored.scenario.anchorCostUsd > 0, `anchor cost ${anchored.scenario.anchorCostUsd}`);
  // The anchors change what the bandit knows of the new model, so its routing after the arrival differs.
  const after = (result: typeof plain) => result.routers.find((router) => router.router === "linucb+warm")!.share;
  assert.notDeepEqual(after(anchored), after(plain));
  await assert.rejects(simulate({ ...options, scenario: "drift", anchors: 5 }), /--anchors applies to --scenario new-model only/);
});
