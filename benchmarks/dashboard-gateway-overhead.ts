/**
 * Does an open dashboard tab slow the gateway? (issue 18). Switchyard gateways run as `switchyard serve`
 * runs them (SQLite store pre-seeded with N traces over 7 days, traces, metrics, request logs, kNN router,
 * `ui.enabled`), over the fast benchmark upstream: gateway W with `ui.reads: worker` (the default: the
 * admin API's aggregate reads on a worker thread) and, unless `--serving-thread-arm 0`, gateway S with
 * `ui.reads: serving-thread` (the reads on the event loop, as before), each on its own copy of the store.
 * Each round measures, back to back and in an order reversed every other round, the same load on each
 * gateway with no dashboard and with a dashboard tab's polling: the overview's API call
 * (`GET /admin/api/overview?window=24h`, what the open overview page asks for) every `--poll-ms`
 * (default 1000 = the fastest `ui.refreshIntervalMs` allows; the default is 5000). Before the rounds each
 * gateway gets the same warm-up load and one overview read (a tab opened earlier: the reader thread is
 * started), and every arm has the same warm-up requests. Figures: added latency over calling the
 * upstream directly at 1 connection, requests/s at 64 connections, per-round ratios tab ÷ none and their
 * median; the gateway process's CPU per request (the reader thread included) and the serving thread's
 * alone (`/proc/PID/task/PID/stat`); and a control: gateway S ÷ gateway W with no dashboard, which
 * differ only while a tab reads, so their per-round ratios show the run's noise.
 *
 *   npx tsx benchmarks/dashboard-gateway-overhead.ts [--rounds 5] [--requests-1 2000] [--requests-64 10000] [--seed-traces 100000] [--poll-ms 1000] [--serving-thread-arm 1]
 */
import { copyFile, mkdtemp, mkdir, readFile, writeFile } from "node:fs/promises";
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
const servingThreadArm = option("--serving-thread-arm", 1) !== 0;
const adminKey = "dashboard-bench-admin-key-0123456789";
const children = createChildGroup(root);

