import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import OpenAI from "openai";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { startScriptedUpstream } from "./scripted-upstream.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let directory = "";
after(() => (directory ? rm(directory, { recursive: true, force: true }) : undefined));

test("`switchyard serve` on SIGTERM: stops accepting, finishes the in-flight stream, flushes its trace, exits 0", { timeout: 60_000 }, async () => {
  directory = await mkdtemp(join(tmpdir(), "switchyard-sigterm-"));
  const dataset = await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"));
  const artifact = await trainRouterArtifact({ examples: dataset.examples.filter((example) => example.split === "train"), models: dataset.models, router: "knn", dataset: "demo", split: "train" });
  await saveRouterArtifact(join(directory, "router.json"), artifact);
  const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
  const upstream = await startScriptedUpstream();
  upstream.chunkDelayMs = 60;
  upstream.script("slow-stream");
  const configPath = join(directory, "switchyard.yaml");
  await writeFile(
    configPath,
    toYaml({
      server: { port: 0, shutdownGraceMs: 5_000 },
      router: { artifact: "./router.json" },
      upstreams: [{ name: "scripted", baseUrl: upstream.baseUrl }],
      targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
      traces: { flushIntervalMs: 60_000 },
    }),
  );
  const child = spawn(process.execPath, ["bin/switchyard.js", "serve", "--config", configPath], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((done) => child.once("exit", done));
  try {
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        const match = /listening on (http:\/\/\S+) /.exec(stdout);
        if (match?.[1] && /running OPEN \(loopback only\)/.test(stdout)) done(match[1]);
      });
      child.once("exit", (code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hello" }], stream: true });
    let text = "";
    let signalled = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (!signalled && text.length > 0) {
        signalled = true;
        child.kill("SIGTERM");
        // Under load the child may take longer than any fixed pause to see the signal: wait for its line
        // (written just before it closes the listener), then a moment for the close itself.
        const deadline = Date.now() + 10_000;
        while (!/SIGTERM: draining/.test(stderr) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 10));
        await new Promise((done) => setTimeout(done, 50));
        await assert.rejects(fetch(`${url}/healthz`), "the listening socket is closed while draining");
      }
    }
    assert.equal(text, "p0 p1 p2 p3 p4 p5 p6 p7 ", "the in-flight stream finished");
    assert.equal(await exited, 0);
    assert.match(stderr, /SIGTERM: draining/);
    assert.match(stderr, /"msg":"request"/, "the request line was logged before exit");
    const store = createSqliteStore({ path: join(directory, "switchyard-data", "switchyard.db") });
    const [trace] = await store.traces.list();
    await store.close();
    assert.equal(trace?.status, 200, "the stream's trace was flushed before exit");
    assert.equal(trace?.stream, true);
    assert.ok((trace?.decision?.candidates.length ?? 0) > 1, "every candidate's prediction is in the trace");
  } finally {
    child.kill("SIGKILL");
    await upstream.close();
  }
});
