import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import type { RoutingDataset, RoutingExample } from "../../src/data/routing-example.js";
import { startGatewayFromConfig } from "../../src/gateway/start-gateway-from-config.js";
import type { GatewayFromConfig } from "../../src/gateway/start-gateway-from-config.js";
import type { RunningServer } from "../../src/gateway/serve.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const samplePath = join(repositoryRoot, "examples/demo/routerbench-sample.jsonl");
const modelsPath = join(repositoryRoot, "examples/demo/models.json");

type Routed = ChatCompletionCreateParamsNonStreaming & { quality?: number; allowed_models?: string[] };

describe("serving a trained knn router over the replayed RouterBench fleet", () => {
  let directory: string;
  let configPath: string;
  let dataset: RoutingDataset;
  let testExamples: RoutingExample[];
  let replay: RunningServer;
  let gateway: GatewayFromConfig;
  let client: OpenAI;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "switchyard-serve-"));
    dataset = await loadDataset(samplePath);
    const train = dataset.examples.filter((example) => example.split === "train");
    testExamples = dataset.examples.filter((example) => example.split === "test").slice(0, 6);
    const artifact = await trainRouterArtifact({
      examples: train,
      models: dataset.models,
      router: "knn",
      dataset: "demo",
      split: "train",
      params: { k: 10, power: 1, priorWeight: 1 },
      now: () => new Date(0),
    });
    await saveRouterArtifact(join(directory, "router.json"), artifact);
    replay = await startReplayUpstream({ examples: dataset.examples });
    const prices = JSON.parse(await readFile(modelsPath, "utf8")) as { models: { id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }[] };
    configPath = join(directory, "switchyard.yaml");
    await writeFile(
      configPath,
      toYaml({
        server: { host: "127.0.0.1", port: 0 },
        router: { artifact: "./router.json", defaultQuality: 0.5 },
        upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1`, timeoutMs: 10_000 }],
        targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
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

  test("model auto answers each test prompt with the chosen model's recorded answer", async () => {
    assert.equal(gateway.engine.routerName, "knn");
    assert.deepEqual(gateway.fixedOnlyTargets, []);
    const chosenAt = { cheap: new Set<string>(), best: new Set<string>() };
    for (const example of testExamples) {
      for (const [knob, quality] of [["cheap", 0], ["best", 1]] as const) {
        const params: Routed = { model: "auto", quality, messages: [{ role: "user", content: normalizePromptText(example.prompt) }] };
        const { data, response } = await client.chat.completions.create(params).withResponse();
        const model = response.headers.get("x-switchyard-model") ?? "";
        assert.equal(response.headers.get("x-switchyard-router"), "knn");
        assert.ok(dataset.models.includes(model), `${model} is a fleet model`);
        assert.equal(data.model, model);
        assert.equal(data.choices[0]?.message.content, normalizePromptText(example.outcomes[model]?.response ?? ""));
        const quality01 = Number(response.headers.get("x-switchyard-predicted-quality"));
        assert.ok(quality01 >= 0 && quality01 <= 1);
        assert.ok(Number(response.headers.get("x-switchyard-predicted-cost-usd")) > 0);
        assert.ok(Number(response.headers.get("x-switchyard-decision-ms")) >= 0);
        chosenAt[knob].add(model);
      }
    }
    assert.ok(!chosenAt.cheap.has("gpt-4-1106-preview") || chosenAt.best.has("gpt-4-1106-preview"), "the cheap end does not prefer GPT-4 over the best end");
  });

  test("allowed_models restricts the real engine", async () => {
    const example = testExamples[0] as RoutingExample;
    const params: Routed = { model: "auto", quality: 1, allowed_models: ["mistralai/mistral-7b-chat"], messages: [{ role: "user", content: example.prompt }] };
    const { response } = await client.chat.completions.create(params).withResponse();
    assert.equal(response.headers.get("x-switchyard-model"), "mistralai/mistral-7b-chat");
  });

  test("`switchyard serve` starts from the config, prints its URL, answers, and stops on SIGTERM", async () => {
    const program = [
      'import { Command } from "commander";',
      'import { registerServe } from "./src/cli/commands/serve.ts";',
      "const program = new Command();",
      "registerServe(program);",
      "await program.parseAsync(process.argv.slice(process.argv.indexOf(\"serve\")), { from: \"user\" });",
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program, "serve", "--config", configPath, "--port", "0"], {
      cwd: repositoryRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        const match = /listening on (http:\/\/\S+) /.exec(stdout);
        if (match?.[1]) resolveUrl(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolveExit) => child.once("exit", resolveExit));
    try {
      const cli = new OpenAI({ baseURL: `${url}/v1`, apiKey: "test", maxRetries: 0 });
      const example = testExamples[1] as RoutingExample;
      const { data, response } = await cli.chat.completions.create({ model: "auto", messages: [{ role: "user", content: example.prompt }] }).withResponse();
      const model = response.headers.get("x-switchyard-model") ?? "";
      assert.equal(data.choices[0]?.message.content, normalizePromptText(example.outcomes[model]?.response ?? ""));
      assert.match(stdout, /routing "auto" with knn over 11 targets/);
    } finally {
      child.kill("SIGTERM");
    }
    assert.equal(await exited, 0);
  });

  test("serve without router.artifact runs a plain gateway: named targets only, auto is 400 router_not_configured", async () => {
    const bare = join(directory, "no-artifact.yaml");
    await writeFile(bare, toYaml({ store: { kind: "memory" }, upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1` }], targets: [{ id: "claude-v2", inputUsdPerMTok: 8, outputUsdPerMTok: 24 }] }));
    const plain = await startGatewayFromConfig({ configPath: bare, port: 0, logger: { info() {}, warn() {}, error() {} } });
    try {
      const auto = await fetch(`${plain.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }) });
      assert.equal(auto.status, 400);
      assert.equal(((await auto.json()) as { error: { code: string } }).error.code, "router_not_configured");
      assert.deepEqual(plain.fixedOnlyTargets, ["claude-v2"]);
    } finally {
      await plain.shutdown(0);
    }
  });
});
