import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { willingnessToPayForKnob } from "../../src/core/knob-calibration.js";
import { createRandom } from "../../src/core/random.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import type { RoutingDataset, RoutingExample } from "../../src/data/routing-example.js";
import type { RunningServer } from "../../src/gateway/serve.js";
import { startGatewayFromConfig, type GatewayFromConfig } from "../../src/gateway/start-gateway-from-config.js";
import type { RouteInput } from "../../src/routers/router.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const samplePath = join(repositoryRoot, "examples/demo/routerbench-sample.jsonl");
const modelsPath = join(repositoryRoot, "examples/demo/models.json");
const requestCount = 2_000;
const concurrency = 8;
const banditKind = "linucb";

type Routed = ChatCompletionCreateParamsNonStreaming & { quality?: number };

/**
 * The end-to-end figure: the real gateway (loopback, SQLite store) in front of the replay
 * upstream playing RouterBench's recorded answers, a cold-start bandit router, and a client using the
 * official `openai` package that sends 2,000 routed requests and, over HTTP, a feedback for each (the
 * dataset's score of the served model on that prompt). The best model's share of the traffic must rise,
 * and after a restart on the same store the learned state must be back.
 */
describe("online learning end to end: 2,000 requests with feedback over HTTP", () => {
  let directory: string;
  let configPath: string;
  let dataset: RoutingDataset;
  let replay: RunningServer;
  let gateway: GatewayFromConfig | undefined;
  let client: OpenAI;
  const served: string[] = [];
  const requestIds: string[] = [];
  let bestModel = "";
  let willingnessToPay = 0;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "switchyard-online-"));
    dataset = await loadDataset(samplePath);
    // The embedder, cost model and knob calibration come from an offline artifact (a cold bandit's
    // constant predictions cannot calibrate the knob); the router is a cold-start LinUCB bandit that has
    // learned nothing (`fitLabels: false`). Both are trained on the same split with the same embedder.
    const train = dataset.examples.filter((example) => example.split === "train");
    const common = { examples: train, models: dataset.models, dataset: "demo", split: "train", now: () => new Date(0) };
    const offline = await trainRouterArtifact({ ...common, router: "knn", params: { k: 10, power: 1, priorWeight: 1 } });
    const bandit = await trainRouterArtifact({ ...common, router: banditKind, params: { fitLabels: false } });
    assert.deepEqual(bandit.embedder, offline.embedder);
    willingnessToPay = willingnessToPayForKnob(offline.calibration, 1);
    await saveRouterArtifact(join(directory, "router.json"), { ...offline, router: bandit.router });
    replay = await startReplayUpstream({ examples: dataset.examples });
    const prices = JSON.parse(await readFile(modelsPath, "utf8")) as { models: { id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }[] };
    configPath = join(directory, "switchyard.yaml");
    await writeFile(
      configPath,
      toYaml({
        server: { host: "127.0.0.1", port: 0 },
        router: { artifact: "./router.json" },
        upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1`, timeoutMs: 10_000 }],
        targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
        store: { kind: "sqlite", path: "./data/switchyard.db" },
        logging: { level: "silent", requests: false },
        learning: { snapshotEvery: 300 },
      }),
    );
    gateway = await startGatewayFromConfig({ configPath });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
  });
  after(async () => {
    await gateway?.close();
    await replay?.close();
    await rm(directory, { recursive: true, force: true });
  });

  test("the best model's share rises as feedback arrives, and the learned state survives a restart", { timeout: 400_000 }, async () => {
    assert.equal(gateway?.learning?.source, "artifact");
    // The best model is the one with the highest mean objective (willingness-to-pay at knob 1 × score − cost)
    // over the prompts: what a context-free bandit that learned everything would serve.
    const meanObjective = (model: string) =>
      dataset.examples.reduce((sum, example) => sum + willingnessToPay * (example.outcomes[model]?.score ?? 0) - (example.outcomes[model]?.costUsd ?? 0), 0) / dataset.examples.length;
    bestModel = [...dataset.models].sort((a, b) => meanObjective(b) - meanObjective(a))[0]!;

    const random = createRandom(11);
    const order: RoutingExample[] = Array.from({ length: requestCount }, () => dataset.examples[Math.floor(random() * dataset.examples.length)]!);
    let next = 0;
    const worker = async () => {
      while (next < order.length) {
        const index = next++;
        const example = order[index]!;
        const params: Routed = { model: "auto", quality: 1, messages: [{ role: "user", content: normalizePromptText(example.prompt) }] };
        const { data, response } = await client.chat.completions.create(params).withResponse();
        const model = response.headers.get("x-switchyard-model") ?? "";
        const requestId = response.headers.get("x-request-id") ?? "";
        assert.equal(data.model, model);
        assert.ok(Number(response.headers.get("x-switchyard-propensity")) > 0);
        served[index] = model;
        requestIds[index] = requestId;
        const score = example.outcomes[model]?.score;
        assert.ok(score !== undefined, `${model} has a recorded score`);
        const feedback = (await client.post("/feedback", { body: { request_id: requestId, score } })) as { learned?: boolean };
        assert.equal(feedback.learned, true);
      }
    };
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    // Client, gateway and replay upstream share this process: CPU seconds are what the loop costs on an idle machine.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;

    const quarter = requestCount / 4;
    const shareOf = (models: string[]) => models.filter((model) => model === bestModel).length / models.length;
    const first = shareOf(served.slice(0, quarter));
    const last = shareOf(served.slice(-quarter));
    // A policy that does not learn serves the same share in both quarters; 500 requests each put the
    // chance difference at a few points (σ ≈ 3), far below the margin.
    const cold = shareOf(served.slice(0, 100));
    const windows = Array.from({ length: requestCount / 250 }, (_, i) => shareOf(served.slice(i * 250, (i + 1) * 250)).toFixed(2));
    console.log(`# ${banditKind}: ${requestCount} requests + feedback in ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU; ${bestModel} share: first 100 ${cold.toFixed(3)}, first quarter ${first.toFixed(3)}, last quarter ${last.toFixed(3)}; per 250: ${windows.join(" ")}`);
    // A policy that does not learn serves the same expected share throughout. Binomial spread of a
    // 500-request share is ≤ 2.3 points (σ of the difference ≤ 3.2), of a 100-request share ≤ 5 points.
    assert.ok(last >= first + 0.08, `best model ${bestModel}: first-quarter share ${first.toFixed(3)}, last-quarter share ${last.toFixed(3)}`);
    assert.ok(last >= cold + 0.4, `best model ${bestModel}: share over the first 100 requests ${cold.toFixed(3)}, last quarter ${last.toFixed(3)}`);
    assert.ok(last >= 0.6, `last-quarter share of ${bestModel} is ${last.toFixed(3)}`);

    const metrics = await (await fetch(`${gateway!.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`switchyard_learning_updates_total\\{source="feedback"\\} ${requestCount}\\b`));
    assert.match(metrics, new RegExp(`switchyard_learning_routed_total\\{target="${bestModel.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}",explored="(true|false)"\\} \\d+`));
    assert.match(metrics, /switchyard_learning_traffic_share\{target="[^"]+"\} [\d.]+/);

    // Restart on the same store: the learned state (snapshot + update log) is back, predictions included.
    const probe: RouteInput = { text: "What is 2 + 2?", embedding: new Float32Array(1), promptTokens: 8 };
    const predictionsBefore = gateway!.engine.router!.predictQuality(probe);
    const stateBefore = JSON.stringify(gateway!.engine.router!.toState());
    const modelsBefore = [...gateway!.engine.router!.models];
    assert.equal(gateway!.learner?.updates(), requestCount);
    await gateway!.shutdown(1_000);
    gateway = await startGatewayFromConfig({ configPath });
    assert.equal(gateway.learning?.source, "store");
    assert.equal(gateway.learning?.updates, requestCount);
    assert.deepEqual([...gateway.engine.router!.models], modelsBefore);
    // The learned statistics are back exactly; predictions to rounding.
    assert.equal(JSON.stringify(gateway.engine.router!.toState()), stateBefore);
    const predictionsAfter = gateway.engine.router!.predictQuality(probe);
    // A rebuilt bandit inverts its Gram matrices afresh instead of carrying the rank-1-updated inverses.
    predictionsBefore.forEach((value, i) => assert.ok(Math.abs(predictionsAfter[i]! - value) < 1e-6, `prediction ${i}: ${predictionsAfter[i]} vs ${value}`));
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
    // A request learned from before the restart cannot be learned from twice.
    await assert.rejects(client.post("/feedback", { body: { request_id: requestIds[0], score: 1 } }), (error: unknown) => error instanceof OpenAI.APIError && error.status === 409);
    // The restarted gateway keeps routing mostly to the best model.
    let best = 0;
    for (const example of dataset.examples.slice(0, 40)) {
      const params: Routed = { model: "auto", quality: 1, messages: [{ role: "user", content: normalizePromptText(example.prompt) }] };
      const { response } = await client.chat.completions.create(params).withResponse();
      if (response.headers.get("x-switchyard-model") === bestModel) best++;
    }
    assert.ok(best >= 24, `${best} of 40 requests after the restart went to ${bestModel}`);
  });

  test("malformed feedback and rewards outside [0, 1] get 400 and teach nothing", async () => {
    const before = gateway!.learner!.updates();
    const params: Routed = { model: "auto", quality: 1, messages: [{ role: "user", content: normalizePromptText(dataset.examples[0]!.prompt) }] };
    const { response } = await client.chat.completions.create(params).withResponse();
    const requestId = response.headers.get("x-request-id") ?? "";
    for (const body of [{ request_id: requestId, score: 1.5 }, { request_id: requestId, score: -0.1 }, { request_id: requestId }, { request_id: requestId, score: "1" }, { request_id: requestId, score: 1, extra: true }]) {
      await assert.rejects(client.post("/feedback", { body }), (error: unknown) => error instanceof OpenAI.APIError && error.status === 400);
    }
    const raw = await fetch(`${gateway!.url}/v1/feedback`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    assert.equal(raw.status, 400);
    await assert.rejects(client.post("/feedback", { body: { request_id: "never-seen", score: 1 } }), (error: unknown) => error instanceof OpenAI.APIError && error.status === 404);
    assert.equal(gateway!.learner!.updates(), before);
    const ok = (await client.post("/feedback", { body: { request_id: requestId, score: 1 } })) as { learned: boolean };
    assert.equal(ok.learned, true);
    assert.equal(gateway!.learner!.updates(), before + 1);
  });
});