/** CPU ms (user + system) of a process, or of one of its threads (`/proc/PID/task/TID/stat`; the main thread's TID is the PID). */
async function cpuMs(pid: number | undefined, thread = false): Promise<number> {
  const fields = (await readFile(thread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8")).replace(/^.*\) /, "").split(" ");
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
const readModes = servingThreadArm ? (["worker", "serving-thread"] as const) : (["worker"] as const);
const gateways = new Map<string, Awaited<ReturnType<typeof children.start>>>();
for (const reads of readModes) {
  // Each gateway on its own copy of the seeded store, so neither's writes or reads touch the other's file.
  const home = join(directory, reads);
  await mkdir(join(home, "data"), { recursive: true });
  await copyFile(join(directory, "data", "switchyard.db"), join(home, "data", "switchyard.db"));
  await copyFile(join(directory, "router.json"), join(home, "router.json"));
  const configPath = join(home, "switchyard.yaml");
  await writeFile(
    configPath,
    toYaml({
      server: { host: "127.0.0.1", port: 0 },
      router: { artifact: "./router.json" },
      upstreams: [{ name: "bench", baseUrl: `${upstream.url}/v1` }],
      targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
      store: { path: "./data/switchyard.db" },
      ui: { enabled: true, refreshIntervalMs: Math.max(1000, pollMs), reads },
    }),
  );
  gateways.set(reads, await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", configPath], { env: { SWITCHYARD_ADMIN_KEY: adminKey } }));
}
const gatewayOf = (reads: string) => gateways.get(reads)!;

/** A dashboard tab on the overview: one API read per interval, as the page's poller does. */
function startTab(gateway: { url: string }): { stop: () => Promise<{ polls: number; medianMs: number }> } {
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
const arms = readModes.flatMap((reads) => [
  { reads, tab: false, name: `no dashboard (gateway ${reads === "worker" ? "W" : "S"})` },
  { reads, tab: true, name: `tab polling, reads on ${reads === "worker" ? "worker thread (W)" : "serving thread (S)"}` },
]);
// The same warm-up for every gateway, then one overview read each (the reader thread starts at the first read).
for (const reads of readModes) {
  await runLoad({ url: gatewayOf(reads).url, path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body, concurrency: 64, requests: 2_000, warmup: 0 });
  const response = await fetch(`${gatewayOf(reads).url}/admin/api/overview?window=24h`, { headers: { authorization: `Bearer ${adminKey}` } });
  if (response.status !== 200) throw new Error(`overview answered ${response.status}`);
  await response.arrayBuffer();
}
/** What one admin API read costs each gateway with no other load: CPU of the serving thread and of the whole process per read, wall time, answer size. */
const readCosts = new Map<string, { servingMs: number; processMs: number; wallMs: number; bytes: number }>();
const readPaths = { overview: "/admin/api/overview?window=24h", config: "/admin/api/config" } as const;
const readCount = 200;
for (const reads of readModes) {
  const gateway = gatewayOf(reads);
  for (const [name, path] of Object.entries(readPaths)) {
    const walls: number[] = [];
    let bytes = 0;
    const processBefore = await cpuMs(gateway.child.pid);
    const servingBefore = await cpuMs(gateway.child.pid, true);
    for (let index = 0; index < readCount; index++) {
      const started = performance.now();
      const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${adminKey}` } });
      bytes = (await response.arrayBuffer()).byteLength;
      walls.push(performance.now() - started);
    }
    readCosts.set(`${reads}|${name}`, {
      servingMs: ((await cpuMs(gateway.child.pid, true)) - servingBefore) / readCount,
      processMs: ((await cpuMs(gateway.child.pid)) - processBefore) / readCount,
      wallMs: quantile([...walls].sort((a, b) => a - b), 0.5),
      bytes,
    });
  }
}
interface ArmRun {
  result: LoadResult;
  cpuUs: number;
  servingCpuUs: number;
  polls?: number;
  pollMs?: number;
}
const results = new Map<string, ArmRun[]>();
const upstreamRuns: number[] = [];
for (let round = 0; round < rounds; round++) {
  const base = await runLoad({ url: upstream.url, path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: direct, concurrency: 1, requests: requestsAt[1], warmup: 200 });
  upstreamRuns.push(quantile(base.latenciesMs, 0.5));
  for (const concurrency of scenarios) {
    for (const arm of round % 2 === 0 ? arms : [...arms].reverse()) {
      const gateway = gatewayOf(arm.reads);
      const tab = arm.tab ? startTab(gateway) : undefined;
      const warmup = concurrency === 1 ? 200 : 1_000;
      const cpuBefore = await cpuMs(gateway.child.pid);
      const servingBefore = await cpuMs(gateway.child.pid, true);
      const result = await runLoad({ url: gateway.url, path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body, concurrency, requests: requestsAt[concurrency], warmup });
      const perRequest = (ms: number) => (1000 * ms) / (requestsAt[concurrency] + warmup);
      const cpuUs = perRequest((await cpuMs(gateway.child.pid)) - cpuBefore);
      const servingCpuUs = perRequest((await cpuMs(gateway.child.pid, true)) - servingBefore);
      const polled = await tab?.stop();
      const key = `${arm.name}|${concurrency}`;
      results.set(key, [...(results.get(key) ?? []), { result, cpuUs, servingCpuUs, ...(polled ? { polls: polled.polls, pollMs: polled.medianMs } : {}) }]);
      process.stderr.write(`round ${round + 1}/${rounds} ${concurrency} conn ${arm.name}: p50 ${quantile(result.latenciesMs, 0.5).toFixed(3)} ms, ${result.requestsPerSecond.toFixed(0)} req/s, ${cpuUs.toFixed(0)} µs CPU (serving thread ${servingCpuUs.toFixed(0)}), ${result.errors} errors${polled ? `, ${polled.polls} polls (median ${polled.medianMs.toFixed(1)} ms)` : ""}\n`);
    }
  }
}
children.stopAll();

const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);
const upstreamMs = median(upstreamRuns);
console.log(`dashboard vs gateway — ${rounds} interleaved rounds (order reversed every other round); ${requestsAt[1]} requests at 1 connection, ${requestsAt[64]} at 64; model auto (kNN); store pre-seeded with ${seedCount.toLocaleString("en-US")} traces; tab = GET /admin/api/overview?window=24h every ${pollMs} ms; upstream alone p50 ${upstreamMs.toFixed(3)} ms; Node ${process.version}\n`);
console.log("| connections | arm | p50 ms | added p50 ms (over upstream) | p99 ms | req/s | gateway CPU µs/request | serving thread CPU µs/request | overview polls (median ms) | errors |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const concurrency of scenarios) {
  for (const arm of arms) {
    const runs = results.get(`${arm.name}|${concurrency}`) ?? [];
    const p50 = median(runs.map((run) => quantile(run.result.latenciesMs, 0.5)));
    const polls = runs.reduce((sum, run) => sum + (run.polls ?? 0), 0);
    console.log(
      `| ${concurrency} | ${arm.name} | ${p50.toFixed(3)} | ${concurrency === 1 ? (p50 - upstreamMs).toFixed(3) : "–"} | ${median(runs.map((run) => quantile(run.result.latenciesMs, 0.99))).toFixed(3)} | ${median(runs.map((run) => run.result.requestsPerSecond)).toFixed(0)} | ${median(runs.map((run) => run.cpuUs)).toFixed(0)} | ${median(runs.map((run) => run.servingCpuUs)).toFixed(0)} | ${arm.tab ? `${polls} (${median(runs.filter((run) => run.pollMs !== undefined).map((run) => run.pollMs!)).toFixed(1)})` : "–"} | ${runs.reduce((sum, run) => sum + run.result.errors, 0)} |`,
    );
  }
}

/** Per-round ratios of a figure between two arms, and their median. */
function ratios(concurrency: 1 | 64, over: string, under: string, figure: (run: ArmRun) => number) {
  const tops = results.get(`${over}|${concurrency}`) ?? [];
  const bottoms = results.get(`${under}|${concurrency}`) ?? [];
  const perRound = tops.map((run, index) => figure(run) / figure(bottoms[index]!));
  return { perRound, median: median(perRound) };
}
const text = (values: number[]) => values.map((value) => value.toFixed(3)).join(" / ");
const rps = (run: ArmRun) => run.result.requestsPerSecond;
const p50Of = (run: ArmRun) => quantile(run.result.latenciesMs, 0.5);
console.log("\n| ratio (per round; median) | 64 connections req/s | 1 connection p50 | serving thread CPU/request at 64 |");
console.log("|---|---|---|---|");
const ratioRows: Array<[string, string, string]> = [[`tab ÷ none, reads on the worker thread (W)`, arms[1]!.name, arms[0]!.name]];
if (servingThreadArm) {
  ratioRows.push([`tab ÷ none, reads on the serving thread (S)`, arms[3]!.name, arms[2]!.name]);
  ratioRows.push([`control: none on S ÷ none on W`, arms[2]!.name, arms[0]!.name]);
}
for (const [label, over, under] of ratioRows) {
  const throughput = ratios(64, over, under, rps);
  const latency = ratios(1, over, under, p50Of);
  const serving = ratios(64, over, under, (run) => run.servingCpuUs);
  console.log(`| ${label} | ${text(throughput.perRound)}; **${throughput.median.toFixed(3)}** | ${text(latency.perRound)}; **${latency.median.toFixed(3)}** | ${text(serving.perRound)}; **${serving.median.toFixed(3)}** |`);
}
console.log(`\n| one admin API read, ${readCount} in a row with no other load | serving thread CPU ms/read | gateway process CPU ms/read | wall median ms | answer bytes |`);
console.log("|---|---|---|---|---|");
for (const [key, cost] of readCosts) {
  const [reads, name] = key.split("|");
  console.log(`| ${name === "overview" ? "overview, 24 h" : "config (no store read: the HTTP floor)"}, reads on the ${reads === "worker" ? "worker thread (W)" : "serving thread (S)"} | ${cost.servingMs.toFixed(2)} | ${cost.processMs.toFixed(2)} | ${cost.wallMs.toFixed(1)} | ${cost.bytes.toLocaleString("en-US")} |`);
}
const worker = ratios(64, arms[1]!.name, arms[0]!.name, rps);
const control = servingThreadArm ? ratios(64, arms[2]!.name, arms[0]!.name, rps) : undefined;
// The run's noise: the median deviation from 1 of the control's per-round ratios (two idle-alike gateways), at least 3 %.
const band = control === undefined ? 0.03 : Math.max(0.03, median(control.perRound.map((value) => Math.abs(1 - value))));
const verdict = band > 0.1 ? `NOT JUDGED (this run's noise is ±${(100 * band).toFixed(0)} %: re-run on a quiet machine)` : worker.median >= 1 - band ? "MET" : "NOT MET";
console.log(
  `\nbar (issue 18): throughput at 64 connections unchanged within noise with a tab open — median tab ÷ none ratio (W) ${worker.median.toFixed(3)}, no lower than 1 − the noise band ${(100 * band).toFixed(1)} % (${control === undefined ? "fixed 3 %" : "median deviation of the control's per-round ratios from 1, at least 3 %"}): ${verdict}`,
);
