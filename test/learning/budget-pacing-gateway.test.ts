import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import type { RoutingDataset } from "../../src/data/routing-example.js";
import { globalBudgetAccount } from "../../src/learning/budget-pacing.js";
import { periodStartOf } from "../../src/limits/budget-period.js";
import type { RunningServer } from "../../src/gateway/serve.js";
import { startGatewayFromConfig, type GatewayFromConfig } from "../../src/gateway/start-gateway-from-config.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
type Routed = ChatCompletionCreateParamsNonStreaming & { quality?: number };

let directory: string;
let dataset: RoutingDataset;
let replay: RunningServer;
let gateway: GatewayFromConfig | undefined;
let configPath: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), "switchyard-pacing-"));
  dataset = await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"));
  const train = dataset.examples.filter((example) => example.split === "train");
  const common = { examples: train, models: dataset.models, dataset: "demo", split: "train", now: () => new Date(0) };
  // A warm bandit (fitted on the training labels) with the offline knob calibration.
  const offline = await trainRouterArtifact({ ...common, router: "knn", params: { k: 10, power: 1, priorWeight: 1 } });
  const bandit = await trainRouterArtifact({ ...common, router: "linucb" });
  await saveRouterArtifact(join(directory, "router.json"), { ...offline, router: bandit.router });
  replay = await startReplayUpstream({ examples: dataset.examples });
  const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: { id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }[] };
  configPath = join(directory, "switchyard.yaml");
  await writeFile(
    configPath,
    toYaml({
      server: { host: "127.0.0.1", port: 0 },
      router: { artifact: "./router.json" },
      upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1`, timeoutMs: 10_000 }],
      targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
      store: { path: "./data/switchyard.db" },
      logging: { level: "silent", requests: false },
      // The judge grades every answer; the replay upstream has no answer to its grading prompt, so
      // every judge call fails — which must never fail (or slow) the user's request.
      learning: { budget: { usd: 0.05, period: "day" }, judge: { target: "claude-v1", sampleRate: 1, timeoutMs: 5_000 } },
    }),
  );
  gateway = await startGatewayFromConfig({ configPath });
});
after(async () => {
  await gateway?.close();
  await replay?.close();
  await rm(directory, { recursive: true, force: true });
});

test("a paced global budget: spend stays within it, traffic moves to cheaper models instead of being refused, the pacer survives a restart; judge failures fail nothing", { timeout: 300_000 }, async () => {
  const client = new OpenAI({ baseURL: `${gateway!.url}/v1`, apiKey: "test", maxRetries: 0 });
  // At quality 1 an unpaced router serves mostly GPT-4 (~$0.005 a request): $0.05 would last ~10 requests.
  const prompts = dataset.examples.slice(0, 120);
  let spent = 0;
  let answered = 0;
  let refused = 0;
  const servedBy = new Map<string, number>();
  for (const example of prompts) {
    const params: Routed = { model: "auto", quality: 1, messages: [{ role: "user", content: normalizePromptText(example.prompt) }] };
    try {
      const { response } = await client.chat.completions.create(params).withResponse();
      answered++;
      spent += Number(response.headers.get("x-switchyard-cost-usd") ?? "0");
      const model = response.headers.get("x-switchyard-model") ?? "";
      servedBy.set(model, (servedBy.get(model) ?? 0) + 1);
    } catch (error) {
      assert.ok(error instanceof OpenAI.APIError && error.status === 429, String(error));
      refused++;
    }
  }
  assert.ok(spent <= 0.05 + 1e-12, `spent $${spent} of a $0.05 budget`);
  assert.ok(answered >= 60, `${answered} answered, ${refused} refused; served by ${JSON.stringify([...servedBy])}`);
  assert.ok((servedBy.get("gpt-4-1106-preview") ?? 0) < answered / 2, `GPT-4 served ${servedBy.get("gpt-4-1106-preview")} of ${answered}`);

  console.log(`# paced $0.05: ${answered} answered, ${refused} refused, spent $${spent.toFixed(6)}; served by ${JSON.stringify(Object.fromEntries(servedBy))}`);
  const metrics = await (await fetch(`${gateway!.url}/metrics`)).text();
  await gateway!.shutdown(2_000);

  assert.match(metrics, /switchyard_learning_judge_calls_total\{outcome="failed"\} \d+/);
  assert.doesNotMatch(metrics, /switchyard_learning_judge_calls_total\{outcome="ok"\}/);

  // The pacer's state and the global ledger are in the store; after a restart the budget still holds.
  gateway = await startGatewayFromConfig({ configPath });
  const state = JSON.parse((await gateway.services.store.learning.pacerState("global")) ?? "{}") as { spentUsd?: number; requests?: number };
  // The cost header is rounded to 6 significant digits.
  assert.ok(Math.abs((state.spentUsd ?? 0) - spent) < 1e-7, `pacer state spent ${state.spentUsd}, responses said ${spent}`);
  assert.equal(state.requests, answered);
  // The judge's outcome is a trace attribute, apart from the request's own cost.
  const judged = await gateway.services.store.traces.list({ outcome: "ok", limit: 200 });
  assert.equal(judged.length, answered);
  assert.ok(judged.every((trace) => trace.judge?.score === null && trace.judge.costUsd === 0));
  const totals = await gateway.services.store.usage.totals(globalBudgetAccount, periodStartOf("day", Date.now()));
  assert.ok(Math.abs(totals.spentUsd - spent) < 1e-6);
  const again = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
  let more = 0;
  for (const example of dataset.examples.slice(120, 160)) {
    const params: Routed = { model: "auto", quality: 1, messages: [{ role: "user", content: normalizePromptText(example.prompt) }] };
    try {
      const { response } = await again.chat.completions.create(params).withResponse();
      more += Number(response.headers.get("x-switchyard-cost-usd") ?? "0");
    } catch (error) {
      assert.ok(error instanceof OpenAI.APIError && error.status === 429, String(error));
    }
  }
  assert.ok(spent + more <= 0.05 + 1e-12, `spent $${spent + more} in total`);
});
