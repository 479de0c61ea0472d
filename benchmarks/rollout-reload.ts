/**
 * "Rollout is safe" (issue 14): Switchyard started as `switchyard serve` does (child process, SQLite
 * store, traces, request logs) over the replay upstream (another child) with a knn artifact trained on
 * dcrouter's train split; 64 keep-alive connections send dcrouter test prompts with `model: "auto"`.
 *   1. steady: no reload — latency percentiles;
 *   2. reloads: the same load while `POST /admin/reload` swaps between two knn artifacts 20 times —
 *      failed requests and latency percentiles of every request sent during that phase;
 *   3. shadow: shadow mode off and on in alternating blocks (same run), one connection (the added latency
 *      of one response) and 64 connections (what the extra decision costs a saturated gateway).
 * Timing figures depend on the machine (and on other processes on it).
 *
 * Run: npx tsx benchmarks/rollout-reload.ts [--seconds 12] [--reloads 20] [--connections 64] [--shadow-requests 1500]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { createSqliteStore } from "../src/stores/sqlite/sqlite-store.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import { loadBenchmarkSplits } from "./benchmark-sets.js";
import { createChildGroup } from "./gateway-children.js";
import { quantile } from "./gateway-load.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "12" },
    reloads: { type: "string", default: "20" },
    connections: { type: "string", default: "64" },
    "shadow-requests": { type: "string", default: "1500" },
    /** Reuse two trained artifacts instead of training them (any two knn artifacts over dcrouter's models). */
    "artifact-a": { type: "string" },
    "artifact-b": { type: "string" },
    /** Skip the steady and reload phases (measure shadow mode only). */
    "shadow-only": { type: "boolean", default: false },
  },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const connections = Number(values.connections);
const reloadCount = Number(values.reloads);
const adminKey = "rollout-benchmark-admin-key-0123456789";

