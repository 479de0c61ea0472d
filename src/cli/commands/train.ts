import type { Command } from "commander";
import { open } from "node:fs/promises";
import { loadRouterArtifact, saveRouterArtifact } from "../../artifacts/router-artifact.js";
import { looksLikeRoutingLog, readRoutingLog } from "../../data/read-routing-log.js";
import { trainRouterArtifactFromLog } from "../../training/train-router-artifact-from-log.js";
import { warmStartArtifact } from "../../training/warm-start-artifact.js";
import { trainRouterArtifact } from "../../training/train-router-artifact.js";
import { loadForRouting, splitOf } from "../load-splits.js";
import { createProgress } from "../progress.js";
import { embedderHelp, parseEmbedderOption, parseParamsOption, routerHelp } from "../router-options.js";
import { parseNumberOption, UsageError } from "../usage-error.js";

/** True when `path` is a file whose first line is a decision-log entry rather than a routing example. */
async function isRoutingLogFile(path: string): Promise<boolean> {
  if (!/\.(jsonl|ndjson)$/i.test(path)) return false;
  try {
    const handle = await open(path, "r");
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
      return looksLikeRoutingLog(buffer.subarray(0, bytesRead).toString("utf8").split("\n")[0] ?? "");
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

/** `switchyard train`: trains a router on one split of a dataset and writes its artifact. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train a router on a dataset split and write the artifact that serve, route and eval load")
    .option("--dataset <file>", "routing JSONL, a RouterBench CSV, or a directory of them (required unless --log or --warm-start; a decision log is detected and trained on as with --log)")
    .option("--log <file>", "a decision log with rewards (`switchyard traces export --format routing-log`): bandit feedback, one model per prompt, weighted by inverse propensity (knn, linear)")
    .requiredOption("--out <file>", "where to write the router artifact (JSON) (required)")
    .option("--router <name>", routerHelp, "knn")
    .option("--split <name>", "split to train on", "train")
    .option("--embedder <kind>", embedderHelp, "hashed-tfidf")
    .option("--embedder-options <json>", "embedder options as JSON, e.g. '{\"parts\":[{\"kind\":\"hashed-tfidf\"},{\"kind\":\"word-vectors\",\"weight\":0.7}]}'")
    .option("--params <json>", "router parameters as a JSON object, e.g. '{\"k\":20}'")
    .option("--seed <n>", "seed for splits and training", "42")
    .option("--train-fraction <x>", "train share when the dataset defines no splits", "0.7")
    .option("--include-contaminated", "keep prompts marked contaminated")
    .option("--warm-start <artifact>", "bandit routers (linucb, thompson, eps-greedy): start from this offline artifact's router as the prior (its embedder, cost model and calibration are reused); --dataset then optionally adds labelled prompts it did not train on")
    .action(async (options: Record<string, string | boolean | undefined>, command: Command) => {
      if (options.dataset !== undefined && options.log !== undefined) throw new UsageError("give one of --dataset or --log, not both");
      if (options.warmStart === undefined && options.dataset === undefined && options.log === undefined) throw new UsageError("--dataset or --log is required (or --warm-start ARTIFACT for a bandit router)");
      if (options.warmStart !== undefined && options.log !== undefined) throw new UsageError("--warm-start takes --dataset (labelled prompts), not --log");
      const logPath = options.log ? String(options.log) : options.dataset !== undefined && (await isRoutingLogFile(String(options.dataset))) ? String(options.dataset) : undefined;
      const seed = parseNumberOption("--seed", String(options.seed), { integer: true });
      const trainFraction = parseNumberOption("--train-fraction", String(options.trainFraction), { min: 0.01, max: 0.99 });
      const params = parseParamsOption(options.params as string | undefined);
      const embedder = parseEmbedderOption(String(options.embedder), options.embedderOptions as string | undefined);
      const note = (line: string): void => void process.stderr.write(`${line}\n`);
      if (options.warmStart !== undefined) {
        await trainWarmStart(options, command, { seed, params, trainFraction, note });
        return;
      }
      if (logPath !== undefined) {
        const { artifact, notes } = await trainRouterArtifactFromLog({ entries: await readRoutingLog(logPath), router: String(options.router), embedder, params, seed, source: logPath });
        for (const line of notes) note(`note: ${line}`);
        await saveRouterArtifact(String(options.out), artifact);
        process.stdout.write(`trained ${artifact.router.kind} on a decision log of ${artifact.training.examples} rewarded decisions × ${artifact.models.length} models (bandit feedback, inverse-propensity weighted) in ${artifact.training.trainMs} ms → ${String(options.out)}\n`);
        return;
      }
      const datasetOptions = { dataset: String(options.dataset), seed, trainFraction, includeContaminated: Boolean(options.includeContaminated) };
      const progress = createProgress();
      progress.stage("loading dataset", 0, 3);
      const dataset = await loadForRouting(datasetOptions, note);
      const examples = splitOf(dataset, String(options.split), datasetOptions, note);
      progress.stage(`training ${String(options.router)} on ${examples.length} prompts`, 1, 3);
      const artifact = await trainRouterArtifact({
        examples,
        models: dataset.models,
        router: String(options.router),
        embedder,
        params,
        seed,
        dataset: dataset.source,
        split: String(options.split),
      });
      progress.stage("writing artifact", 2, 3);
      await saveRouterArtifact(String(options.out), artifact);
      progress.stop();
      process.stdout.write(`trained ${artifact.router.kind} on ${examples.length} prompts × ${artifact.models.length} models in ${artifact.training.trainMs} ms → ${String(options.out)}\n`);
    });
}

async function trainWarmStart(
  options: Record<string, string | boolean | undefined>,
  command: Command,
  settings: { seed: number; params: Record<string, unknown> | undefined; trainFraction: number; note: (line: string) => void },
): Promise<void> {
  const source = String(options.warmStart);
  const offline = await loadRouterArtifact(source);
  let examples;
  let dataset: string | undefined;
  if (options.dataset !== undefined) {
    const datasetOptions = { dataset: String(options.dataset), seed: settings.seed, trainFraction: settings.trainFraction, includeContaminated: Boolean(options.includeContaminated) };
    const loaded = await loadForRouting(datasetOptions, settings.note);
    examples = splitOf(loaded, String(options.split), datasetOptions, settings.note);
    dataset = loaded.source;
  }
  const artifact = await warmStartArtifact({
    artifact: offline,
    source,
    router: String(options.router),
    params: settings.params,
    seed: settings.seed,
    requestedEmbedder: command.getOptionValueSource("embedder") === "cli" ? String(options.embedder).split(":")[0] : undefined,
    examples,
    dataset,
  });
  await saveRouterArtifact(String(options.out), artifact);
  process.stdout.write(`warm-started ${artifact.router.kind} from ${source} (${offline.router.kind})${examples ? ` + ${examples.length} labelled prompts` : ""} → ${String(options.out)}\n`);
}
