import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { stringify as toYaml } from "yaml";
import { artifactVersionOf } from "../../src/artifacts/artifact-version.js";
import { offlineTargetsOf } from "../../src/artifacts/offline-targets.js";
import { saveRouterArtifact, type RouterArtifact } from "../../src/artifacts/router-artifact.js";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import { queryOfPrompt } from "../../src/core/query.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import type { RoutingExample } from "../../src/data/routing-example.js";
import type { RoutingLogEntry } from "../../src/data/routing-log-entry.js";
import { startGatewayFromConfig } from "../../src/gateway/start-gateway-from-config.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { sha256Hex } from "../../src/util/sha256-hex.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const samplePath = join(root, "examples/demo/routerbench-sample.jsonl");
const modelsPath = join(root, "examples/demo/models.json");
const ROUTED = 36;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, "bin/switchyard.js"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const readLines = async <T>(path: string): Promise<T[]> => (await readFile(path, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as T);

describe("decision log → export → ope / train / batch route, through the real gateway and CLI", () => {
  let directory: string;
  let configPath: string;
  let artifact: RouterArtifact;
  let testExamples: RoutingExample[];
  const served = new Map<string, { model: string; prompt: string; knob: number }>();
  // Alternate ends of the knob so the log holds more than one served model.
  const knobOf = (i: number) => (i % 2 === 0 ? 1 : 0);

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "switchyard-ope-"));
    const dataset = await loadDataset(samplePath);
    testExamples = dataset.examples.filter((example) => example.split === "test").slice(0, ROUTED);
    artifact = await trainRouterArtifact({
      examples: dataset.examples.filter((example) => example.split === "train"),
      models: dataset.models,
      router: "knn",
      dataset: "demo",
      split: "train",
      params: { k: 10, power: 1, priorWeight: 1 },
      now: () => new Date(0),
    });
    await saveRouterArtifact(join(directory, "router.json"), artifact);
    const replay = await startReplayUpstream({ examples: dataset.examples });
    const prices = JSON.parse(await readFile(modelsPath, "utf8")) as { models: { id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }[] };
    configPath = join(directory, "switchyard.yaml");
    await writeFile(
      configPath,
      toYaml({
        server: { host: "127.0.0.1", port: 0 },
        router: { artifact: "./router.json", defaultQuality: 0.5 },
        upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1`, timeoutMs: 10_000 }],
        targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
        store: { path: "./data/switchyard.db" },
        traces: { storeText: true },
        logging: { requests: false },
      }),
    );
    const gateway = await startGatewayFromConfig({ configPath });
    try {
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
      for (const [i, example] of testExamples.entries()) {
        const body = { model: "auto", quality: knobOf(i), messages: [{ role: "user" as const, content: example.prompt }] };
        const { response } = await client.chat.completions.create(body).withResponse();
        const id = response.headers.get("x-request-id")!;
        const model = response.headers.get("x-switchyard-model")!;
        served.set(id, { model, prompt: example.prompt, knob: knobOf(i) });
        const feedback = await fetch(`${gateway.url}/v1/feedback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ request_id: id, score: example.outcomes[model]!.score }) });
        assert.equal(feedback.status, 200);
      }
      // A request naming its model is not a routing decision: the export leaves it out.
      await client.chat.completions.create({ model: dataset.models[0]!, messages: [{ role: "user", content: testExamples[0]!.prompt }] });
    } finally {
      await gateway.close();
      await replay.close();
    }
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test("traces export --format routing-log writes one documented line per routed decision", async () => {
    const out = join(directory, "log.jsonl");
    const result = cli("traces", "export", "--config", configPath, "--format", "routing-log", "--out", out);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), `wrote ${ROUTED} decisions (${ROUTED} with a reward, ${ROUTED} with prompt text); left out 1 not routed to ${out}`);
    const entries = await readLines<RoutingLogEntry & Record<string, unknown>>(out);
    assert.equal(entries.length, ROUTED);
    for (const entry of entries) {
      const request = served.get(entry.id)!;
      assert.equal(entry.model, request.model);
      assert.equal(entry.prompt, request.prompt);
      assert.equal(entry.promptHash, sha256Hex(request.prompt));
      assert.equal(entry.propensity, 1);
      assert.equal(entry.router, "knn");
      assert.equal(entry.artifact, artifactVersionOf(artifact));
      assert.equal(entry.knob, request.knob);
      assert.ok(typeof entry.reward === "number" && typeof entry.costUsd === "number" && entry.costUsd > 0);
      assert.equal(entry.candidates.length, artifact.models.length);
      assert.ok(entry.candidates.every((candidate) => Object.keys(candidate).join() === "model,predictedQuality,predictedCostUsd"));
      assert.deepEqual(Object.keys(entry).slice(0, 10), ["id", "prompt", "promptHash", "model", "propensity", "reward", "costUsd", "candidates", "router", "artifact"]);
    }
  });

  test("ope on the gateway's own log: the logging router evaluates to its logged value; other candidates are refused", async () => {
    const log = join(directory, "log.jsonl");
    const own = cli("ope", "--log", log, "--artifact", join(directory, "router.json"), "--json");
    assert.equal(own.status, 0, own.stderr);
    const report = JSON.parse(own.stdout) as { estimators: Record<string, { reward: number; rewardCi: number[]; costUsd: number; costCi: number[] }>; effectiveSampleSize: number; logging: { reward: number; costUsd: number } };
    assert.deepEqual(Object.keys(report.estimators).sort(), ["dr", "ips", "snips"]);
    assert.equal(report.effectiveSampleSize, ROUTED);
    for (const name of ["ips", "snips"]) {
      assert.ok(Math.abs(report.estimators[name]!.reward - report.logging.reward) < 1e-12, name);
      assert.ok(Math.abs(report.estimators[name]!.costUsd - report.logging.costUsd) < 1e-15, name);
    }
    const human = cli("ope", "--log", log, "--artifact", join(directory, "router.json"), "--estimators", "snips");
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /effective sample size 36\.0/);
    assert.match(human.stdout, /^snips\s+\d\.\d{4}\s+\[/m);
    assert.match(human.stdout, /^logging\s+/m);
    assert.match(human.stdout, /SNIPS reward interval: betting/);
    assert.equal((JSON.parse(own.stdout) as { snipsInterval: string }).snipsInterval, "betting");
    const normal = cli("ope", "--log", log, "--artifact", join(directory, "router.json"), "--estimators", "snips", "--snips-interval", "normal", "--json");
    assert.equal(normal.status, 0, normal.stderr);
    assert.equal((JSON.parse(normal.stdout) as { snipsInterval: string }).snipsInterval, "normal");
    const badInterval = cli("ope", "--log", log, "--artifact", join(directory, "router.json"), "--snips-interval", "wide");
    assert.notEqual(badInterval.status, 0);
    assert.match(badInterval.stderr, /--snips-interval must be betting or normal, got "wide"/);

    // At one knob for every row the candidate disagrees with the rows logged at the other end.
    const cheapest = cli("ope", "--log", log, "--artifact", join(directory, "router.json"), "--knob", "0");
    assert.equal(cheapest.status, 1);
    assert.match(cheapest.stderr, /every logged propensity is 1 \(deterministic logging\) and the candidate chooses another model on \d+\.\d% of the rows/);

    const entries = await readLines<RoutingLogEntry>(log);
    const hashOnly = join(directory, "hash-only.jsonl");
    await writeFile(hashOnly, entries.map(({ prompt: _prompt, ...rest }) => JSON.stringify(rest)).join("\n"));
    const hashed = cli("ope", "--log", hashOnly, "--artifact", join(directory, "router.json"));
    assert.equal(hashed.status, 1);
    assert.match(hashed.stderr, /36 of 36 log rows have no prompt text \(only a hash/);

    const dropped = artifact.models.at(-1)!;
    const narrowed = join(directory, "narrowed.jsonl");
    await writeFile(narrowed, entries.filter((entry) => entry.model !== dropped).map((entry) => JSON.stringify({ ...entry, candidates: entry.candidates.filter((candidate) => candidate.model !== dropped) })).join("\n"));
    const missing = cli("ope", "--log", narrowed, "--artifact", join(directory, "router.json"));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, new RegExp(`the candidate routes to ${dropped.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}, which never appear among the log's candidates`));

    const badLine = join(directory, "bad.jsonl");
    await writeFile(badLine, `${JSON.stringify(entries[0])}\n${JSON.stringify({ ...entries[1], propensity: 0 })}\n`);
    const bad = cli("ope", "--log", badLine, "--artifact", join(directory, "router.json"));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /bad\.jsonl:2: propensity: expected a probability in \(0, 1\]/);
  });

  test("route --input --output makes the gateway's decisions, one compact line per prompt", async () => {
    const input = join(directory, "prompts.jsonl");
    const output = join(directory, "decisions.jsonl");
    await writeFile(input, testExamples.map((example) => JSON.stringify({ id: example.id, prompt: example.prompt })).join("\n"));
    const result = cli("route", "--artifact", join(directory, "router.json"), "--input", input, "--output", output, "--quality", "1");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`routed ${ROUTED} prompts in \\d+\\.\\d+ s: \\d+ prompts/s wall`));
    const decisions = await readLines<{ id: string; model: string; predictedQuality: number; predictedCostUsd: number }>(output);
    const engine = await createRoutingEngine({ artifact, targets: offlineTargetsOf(artifact) });
    const servedAtOne = new Map([...served.values()].filter((request) => request.knob === 1).map((request) => [request.prompt, request.model]));
    for (const [i, example] of testExamples.entries()) {
      const decision = await engine.decide(queryOfPrompt(example.prompt, { quality: 1 }));
      const chosen = decision.candidates.find((candidate) => candidate.model === decision.model)!;
      assert.deepEqual(decisions[i], { id: example.id, model: decision.model, predictedQuality: chosen.predictedQuality, predictedCostUsd: chosen.predictedCostUsd });
      if (knobOf(i) === 1) assert.equal(decisions[i]!.model, servedAtOne.get(example.prompt), "the gateway served the same model");
    }
    const single = cli("route", "--artifact", join(directory, "router.json"), "--prompt", testExamples[0]!.prompt, "--quality", "1");
    assert.equal((JSON.parse(single.stdout) as { model: string }).model, decisions[0]!.model);
  });

  test("train --dataset LOG trains knn from the decision log; a full-matrix router refuses", async () => {
    const log = join(directory, "log.jsonl");
    const trained = cli("train", "--dataset", log, "--router", "knn", "--out", join(directory, "from-log.json"));
    assert.equal(trained.status, 0, trained.stderr);
    assert.match(trained.stdout, /trained knn on a decision log of 36 rewarded decisions × \d+ models/);
    const refused = cli("train", "--log", log, "--router", "matrix-factorization", "--out", join(directory, "mf.json"));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /the matrix-factorization router needs every model's score on every prompt/);
  });
});
