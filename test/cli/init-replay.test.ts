import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { parse as parseYaml } from "yaml";
import { initConfigText, parseTargetSpec, providerPresets, type ProviderPresetName } from "../../src/cli/init-config-text.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import { loadConfig, parseConfig } from "../../src/gateway/config.js";
import { demoSamplePath } from "../../src/testing/demo-sample.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function cli(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, "bin/switchyard.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("every provider preset, alone and together, gives a config the gateway schema accepts", () => {
  const names = Object.keys(providerPresets) as ProviderPresetName[];
  const base = { artifact: "router.json", azureUrl: "https://example.openai.azure.com", compatibleBaseUrl: "http://127.0.0.1:11434/v1", compatibleApiKeyEnv: "LOCAL_KEY" };
  for (const providers of [...names.map((name) => [name]), names]) {
    const targets = providers.includes("compatible") ? [parseTargetSpec("llama3:8b,compatible,0,0")] : [];
    const config = parseConfig(parseYaml(initConfigText({ ...base, providers, targets })), "switchyard.yaml");
    assert.deepEqual(config.upstreams.map((upstream) => upstream.name), providers);
    assert.ok(config.targets.length >= providers.length, "every provider has at least one target");
    for (const target of config.targets) assert.ok(providers.includes(target.upstream as ProviderPresetName));
    for (const upstream of config.upstreams) if (upstream.name !== "compatible") assert.match(upstream.apiKeyEnv ?? "", /^[A-Z_]+_API_KEY$/, "keys come from environment variables");
  }
  assert.throws(() => parseTargetSpec("gpt-4o,openai,0.15"), /--target must be ID,UPSTREAM,INPUT_USD_PER_MTOK,OUTPUT_USD_PER_MTOK/);
  assert.throws(() => parseTargetSpec("gpt-4o,openai,cheap,1"), /--target must be/);
  assert.throws(() => initConfigText({ ...base, providers: ["openai"], targets: [parseTargetSpec("m,anthropic,1,1")] }), /upstream "anthropic" is not one of the chosen --provider presets/);
});

test("switchyard init writes a commented switchyard.yaml that loads, and refuses bad flags with one line", async () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-init-"));
  const written = cli(directory, "init", "--provider", "openai,anthropic,compatible", "--base-url", "http://127.0.0.1:8000/v1", "--target", "qwen2.5-7b,compatible,0.1,0.2", "--target", "gpt-4o-mini,openai,0.15,0.6");
  assert.equal(written.status, 0, written.stderr);
  const text = readFileSync(join(directory, "switchyard.yaml"), "utf8");
  assert.match(text, /^# Switchyard gateway configuration/);
  assert.match(text, /apiKeyEnv: OPENAI_API_KEY/);
  const config = await loadConfig(join(directory, "switchyard.yaml"));
  assert.deepEqual(
    config.targets.map((target) => target.id),
    ["qwen2.5-7b", "gpt-4o-mini", "claude-haiku", "claude-sonnet"],
    "explicit targets, then the examples of presets no --target names",
  );
  assert.equal(config.router.artifact, join(directory, "router.json"));

  const cases: Array<[string[], RegExp]> = [
    [["init"], /switchyard\.yaml already exists; pass --force/],
    [["init", "--out", "b.yaml", "--provider", "openai,bedrock"], /unknown preset "bedrock" \(known: openai, anthropic, azure, compatible\)/],
    [["init", "--out", "b.yaml", "--provider", "compatible", "--target", "m,compatible,1,1"], /--base-url is required with --provider compatible/],
    [["init", "--out", "b.yaml", "--provider", "compatible", "--base-url", "http://127.0.0.1:1/v1"], /needs at least one --target/],
    [["init", "--out", "b.yaml", "--target", "m,openai,1"], /--target must be ID,UPSTREAM/],
    [["init", "--out", "b.yaml", "--provider", "compatible", "--base-url", "not a url", "--target", "m,compatible,1,1"], /upstreams\.0\.baseUrl/],
  ];
  for (const [args, message] of cases) {
    const result = cli(directory, ...args);
    assert.equal(result.status, args.includes("not a url") ? 1 : 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
  assert.equal(cli(directory, "init", "--force", "--provider", "anthropic").status, 0);
  assert.deepEqual((await loadConfig(join(directory, "switchyard.yaml"))).upstreams.map((upstream) => upstream.name), ["anthropic"]);
});

test("switchyard replay serves a dataset's recorded answers to the openai client until SIGTERM", async () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-replay-"));
  const dataset = await loadDataset(demoSamplePath);
  const example = dataset.examples.find((candidate) => candidate.outcomes["gpt-4-1106-preview"]?.response)!;
  const child = spawn(process.execPath, [join(root, "bin/switchyard.js"), "replay", "--dataset", demoSamplePath, "--port", "0"], { cwd: directory, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  try {
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((done, fail) => {
      lines.once("line", done);
      child.once("exit", () => fail(new Error(`replay exited early: ${stderr}`)));
    });
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(first)?.[1];
    assert.ok(url, first);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    const models = await client.models.list();
    assert.equal(models.data.length, dataset.models.length);
    const completion = await client.chat.completions.create({ model: "gpt-4-1106-preview", messages: [{ role: "user", content: example.prompt }] });
    // RouterBench stores answers as Python list literals; the replay serves their text, as the demo does.
    assert.equal(completion.choices[0]?.message.content, normalizePromptText(example.outcomes["gpt-4-1106-preview"]!.response!));
    await assert.rejects(client.chat.completions.create({ model: "gpt-4-1106-preview", messages: [{ role: "user", content: "a prompt nobody recorded" }] }), (error: unknown) => error instanceof OpenAI.NotFoundError);
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, stderr);

  writeFileSync(join(directory, "bad.txt"), "x");
  const bad = cli(directory, "replay", "--dataset", "bad.txt", "--port", "0");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /bad\.txt: unknown dataset format/);
  assert.equal(cli(directory, "replay", "--dataset", demoSamplePath, "--port", "http").status, 2);
});
