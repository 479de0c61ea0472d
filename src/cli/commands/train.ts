import type { Command } from "commander";
import { loadRouterArtifact, saveRouterArtifact } from "../../artifacts/router-artifact.js";
import { warmStartArtifact } from "../../training/warm-start-artifact.js";
import { trainRouterArtifact } from "../../training/train-router-artifact.js";
import { loadForRouting, splitOf } from "../load-splits.js";
import { createProgress } from "../progress.js";
import { parseEmbedderOption, parseParamsOption } from "../router-options.js";
import { parseNumberOption, UsageError } from "../usage-error.js";

/** `switchyard train`: trains a router on one split of a dataset and writes its artifact. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train a router on a dataset split and write the artifact that serve, route and eval load")
    .option("--dataset <file>", "routing JSONL, a RouterBench CSV, or a directory of them (required unless --warm-start)")
    .requiredOption("--out <file>", "where to write the router artifact (JSON)")
    .option("--router <name>", "routing strategy", "knn")
    .option("--split <name>", "split to train on", "train")
    .option("--embedder <kind>", "featurizer: hashed-tfidf, word-vectors, combined, onnx:DIR, remote", "hashed-tfidf")
    .option("--embedder-options <json>", "embedder options as JSON, e.g. '{\"parts\":[{\"kind\":\"hashed-tfidf\"},{\"kind\":\"word-vectors\",\"weight\":0.7}]}'")
    .option("--params <json>", "router parameters as a JSON object, e.g. '{\"k\":20}'")
    .option("--seed <n>", "seed for splits and training", "42")
    .option("--train-fraction <x>", "train share when the dataset defines no splits", "0.7")
    .option("--include-contaminated", "keep prompts marked contaminated")
    .option("--warm-start <artifact>", "bandit routers (linucb, thompson, eps-greedy): start from this offline artifact's router as the prior (its embedder, cost model and calibration are reused); --dataset then optionally adds labelled prompts it did not train on")
    .action(async (options: Record<string, string | boolean | undefined>, command: Command) => {
      const seed = parseNumberOption("--seed", String(options.seed), { integer: true });
      const trainFraction = parseNumberOption("--train-fraction", String(options.trainFraction), { min: 0.01, max: 0.99 });
      const params = parseParamsOption(options.params as string | undefined);
      const embedder = parseEmbedderOption(String(options.embedder), options.embedderOptions as string | undefined);
      const note = (line: string): void => void process.stderr.write(`${line}\n`);
      if (options.warmStart !== undefined) {
        await trainWarmStart(options, command, { seed, params, trainFraction, note });
        return;
      }
      if (options.dataset === undefined) throw new UsageError("--dataset is required (or --warm-start ARTIFACT for a bandit router)");
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