const { train, test, models } = await loadBenchmarkSplits("dcrouter", 42);
const directory = await mkdtemp(join(tmpdir(), "switchyard-rollout-bench-"));
const artifactA = values["artifact-a"] ?? join(directory, "router-a.json");
const artifactB = values["artifact-b"] ?? join(directory, "router-b.json");
if (values["artifact-a"] === undefined || values["artifact-b"] === undefined) {
  process.stderr.write("training two knn artifacts on dcrouter train…\n");
  await saveRouterArtifact(artifactA, await trainRouterArtifact({ examples: train, models, router: "knn", dataset: "dcrouter", split: "train", seed: 42 }));
  await saveRouterArtifact(artifactB, await trainRouterArtifact({ examples: train, models, router: "knn", dataset: "dcrouter", split: "train", seed: 42, params: { k: 20, power: 1, priorWeight: 1 } }));
}
const prices = (JSON.parse(await readFile(join(root, "../shared/data/dcrouter/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> }).models;

const group = createChildGroup(root);
const tsx = join(root, "node_modules/.bin/tsx");
try {
  const upstream = await group.start(tsx, ["benchmarks/rollout-replay-upstream.ts", "--dataset", join(root, "../shared/data/dcrouter/dataset.jsonl")]);
  const configPath = join(directory, "switchyard.yaml");
  await writeFile(
    configPath,
    toYaml({
      server: { host: "127.0.0.1", port: 0 },
      router: { artifact: artifactA },
      admin: { keyEnv: "SWITCHYARD_BENCH_ADMIN_KEY" },
      upstreams: [{ name: "replay", baseUrl: `${upstream.url}/v1` }],
      targets: prices.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
      store: { path: join(directory, "switchyard.db") },
    }),
  );
  const gateway = await group.start(tsx, ["benchmarks/gateway-switchyard-server.ts", "--config", configPath], {
    env: { SWITCHYARD_BENCH_ADMIN_KEY: adminKey, SWITCHYARD_KEY_PEPPER: "rollout-benchmark-pepper-0123456789" },
  });
  const bodies = test.map((example) => JSON.stringify({ model: "auto", messages: [{ role: "user", content: example.prompt }], max_tokens: 64 }));
  const admin = async (body: unknown): Promise<number> => {
    const begun = performance.now();
    const response = await fetch(`${gateway.url}/admin/reload`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` }, body: JSON.stringify(body) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`reload answered ${response.status}: ${text}`);
    return performance.now() - begun;
  };

  /** Sends requests on `width` connections until `until()` says stop (or `count` are sent); latencies in ms. */
  const load = async (width: number, options: { count?: number; until?: () => boolean }) => {
    const pool = new Pool(gateway.url, { connections: width, pipelining: 1, keepAliveTimeout: 60_000 });
    const latencies: number[] = [];
    let failed = 0;
    const failures: string[] = [];
    let issued = 0;
    const worker = async () => {
      for (;;) {
        if (options.until?.() === true) return;
        const index = issued++;
        if (options.count !== undefined && index >= options.count) return;
        const begun = performance.now();
        try {
          const response = await pool.request({ path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json" }, body: bodies[index % bodies.length]! });
          const text = await response.body.text();
          if (response.statusCode !== 200) {
            failed++;
            if (failures.length < 3) failures.push(`${response.statusCode}: ${text.slice(0, 160)}`);
          } else latencies.push(performance.now() - begun);
        } catch (error) {
          failed++;
          if (failures.length < 3) failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    };
    const begun = performance.now();
    await Promise.all(Array.from({ length: width }, worker));
    const elapsedMs = performance.now() - begun;
    await pool.close();
    latencies.sort((a, b) => a - b);
    return { latencies, failed, failures, elapsedMs, requests: latencies.length + failed };
  };
  const row = (name: string, result: Awaited<ReturnType<typeof load>>) =>
    `| ${name} | ${result.requests} | ${result.failed} | ${(result.requests / (result.elapsedMs / 1000)).toFixed(0)} | ${quantile(result.latencies, 0.5).toFixed(2)} | ${quantile(result.latencies, 0.99).toFixed(2)} |`;

  await load(connections, { count: 3000 });
  const seconds = values["shadow-only"] ? 0 : Number(values.seconds);
  const steadyEnd = performance.now() + seconds * 1000;
  const steady = await load(connections, { until: () => performance.now() > steadyEnd });
  let reloading = true;
  const reloadTimes: number[] = [];
  const reloads = (async () => {
    try {
      for (let i = 0; i < (values["shadow-only"] ? 0 : reloadCount); i++) {
        await new Promise((done) => setTimeout(done, 200));
        reloadTimes.push(await admin({ artifact: i % 2 === 0 ? artifactB : artifactA }));
      }
      await new Promise((done) => setTimeout(done, 200));
    } finally {
      reloading = false;
    }
  })();
  const during = await load(connections, { until: () => !reloading });
  await reloads;

  // Shadow off / on in alternating blocks, so drift on a shared machine hits both alike.
  const shadowRequests = Number(values["shadow-requests"]);
  const blocks = { off1: [] as number[], on1: [] as number[], off64: [] as number[], on64: [] as number[] };
  let failedShadow = 0;
  for (let round = 0; round < 3; round++) {
    for (const shadow of [false, true]) {
      await admin({ shadow: shadow ? artifactB : null });
      const one = await load(1, { count: shadowRequests });
      const many = await load(connections, { count: shadowRequests * 4 });
      failedShadow += one.failed + many.failed;
      (shadow ? blocks.on1 : blocks.off1).push(...one.latencies);
      (shadow ? blocks.on64 : blocks.off64).push(...many.latencies);
    }
  }
  await admin({ shadow: null });
  // Did the shadow really decide? Tally the shadow records of the traces written so far.
  await new Promise((done) => setTimeout(done, 1500));
  const store = createSqliteStore({ path: join(directory, "switchyard.db") });
  const shadowStatus: Record<string, number> = {};
  for (const trace of await store.traces.list({ limit: 1_000_000 })) {
    const status = trace.decision?.shadow?.status;
    if (status !== undefined) shadowStatus[status] = (shadowStatus[status] ?? 0) + 1;
  }
  await store.close();
  for (const list of Object.values(blocks)) list.sort((a, b) => a - b);
  const median = (list: number[]) => quantile(list, 0.5);
  const ratio = quantile(during.latencies, 0.99) / quantile(steady.latencies, 0.99);

  const lines: string[] = [
    "## Rollout is safe (dcrouter knn artifact, replay upstream)",
    "",
    `Command: \`npx tsx benchmarks/rollout-reload.ts --seconds ${seconds} --reloads ${reloadCount} --connections ${connections} --shadow-requests ${shadowRequests}${values["shadow-only"] ? " --shadow-only" : ""}\``,
    "",
  ];
  if (!values["shadow-only"]) lines.push(
    `| phase (${connections} connections) | requests | failed | req/s | p50 ms | p99 ms |`,
    "|---|---|---|---|---|---|",
    row("steady (no reload)", steady),
    row(`during ${reloadTimes.length} reloads`, during),
    "",
    `p99 during reloads / steady p99: ${ratio.toFixed(2)} (bar ≤ 2); failed requests during reloads: ${during.failed} (bar 0)${during.failures.length > 0 ? ` — ${during.failures.join("; ")}` : ""}`,
    `reload time (POST /admin/reload → answer; load + build + swap of a dcrouter knn artifact): median ${quantile([...reloadTimes].sort((a, b) => a - b), 0.5).toFixed(0)} ms, max ${Math.max(...reloadTimes).toFixed(0)} ms`,
    "",
  );
  lines.push(
    "| shadow mode | 1 connection: median ms | added | " + `${connections} connections: median ms | added |`,
    "|---|---|---|---|---|",
    `| off | ${median(blocks.off1).toFixed(3)} | | ${median(blocks.off64).toFixed(3)} | |`,
    `| on | ${median(blocks.on1).toFixed(3)} | ${(median(blocks.on1) - median(blocks.off1)).toFixed(3)} | ${median(blocks.on64).toFixed(3)} | ${(median(blocks.on64) - median(blocks.off64)).toFixed(3)} |`,
    "",
    `shadow blocks: 3 × (off, on), ${shadowRequests} requests on 1 connection and ${shadowRequests * 4} on ${connections} per block; failed ${failedShadow}. Bar: added median ≤ 0.1 ms.`,
    `shadow records in the traces: ${Object.entries(shadowStatus).map(([status, count]) => `${status} ${count}`).join(", ")} (the worker runs at nice 19: under CPU contention it lags and drops, rather than slowing responses)`,
  );
  console.log(lines.join("\n"));
} finally {
  group.stopAll();
  await new Promise((done) => setTimeout(done, 500));
  await rm(directory, { recursive: true, force: true });
}
