import type { Command } from "commander";
import { saveRouterArtifact } from "../../artifacts/router-artifact.js";
import { trainRouterArtifact } from "../../training/train-router-artifact.js";
import { loadForRouting, splitOf } from "../load-splits.js";
import { createProgress } from "../progress.js";
import { embedderHelp, parseEmbedderOption, parseParamsOption, routerHelp } from "../router-options.js";
import { parseNumberOption } from "../usage-error.js";

/** `switchyard train`: trains a router on one split of a dataset and writes its artifact. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train a router on a dataset split and write the artifact that serve, route and eval load")
    .requiredOption("--dataset <file>", "routing JSONL, a RouterBench CSV, or a directory of them (required)")
    .requiredOption("--out <file>", "where to write the router artifact (JSON) (required)")
    .option("--router <name>", routerHelp, "knn")
    .option("--split <name>", "split to train on", "train")
    .option("--embedder <kind>", embedderHelp, "hashed-tfidf")
    .option("--embedder-options <json>", "embedder options as JSON, e.g. '{\"parts\":[{\"kind\":\"hashed-tfidf\"},{\"kind\":\"word-vectors\",\"weight\":0.7}]}'")
    .option("--params <json>", "router parameters as a JSON object, e.g. '{\"k\":20}'")
    .option("--seed <n>", "seed for splits and training", "42")
    .option("--train-fraction <x>", "train share when the dataset defines no splits", "0.7")
    .option("--include-contaminated", "keep prompts marked contaminated")
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const seed = parseNumberOption("--seed", String(options.seed), { integer: true });
      const trainFraction = parseNumberOption("--train-fraction", String(options.trainFraction), { min: 0.01, max: 0.99 });
      const params = parseParamsOption(options.params as string | undefined);
      const embedder = parseEmbedderOption(String(options.embedder), options.embedderOptions as string | undefined);
      const note = (line: string): void => void process.stderr.write(`${line}\n`);
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
