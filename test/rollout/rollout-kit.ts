import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import type { RoutingDataset } from "../../src/data/routing-example.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A directory with two fixed-choice artifacts that pick different models, and a config over the demo fleet. */
export interface RolloutFixture {
  directory: string;
  dataset: RoutingDataset;
  /** Always the cheapest model. */
  cheapPath: string;
  cheapModel: string;
  /** Always the best single model. */
  bestPath: string;
  bestModel: string;
  writeConfig(upstreamBaseUrl: string, extra?: Record<string, unknown>): Promise<string>;
}

export async function rolloutFixture(): Promise<RolloutFixture> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-rollout-"));
  const dataset = await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"));
  const train = dataset.examples.filter((example) => example.split === "train");
  const paths: Record<string, string> = {};
  const choices: Record<string, string> = {};
  for (const router of ["cheapest", "best-single"]) {
    const artifact = await trainRouterArtifact({ examples: train, models: dataset.models, router, dataset: "demo", split: "train", now: () => new Date(0) });
    paths[router] = join(directory, `${router}.json`);
    choices[router] = (artifact.router as unknown as { choice: string }).choice;
    await saveRouterArtifact(paths[router]!, artifact);
  }
  const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
  return {
    directory,
    dataset,
    cheapPath: paths.cheapest!,
    cheapModel: choices.cheapest!,
    bestPath: paths["best-single"]!,
    bestModel: choices["best-single"]!,
    async writeConfig(upstreamBaseUrl, extra = {}) {
      const configPath = join(directory, "switchyard.yaml");
      await writeFile(
        configPath,
        toYaml({
          server: { host: "127.0.0.1", port: 0 },
          router: { artifact: "./router.json" },
          upstreams: [{ name: "replay", baseUrl: upstreamBaseUrl, timeoutMs: 10_000 }],
          targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
          store: { kind: "memory" },
          logging: { requests: false },
          traces: { flushIntervalMs: 60_000 },
          ...extra,
        }),
      );
      return configPath;
    },
  };
}
