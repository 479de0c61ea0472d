/**
 * The tuning runs behind the bandit defaults (docs/online-learning.md): a few exploration / prior / discount
 * settings on a tuning seed (1000) — a history split and stream order that no figure in BENCHMARKS.md uses
 * (those use seeds 42, 43, 44). Prints per setting and router: whole-stream and last-quarter mean reward and
 * cost, and — for a scenario — the scenario model's share before the change and 200…300 steps after it (new-model:
 * its share at +400…+500 and in the last quarter, beside an offline-knn trained with it).
 *
 * Run: npx tsx benchmarks/online-learning-tuning.ts [--set routerbench] [--seed 1000] [--routers linucb,thompson+warm]
 *      [--scenario stationary] [--anchors 0,50 (new-model)] [--pace-to-knob | --pace-to-reference] [--settings '[{"discount":0.99},{"discount":0.999}]']
 */
import { parseArgs } from "node:util";
import { excludeContaminated } from "../src/data/split.js";
import { simulate, type SimulationLine } from "../src/simulation/index.js";
import { parseScenarioName } from "../src/simulation/scenario.js";
import { loadBenchmarkDataset } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    set: { type: "string", default: "routerbench" },
    seed: { type: "string", default: "1000" },
    routers: { type: "string", default: "linucb,thompson+warm" },
    scenario: { type: "string", default: "stationary" },
    quality: { type: "string", default: "0.5" },
    "pace-to-knob": { type: "boolean", default: false },
    /** Pace each online router to offline-knn's realised spend on this stream (exactly equal money). */
    "pace-to-reference": { type: "boolean", default: false },
    settings: { type: "string" },
    /** new-model: comma-separated anchor counts to run each setting with (0 = the optimistic prior alone). */
    anchors: { type: "string", default: "0" },
  },
});
const dataset = await loadBenchmarkDataset(values.set!);
const examples = excludeContaminated(dataset.examples);
const settings: Array<Record<string, unknown>> = values.settings
  ? (JSON.parse(values.settings) as Array<Record<string, unknown>>)
  : [{}, { alpha: 0.1, posteriorScale: 0.1 }, { alpha: 0.1, posteriorScale: 0.1, warmLambda: 30 }, { alpha: 0.1, posteriorScale: 0.1, discount: 0.999 }, { alpha: 0.05, posteriorScale: 0.05, warmLambda: 30, discount: 0.999 }];
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const share = (lines: readonly SimulationLine[], model: string, from: number, to: number) => lines.slice(from, to).filter((line) => line.model === model).length / Math.max(1, lines.slice(from, to).length);
console.log(`${values.set} seed ${values.seed}, scenario ${values.scenario}, knob ${values.quality}${values["pace-to-knob"] ? ", online routers paced to the knob's spend" : ""}${values["pace-to-reference"] ? ", online routers paced to offline-knn's realised spend" : ""}`);
console.log(`| params | router | mean reward | mean cost USD | last-quarter reward | last-quarter cost USD | scenario model share before → +200…+300 |`);
console.log(`|---|---|---|---|---|---|---|`);
const runs = values.anchors!.split(",").flatMap((anchors) => settings.map((params) => ({ params, anchors: Number(anchors) })));
for (const { params, anchors } of runs) {
  const lines = new Map<string, SimulationLine[]>();
  const result = await simulate({
    examples,
    models: dataset.models,
    routers: values.routers!.split(","),
    seed: Number(values.seed),
    params,
    scenario: parseScenarioName(values.scenario!),
    quality: Number(values.quality),
    paceToKnob: values["pace-to-knob"],
    paceToReference: values["pace-to-reference"],
    anchors,
    onLine: (line) => (lines.get(line.router) ?? lines.set(line.router, []).get(line.router)!).push(line),
  });
  const { model, fromStep } = result.scenario;
  // new-model: the reference is an offline router trained on the history with the model, at this run's wtp.
  let reference = "";
  if (result.scenario.name === "new-model") {
    const withIt: SimulationLine[] = [];
    await simulate({ examples, models: dataset.models, routers: [], seed: Number(values.seed), willingnessToPay: result.willingnessToPay, onLine: (line) => withIt.push(line) });
    const quarter = Math.floor((withIt.length * 3) / 4);
    reference = `; offline-knn trained with it: +400…+500 ${share(withIt, model!, fromStep + 400, fromStep + 500).toFixed(3)}, last quarter ${share(withIt, model!, quarter, withIt.length).toFixed(3)} at ${mean(withIt.slice(quarter).map((l) => l.costUsd)).toPrecision(4)} USD`;
  }
  for (const [router, own] of lines) {
    const quarter = Math.floor((own.length * 3) / 4);
    const last = own.slice(quarter);
    const shares = !model
      ? "–"
      : result.scenario.name === "new-model"
        ? `+400…+500 ${share(own, model, fromStep + 400, fromStep + 500).toFixed(3)}, last quarter ${share(own, model, quarter, own.length).toFixed(3)}${reference}`
        : `${share(own, model, Math.max(0, fromStep - 300), fromStep).toFixed(3)} → ${share(own, model, fromStep + 200, fromStep + 300).toFixed(3)}`;
    console.log(
      `| ${JSON.stringify(params)}${anchors > 0 ? ` + ${anchors} anchors` : ""} | ${router} | ${mean(own.map((l) => l.reward)).toFixed(4)} | ${mean(own.map((l) => l.costUsd)).toPrecision(4)} | ${mean(last.map((l) => l.reward)).toFixed(4)} | ${mean(last.map((l) => l.costUsd)).toPrecision(4)} | ${shares} |`,
    );
  }
}
