/**
 * Does an open dashboard tab slow the gateway? (issue 18). One Switchyard gateway run as `switchyard
 * serve` runs it (SQLite store pre-seeded with N traces over 7 days, traces, metrics, request logs, kNN
 * router, `ui.enabled`), over the fast benchmark upstream. Each round measures, back to back and in
 * alternating order, the same load with no dashboard and with a dashboard tab's polling: the overview's
 * API call (`GET /admin/api/overview?window=24h`, what the open overview page asks for) every
 * `--poll-ms` (default 1000 = the fastest `ui.refreshIntervalMs` allows; the default is 5000). Figures:
 * added latency over calling the upstream directly at 1 connection, requests/s at 64 connections, and
 * the gateway process's CPU per request (dashboard reads included); medians over rounds.
 *
 *   npx tsx benchmarks/dashboard-gateway-overhead.ts [--rounds 5] [--requests-1 2000] [--requests-64 10000] [--seed-traces 100000] [--poll-ms 1000]
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { createSqliteStore } from "../src/stores/sqlite/sqlite-store.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import { seededTraces } from "./dashboard-traces.js";
import { createChildGroup } from "./gateway-children.js";
import { quantile, runLoad, type LoadResult } from "./gateway-load.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const rounds = option("--rounds", 5);
const requestsAt = { 1: option("--requests-1", 2_000), 64: option("--requests-64", 10_000) } as const;
const seedCount = option("--seed-traces", 100_000);
const pollMs = option("--poll-ms", 1_000);
const adminKey = "dashboard-bench-admin-key-0123456789";
const children = createChildGroup(root);

async function cpuMs(pid: number | undefined): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const directory = await mkdtemp(join(tmpdir(), "switchyard-dashboard-overhead-"));
const dataset = await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"));
const prompt = dataset.examples.find((example) => example.split === "test")?.prompt.slice(0, 400) ?? "What is 2 + 2?";
await saveRouterArtifact(join(directory, "router.json"), await trainRouterArtifact({ examples: dataset.examples.filter((example) => example.split === "train"), models: dataset.models, router: "knn", dataset: "demo", split: "train", params: { k: 10, power: 1, priorWeight: 1 } }));
const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };

// Earlier traffic in the store, so the dashboard's reads cover days of rollups, not an empty file.
const seeded = createSqliteStore({ path: join(directory, "data", "switchyard.db") });
const now = Date.now();
for (let done = 0; done < seedCount; done += 10_000) await seeded.traces.insertMany(seededTraces({ from: done, to: Math.min(seedCount, done + 10_000), total: seedCount, now }));
await seeded.close();

const upstream = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-upstream.ts"]);
const configPath = join(directory, "switchyard.yaml");
await writeFile(
  configPath,
  toYaml({
    server: { host: "127.0.0.1", port: 0 },
    router: { artifact: "./router.json" },
    upstreams: [{ name: "bench", baseUrl: `${upstream.url}/v1` }],
    targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
    store: { path: "./data/switchyard.db" },
    ui: { enabled: true, refreshIntervalMs: Math.max(1000, pollMs) },
  }),
);
const gateway = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", configPath], { env: { SWITCHYARD_ADMIN_KEY: adminKey } });

/** A dashboard tab on the overview: one API read per interval, as the page's poller does. */
function startTab(): { stop: () => Promise<{ polls: number; medianMs: number }> } {
  const times: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      const response = await fetch(`${gateway.url}/admin/api/overview?window=24h`, { headers: { authorization: `Bearer ${adminKey}` } });
      if (response.status !== 200) throw new Error(`overview answered ${response.status}`);
      await response.arrayBuffer();
      times.push(performance.now() - started);
      await new Promise((done) => setTimeout(done, pollMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { polls: times.length, medianMs: quantile([...times].sort((a, b) => a - b), 0.5) };
    },
  };
}

const body = JSON.stringify({ model: "auto", messages: [{ role: "user", content: prompt }] });
const direct = JSON.stringify({ model: prices.models[0]!.id, messages: [{ role: "user", content: prompt }] });
const scenarios = [1, 64] as const;
const arms = ["no dashboard", "dashboard tab polling"] as const;
const results = new Map<string, Array<{ result: LoadResult; cpuUs: number; polls?: number; pollMs?: number }>>();
const upstreamRuns: number[] = [];
for (let round = 0; round < rounds; round++) {
  const base = await runLoad({ url: upstream.url, path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: direct, concurrency: 1, requests: requestsAt[1], warmup: 200 });
  upstreamRuns.push(quantile(base.latenciesMs, 0.5));
  for (const concurrency of scenarios) {
    for (const arm of round % 2 === 0 ? arms : [...arms].reverse()) {
      const tab = arm === "no dashboard" ? undefined : startTab();
      const warmup = concurrency === 1 ? 200 : 1_000;
      const cpuBefore = await cpuMs(gateway.child.pid);
      const result = await runLoad({ url: gateway.url, path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body, concurrency, requests: requestsAt[concurrency], warmup });
      const cpuUs = (1000 * ((await cpuMs(gateway.child.pid)) - cpuBefore)) / (requestsAt[concurrency] + warmup);
      const polled = await tab?.stop();
      const key = `${arm}|${concurrency}`;
      results.set(key, [...(results.get(key) ?? []), { result, cpuUs, ...(polled ? { polls: polled.polls, pollMs: polled.medianMs } : {}) }]);
      process.stderr.write(`round ${round + 1}/${rounds} ${concurrency} conn ${arm}: p50 ${quantile(result.latenciesMs, 0.5).toFixed(3)} ms, ${result.requestsPerSecond.toFixed(0)} req/s, ${cpuUs.toFixed(0)} µs CPU, ${result.errors} errors${polled ? `, ${polled.polls} polls (median ${polled.medianMs.toFixed(1)} ms)` : ""}\n`);
    }
  }
}
children.stopAll();

const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);
const upstreamMs = median(upstreamRuns);
console.log(`dashboard vs gateway — ${rounds} interleaved rounds; ${requestsAt[1]} requests at 1 connection, ${requestsAt[64]} at 64; model auto (kNN); store pre-seeded with ${seedCount.toLocaleString("en-US")} traces; tab = GET /admin/api/overview?window=24h every ${pollMs} ms; upstream alone p50 ${upstreamMs.toFixed(3)} ms; Node ${process.version}\n`);
console.log("| connections | arm | p50 ms | added p50 ms (over upstream) | p99 ms | req/s | gateway CPU µs/request | overview polls (median ms) | errors |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const concurrency of scenarios) {
  for (const arm of arms) {
    const runs = results.get(`${arm}|${concurrency}`) ?? [];
    const p50 = median(runs.map((run) => quantile(run.result.latenciesMs, 0.5)));
    const polls = runs.reduce((sum, run) => sum + (run.polls ?? 0), 0);
    console.log(
      `| ${concurrency} | ${arm} | ${p50.toFixed(3)} | ${concurrency === 1 ? (p50 - upstreamMs).toFixed(3) : "–"} | ${median(runs.map((run) => quantile(run.result.latenciesMs, 0.99))).toFixed(3)} | ${median(runs.map((run) => run.result.requestsPerSecond)).toFixed(0)} | ${median(runs.map((run) => run.cpuUs)).toFixed(0)} | ${arm === "no dashboard" ? "–" : `${polls} (${median(runs.filter((run) => run.pollMs !== undefined).map((run) => run.pollMs!)).toFixed(1)})`} | ${runs.reduce((sum, run) => sum + run.result.errors, 0)} |`,
    );
  }
}
