import type { Command } from "commander";
import { decisionRows, writeDecisions } from "../../eval/decisions-file.js";
import { evaluateWithSweeps } from "../../eval/evaluate.js";
import { reportDecisions } from "../../eval/report-decisions.js";
import type { EvaluationReport } from "../../eval/evaluation-report.js";
import { writeReport } from "../../eval/write-report.js";
import { routerTrainerFor } from "../../routers/create-router-trainer.js";
import { buildEvaluationInput } from "../../training/run-evaluation.js";
import { loadForRouting, splitOf } from "../load-splits.js";
import { createProgress } from "../progress.js";
import { embedderHelp, parseEmbedderOption, parseParamsOption, routerHelp } from "../router-options.js";
import { parseListOption, parseNumberOption, UsageError } from "../usage-error.js";

/** Routers evaluated when `--router` is not given. */
export const defaultEvalRouters = ["knn", "best-single", "cheapest", "random", "oracle"];

/** `switchyard eval`: trains routers on one split, evaluates them on another, writes report and decisions. */
export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("train routers on the train split, evaluate them on the test split (AIQ, gap recovered, cost to match the best model)")
    .requiredOption("--dataset <file>", "routing JSONL, a RouterBench CSV, or a directory of them (required)")
    .option("--router <names>", `comma-separated routers; ${routerHelp}`, defaultEvalRouters.join(","))
    .option("--train-split <name>", "split to train on", "train")
    .option("--test-split <name>", "split to evaluate on", "test")
    .option("--decisions <file>", "write one JSON line per router × operating point × prompt")
    .option("--report <dir>", "write report.json and report.html into this directory")
    .option("--report-router <name>", "router whose per-prompt decisions report.html lets you browse (default: the best AIQ, oracle aside)")
    .option("--embedder <kind>", embedderHelp, "hashed-tfidf")
    .option("--embedder-options <json>", "embedder options as JSON, e.g. '{\"parts\":[{\"kind\":\"hashed-tfidf\"},{\"kind\":\"word-vectors\",\"weight\":0.7}]}'")
    .option("--params <json>", "per-router parameters as JSON, e.g. '{\"knn\":{\"k\":20}}'")
    .option("--seed <n>", "seed for splits and training", "42")
    .option("--train-fraction <x>", "train share when the dataset defines no splits", "0.7")
    .option("--include-contaminated", "keep prompts marked contaminated")
    .option("--json", "print the report as JSON instead of a table")
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const seed = parseNumberOption("--seed", String(options.seed), { integer: true });
      const trainFraction = parseNumberOption("--train-fraction", String(options.trainFraction), { min: 0.01, max: 0.99 });
      const routers = parseListOption("--router", String(options.router));
      for (const name of routers) if (name !== "oracle") routerTrainerFor(name); // unknown names fail before any work
      if (options.reportRouter !== undefined && !routers.includes(String(options.reportRouter))) {
        throw new UsageError(`--report-router ${String(options.reportRouter)}: not one of the evaluated routers (${routers.join(", ")})`);
      }
      const params = parseParamsOption(options.params as string | undefined) as Record<string, Record<string, unknown>> | undefined;
      const embedder = parseEmbedderOption(String(options.embedder), options.embedderOptions as string | undefined);
      const note = (line: string): void => void process.stderr.write(`${line}\n`);
      const datasetOptions = { dataset: String(options.dataset), seed, trainFraction, includeContaminated: Boolean(options.includeContaminated) };
      const dataset = await loadForRouting(datasetOptions, note);
      const train = splitOf(dataset, String(options.trainSplit), datasetOptions, note);
      const test = splitOf(dataset, String(options.testSplit), datasetOptions, note);
      const progress = createProgress({ quiet: Boolean(options.json) });
      const input = await buildEvaluationInput({
        dataset: dataset.source,
        trainSplit: String(options.trainSplit),
        testSplit: String(options.testSplit),
        train,
        test,
        models: dataset.models,
        routers,
        embedder,
        params,
        seed,
        onStage: (stage, index, total) => progress.stage(stage, index, total),
      });
      const { report, sweeps, context } = evaluateWithSweeps(input);
      progress.stop();
      if (options.report) {
        const aiqByRouter = new Map(report.routers.map((router) => [router.name, router.aiq]));
        const reportRouter = options.reportRouter === undefined ? {} : { router: String(options.reportRouter) };
        const decisions = reportDecisions(input, sweeps, context, aiqByRouter, reportRouter);
        await writeReport(report, String(options.report), { decisions });
      }
      if (options.decisions) {
        const rows = await writeDecisions(String(options.decisions), decisionRows(input, sweeps));
        note(`wrote ${rows} decisions to ${String(options.decisions)}`);
      }
      if (options.report) note(`wrote ${String(options.report)}/report.json and report.html`);
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportTable(report));
    });
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}

function fixed(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? "—" : value.toFixed(digits);
}

/** The report as a plain-text table (what `eval` prints). */
export function formatReportTable(report: EvaluationReport): string {
  const lines: string[] = [];
  lines.push(`${report.dataset}: train split ${report.trainSplit} → test split ${report.testSplit} (${report.counts.examples} prompts × ${report.counts.models} models)`);
  lines.push(`best single model: ${report.bestSingle.model} quality ${fixed(report.bestSingle.meanQuality, 3)} @ $${report.bestSingle.meanCostUsd.toExponential(3)}`);
  lines.push(`zero router AIQ ${fixed(report.zeroRouter.aiq)}   oracle AIQ ${fixed(report.oracle.aiq)}`);
  const header = ["router", "AIQ", "gap recovered", "quality @ best-single cost", "cost to match best", "APGR", "train ms", "decide ms"];
  const rows = report.routers.map((router) => [
    router.name,
    fixed(router.aiq),
    percent(router.gapRecovered),
    fixed(router.qualityAtBestSingleCost, 3),
    percent(router.costFractionToMatchBestSingle),
    router.apgr === undefined || router.apgr === null ? "—" : router.apgr.toFixed(3),
    router.trainMs === undefined ? "—" : router.trainMs.toFixed(0),
    router.decideMsPerPrompt === undefined ? "—" : router.decideMsPerPrompt.toFixed(3),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  lines.push(format(header));
  for (const row of rows) lines.push(format(row));
  const knobbed = report.routers.filter((router) => router.knobSpend !== undefined && router.knobSpend.length > 0);
  if (knobbed.length > 0) {
    lines.push("spend per prompt at knob 0.25 / 0.5 / 0.75 (expected from the training-split calibration → realised on the test split):");
    for (const router of knobbed) {
      const spends = (router.knobSpend ?? []).map((spend) => `$${spend.expectedSpendUsd.toExponential(2)} → $${spend.realisedSpendUsd.toExponential(2)}`);
      lines.push(`  ${router.name.padEnd(widths[0]!)}  ${spends.join("   ")}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
