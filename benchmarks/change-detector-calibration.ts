/**
 * Calibration of the bandit's change detector (src/routers/bandit/change-detector.ts): for thresholds h and
 * Bernoulli rewards of mean p, how many stationary observations pass per false alarm, and how many
 * observations after the mean halves (p → p/2, the drift scenario's change) pass before the alarm.
 * Synthetic, seeded, no data needed. The default h = 8 was chosen from this table: ≥ 2·10⁴ observations per
 * false alarm at p = 0.5 (the worst case for 0/1 rewards) and a median delay of ~25 observations for a
 * 0.88 → 0.44 drop. A halving of a model already below 2k = 0.25 is below what the detector reacts to (the
 * discount handles it).
 *
 * Run: npx tsx benchmarks/change-detector-calibration.ts [--thresholds 6,8,10] [--drift 0.125] [--observations 400000]
 */
import { parseArgs } from "node:util";
import { createRandom } from "../src/core/random.js";
import { ChangeDetector } from "../src/routers/bandit/index.js";

const { values } = parseArgs({
  options: {
    thresholds: { type: "string", default: "6,8,10" },
    drift: { type: "string", default: "0.125" },
    observations: { type: "string", default: "400000" },
  },
});
const drift = Number(values.drift);
const observations = Number(values.observations);
const MAX_DELAY = 10_000;
console.log(`| h | p | stationary observations per false alarm | delay after p → p/2: median | p90 |`);
console.log(`|---|---|---|---|---|`);
for (const threshold of values.thresholds!.split(",").map(Number)) {
  for (const p of [0.5, 0.88, 0.15]) {
    const random = createRandom(1);
    const stationary = new ChangeDetector({ drift, threshold, warmup: 0 });
    let alarms = 0;
    for (let t = 0; t < observations; t++) if (stationary.observe((random() < p ? 1 : 0) - p)) alarms++;
    const delays: number[] = [];
    for (let run = 0; run < 200; run++) {
      const detector = new ChangeDetector({ drift, threshold, warmup: 0 });
      let delay = 0;
      while (delay < MAX_DELAY && !detector.observe((random() < p / 2 ? 1 : 0) - p)) delay++;
      delays.push(delay);
    }
    delays.sort((a, b) => a - b);
    const shown = (delay: number) => (delay >= MAX_DELAY ? `> ${MAX_DELAY}` : String(delay));
    console.log(`| ${threshold} | ${p} | ${alarms ? Math.round(observations / alarms) : `> ${observations}`} | ${shown(delays[100]!)} | ${shown(delays[180]!)} |`);
  }
}
