import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "commander";
import cliProgress from "cli-progress";
import { parseRouterSpecs, parseScenarioName, simulate, simulationTable, writeSimulationReport } from "../../simulation/index.js";
import { banditParamsSchema } from "../../routers/bandit/index.js";
import { parseRouterParams } from "../../routers/parse-router-params.js";
import { loadForRouting } from "../load-splits.js";
import { parseEmbedderOption, parseParamsOption } from "../router-options.js";
import { parseListOption, parseNumberOption, UsageError } from "../usage-error.js";

/** `switchyard simulate`: replays a dataset as traffic with bandit feedback and compares routers (docs/online-learning.md). */
export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("replay a dataset as a stream with bandit feedback: bandits (cold and warm-started) against static routers trained on a labelled history")
    .requiredOption("--dataset <file>", "routing JSONL, a RouterBench CSV, or a directory of them")
    .requiredOption("--router <names>", "comma-separated: linucb, thompson, eps-greedy (each +warm/+cold, both when bare), or static strategies (knn, auto, best-single, …; knn+paced: knn held to the pacing like the bandits)")
    .requiredOption("--decisions <file>", "JSONL output: one line per router per step")
    .option("--offline-router <name>", "static reference, and the warm starts' prior, trained on the history", "knn")
    .option("--history <share>", "seeded share of the prompts that forms the labelled history", "0.3")
    .option("--seed <n>", "seed of the history split, the stream order and exploration", "42")
    .option("--params <json>", "bandit parameters as a JSON object, e.g. '{\"alpha\":0.3,\"discount\":0.99}'")
    .option("--scenario <name>", "stationary, drift, price-change, price-cut or new-model", "stationary")
    .option("--anchors <n>", "new-model: give the bandits the arriving model's graded outcomes on n prompts of the traffic before it arrived (a measured prior instead of the optimistic one)", "0")
    .option("--budget-usd <x>", "pace every router to this budget for the whole stream")
    .option("--pace-to-knob", "pace each online router to the knob's calibrated spend per request (equal-cost comparison)")
    .option("--quality <k>", "the knob every router runs at (through the reference's calibration)", "0.5")
    .option("--embedder <kind>", "featurizer fitted on the history", "hashed-tfidf")
    .option("--include-contaminated", "keep prompts marked contaminated")
    .option("--report <dir>", "write report.md, report.json and report.html (charts) here")
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const seed = parseNumberOption("--seed", String(options.seed), { integer: true });
      const history = parseNumberOption("--history", String(options.history));
      if (!(history > 0 && history < 1)) throw new UsageError(`--history must be strictly between 0 and 1, got ${String(options.history)}`);
      const quality = parseNumberOption("--quality", String(options.quality), { min: 0, max: 1 });
      const budgetUsd = options.budgetUsd === undefined ? undefined : parseNumberOption("--budget-usd", String(options.budgetUsd), { min: 0 });
      if (budgetUsd !== undefined && options.paceToKnob) throw new UsageError("--pace-to-knob and --budget-usd are exclusive: the knob's spend is a budget of its own");
      const anchors = parseNumberOption("--anchors", String(options.anchors), { integer: true, min: 0 });
      const params = parseParamsOption(options.params as string | undefined);
      const routers = parseListOption("--router", String(options.router));
      const scenario = parseScenarioName(String(options.scenario));
      for (const spec of parseRouterSpecs(routers, String(options.offlineRouter))) if (spec.type === "bandit") parseRouterParams(spec.kind, banditParamsSchema, params);
      const embedder = parseEmbedderOption(String(options.embedder));
      const note = (line: string): void => void process.stderr.write(`${line}\n`);
      const dataset = await loadForRouting({ dataset: String(options.dataset), seed, includeContaminated: Boolean(options.includeContaminated) }, note);
      const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: "{bar} {value}/{total} {stage}", stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined;
      let started = false;
      // Like --report, the output's folder is created when missing (a typo in it still fails clearly below).
      await mkdir(dirname(String(options.decisions)), { recursive: true }).catch(() => undefined);
      const out = createWriteStream(String(options.decisions));
      const opened = new Promise<void>((resolve, reject) => {
        out.once("open", () => resolve());
        out.once("error", reject);
      });
      await opened.catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`--decisions: cannot write ${String(options.decisions)} (${error.code ?? "error"})`);
      });
      let buffered = "";
      const result = await simulate({
        examples: dataset.examples,
        models: dataset.models,
        routers,
        offlineRouter: String(options.offlineRouter),
        history,
        seed,
        params,
        scenario,
        anchors,
        budgetUsd,
        paceToKnob: Boolean(options.paceToKnob),
        quality,
        embedder,
        onLine: (line) => {
          buffered += `${JSON.stringify(line)}\n`;
          if (buffered.length > 1 << 16) {
            out.write(buffered);
            buffered = "";
          }
        },
        onProgress: (stage, done, total) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, done, { stage });
            started = true;
          } else bar.update(done, { stage });
        },
      }).finally(() => {
        if (started) bar?.stop();
      });
      out.write(buffered);
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      if (options.report !== undefined) await writeSimulationReport(String(options.report), result);
      process.stdout.write(simulationTable(result));
    });
}
