/**
 * Gateway overhead benchmark (issue 4): the latency Switchyard adds over calling the upstream directly
 * (median and p99; 1 and 64 concurrent connections; non-streamed answers and streamed time to first
 * byte), requests per second at 64 connections, and the gateway's resident memory during the load —
 * side by side, in the same run, with Portkey's open-source gateway (`@portkey-ai/gateway`, pointed at
 * the same upstream with `x-portkey-provider: openai` + `x-portkey-custom-host`). The routing
 * decision's own cost is reported separately (`model: "auto"` with a kNN router vs a fixed model).
 *
 * Upstream, gateways and this load generator run as separate processes on loopback; Switchyard runs as
 * `switchyard serve` does (SQLite store in WAL mode, traces, Prometheus metrics, one JSON log line per
 * request). Rounds alternate the systems so machine noise spreads evenly; each figure is the median
 * over rounds.
 *
 *   npx tsx benchmarks/gateway-overhead.ts [--rounds 3] [--requests-1 3000] [--requests-64 15000] [--out FILE]
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { createApiKeyHasher } from "../src/limits/api-key-hasher.js";
import { createApiKeyService } from "../src/limits/api-key-service.js";
import { createSqliteStore } from "../src/stores/sqlite/sqlite-store.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import { createChildGroup } from "./gateway-children.js";
import { quantile, runLoad, type LoadResult } from "./gateway-load.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const option = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const outIndex = process.argv.indexOf("--out");
const outPath = outIndex >= 0 ? process.argv[outIndex + 1] : undefined;
const rounds = option("--rounds", 3);
const requestsAt = { 1: option("--requests-1", 3_000), 64: option("--requests-64", 15_000) } as const;

const children = createChildGroup(root);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}

async function waitForHttp(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 50));
    }
  }
  throw new Error(`${url} did not come up`);
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc, 10 ms ticks). */
async function cpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process in MB (Linux /proc). */
async function rssMb(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

// --- set up: a kNN router, the upstream, two Switchyard instances (open, and with an API key), Portkey.
const directory = await mkdtemp(join(tmpdir(), "switchyard-bench-"));
const dataset = await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"));
const train = dataset.examples.filter((example) => example.split === "train");
const prompt = dataset.examples.find((example) => example.split === "test")?.prompt.slice(0, 400) ?? "What is 2 + 2?";
const artifact = await trainRouterArtifact({ examples: train, models: dataset.models, router: "knn", dataset: "demo", split: "train", params: { k: 10, power: 1, priorWeight: 1 } });
await saveRouterArtifact(join(directory, "router.json"), artifact);
const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
const fixedModel = prices.models[0]?.id as string;

const upstream = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-upstream.ts"]);
const pepper = "bench-pepper-0123456789abcdef";
const writeConfig = async (name: string) => {
  const path = join(directory, `${name}.yaml`);
  await writeFile(
    path,
    toYaml({
      server: { host: "127.0.0.1", port: 0 },
      router: { artifact: "./router.json" },
      upstreams: [{ name: "bench", baseUrl: `${upstream.url}/v1` }],
      targets: prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
      store: { path: `./${name}/switchyard.db` },
    }),
  );
  return path;
};
const openConfig = await writeConfig("open");
const keyedConfig = await writeConfig("keyed");
const keyStore = createSqliteStore({ path: join(directory, "keyed", "switchyard.db") });
const { key } = await createApiKeyService({ store: keyStore, hasher: createApiKeyHasher(pepper) }).create({ name: "bench", budgetUsd: 1_000_000, budgetPeriod: "month" });
await keyStore.close();
const env = { SWITCHYARD_KEY_PEPPER: pepper };
const open = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", openConfig], { env });
const keyed = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", keyedConfig], { env });
const minimal = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-minimal-proxy.ts", "--upstream", upstream.url]);
const portkeyPort = await freePort();
const portkeyChild = spawn(process.execPath, [join(root, "node_modules/@portkey-ai/gateway/build/start-server.js"), `--port=${portkeyPort}`, "--headless"], { cwd: root, stdio: "ignore" });
children.adopt(portkeyChild);
const portkeyUrl = `http://127.0.0.1:${portkeyPort}`;
const shimPort = await freePort();
const shimChild = spawn(process.execPath, ["--import", "tsx", "--import", "./benchmarks/gateway-portkey-shim.ts", join(root, "node_modules/@portkey-ai/gateway/build/start-server.js"), `--port=${shimPort}`, "--headless"], { cwd: root, stdio: "ignore" });
children.adopt(shimChild);
const shimUrl = `http://127.0.0.1:${shimPort}`;
await waitForHttp(portkeyUrl);
await waitForHttp(shimUrl);

interface System {
  name: string;
  url: string;
  headers: Record<string, string>;
  model: string;
  pid: number | undefined;
  /** Only these kinds of request (default both). */
  only?: "plain" | "stream";
}
const json = { "content-type": "application/json" };
const portkeyHeaders = { ...json, authorization: "Bearer unused", "x-portkey-provider": "openai", "x-portkey-custom-host": `${upstream.url}/v1` };
const systems: System[] = [
  { name: "direct (no gateway)", url: upstream.url, headers: json, model: fixedModel, pid: undefined },
  { name: "minimal Node proxy (floor, no features)", url: minimal.url, headers: json, model: fixedModel, pid: minimal.child.pid },
  { name: "switchyard, fixed model", url: open.url, headers: json, model: fixedModel, pid: open.child.pid },
  { name: "switchyard, auto (kNN)", url: open.url, headers: json, model: "auto", pid: open.child.pid },
  { name: "switchyard, fixed, API key + budget", url: keyed.url, headers: { ...json, authorization: `Bearer ${key}` }, model: fixedModel, pid: keyed.child.pid },
  { name: "portkey 1.15.2 (as installed)", url: portkeyUrl, headers: portkeyHeaders, model: fixedModel, pid: portkeyChild.pid },
  { name: "portkey 1.15.2 + fetch-headers shim", url: shimUrl, headers: portkeyHeaders, model: fixedModel, pid: shimChild.pid, only: "stream" },
];

interface Scenario {
  name: string;
  concurrency: 1 | 64;
  stream: boolean;
}
const scenarios: Scenario[] = [
  { name: "non-streamed, 1 connection", concurrency: 1, stream: false },
  { name: "streamed (time to first byte), 1 connection", concurrency: 1, stream: true },
  { name: "non-streamed, 64 connections", concurrency: 64, stream: false },
  { name: "streamed (time to first byte), 64 connections", concurrency: 64, stream: true },
];

const results = new Map<string, LoadResult[]>();
/** CPU µs the system's own process spent per request (warm-up included), per run. */
const cpuPerRequest = new Map<string, number[]>();
const peakRss = new Map<string, number>();
const keyOf = (system: System, scenario: Scenario) => `${system.name}|${scenario.name}`;

for (let round = 0; round < rounds; round++) {
  for (const scenario of scenarios) {
    for (const system of systems) {
      if (system.only !== undefined && system.only !== (scenario.stream ? "stream" : "plain")) continue;
      const body = JSON.stringify({ model: system.model, messages: [{ role: "user", content: prompt }], ...(scenario.stream ? { stream: true } : {}) });
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const rss = await rssMb(system.pid);
          peakRss.set(system.name, Math.max(peakRss.get(system.name) ?? 0, rss));
          await new Promise((done) => setTimeout(done, 100));
        }
      })();
      const cpuBefore = await cpuMs(system.pid ?? upstream.child.pid);
      const result = await runLoad({
        url: system.url,
        path: "/v1/chat/completions",
        headers: system.headers,
        body,
        concurrency: scenario.concurrency,
        requests: requestsAt[scenario.concurrency],
        warmup: scenario.concurrency === 1 ? 200 : 1_000,
        firstByte: scenario.stream,
        collectHeader: "x-switchyard-decision-ms",
        check: (_status, text) => (scenario.stream ? (text.includes("[DONE]") ? undefined : "stream without [DONE]") : text.includes('"choices"') ? undefined : "not a completion"),
      });
      sampling = false;
      await sampler;
      const sent = requestsAt[scenario.concurrency] + (scenario.concurrency === 1 ? 200 : 1_000);
      const cpuList = cpuPerRequest.get(keyOf(system, scenario)) ?? [];
      cpuList.push((1000 * ((await cpuMs(system.pid ?? upstream.child.pid)) - cpuBefore)) / sent);
      cpuPerRequest.set(keyOf(system, scenario), cpuList);
      const list = results.get(keyOf(system, scenario)) ?? [];
      list.push(result);
      results.set(keyOf(system, scenario), list);
      process.stderr.write(`round ${round + 1}/${rounds} ${scenario.name} ${system.name}: p50 ${quantile(result.latenciesMs, 0.5).toFixed(3)} ms, ${result.requestsPerSecond.toFixed(0)} req/s, ${result.errors} errors${result.errorSamples.length ? ` (${result.errorSamples[0]})` : ""}\n`);
    }
  }
}

const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);
const lines: string[] = [];
const print = (line = "") => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
print(`Gateway overhead — ${rounds} rounds, ${requestsAt[1]} requests per run at 1 connection, ${requestsAt[64]} at 64; Node ${process.version}, ${(await import("node:os")).cpus().length} cores.`);
print(`Prompt ${prompt.length} characters; upstream answer ~400 bytes (streams: 6 events). Figures are medians over rounds.`);
for (const scenario of scenarios) {
  print();
  print(`### ${scenario.name}`);
  print();
  print("| system | median ms | p99 ms | added median ms | added p99 ms | req/s | errors |");
  print("|---|---|---|---|---|---|---|");
  const direct = results.get(keyOf(systems[0] as System, scenario)) ?? [];
  for (const system of systems) {
    const runs = results.get(keyOf(system, scenario)) ?? [];
    if (runs.length === 0) continue;
    const medians = runs.map((run) => quantile(run.latenciesMs, 0.5));
    const p99s = runs.map((run) => quantile(run.latenciesMs, 0.99));
    const added = runs.map((run, index) => quantile(run.latenciesMs, 0.5) - quantile(direct[index]?.latenciesMs ?? [], 0.5));
    const addedP99 = runs.map((run, index) => quantile(run.latenciesMs, 0.99) - quantile(direct[index]?.latenciesMs ?? [], 0.99));
    const errors = runs.reduce((sum, run) => sum + run.errors, 0);
    const isDirect = system === systems[0];
    print(`| ${system.name} | ${median(medians).toFixed(3)} | ${median(p99s).toFixed(3)} | ${isDirect ? "—" : median(added).toFixed(3)} | ${isDirect ? "—" : median(addedP99).toFixed(3)} | ${median(runs.map((run) => run.requestsPerSecond)).toFixed(0)} | ${errors} |`);
  }
}
print();
print("### Throughput at 64 connections relative to calling the upstream directly, and peak memory");
print();
print("CPU µs/request: CPU time (user + system, /proc) of the system's own process per request of the non-streamed 64-connection runs");
print("(for direct: the upstream's); on a shared machine it is steadier than requests/s.");
print();
print("| system | non-streamed req/s | % of direct | streamed req/s | % of direct | CPU µs/request | peak RSS MB |");
print("|---|---|---|---|---|---|---|");
const rps = (system: System, scenario: Scenario) => median((results.get(keyOf(system, scenario)) ?? []).map((run) => run.requestsPerSecond));
const plain64 = scenarios[2] as Scenario;
const stream64 = scenarios[3] as Scenario;
for (const system of systems) {
  if (system.only !== undefined) continue;
  const plainShare = (100 * rps(system, plain64)) / rps(systems[0] as System, plain64);
  const streamShare = (100 * rps(system, stream64)) / rps(systems[0] as System, stream64);
  const cpu = median(cpuPerRequest.get(keyOf(system, plain64)) ?? []);
  print(`| ${system.name} | ${rps(system, plain64).toFixed(0)} | ${plainShare.toFixed(0)}% | ${rps(system, stream64).toFixed(0)} | ${streamShare.toFixed(0)}% | ${cpu.toFixed(0)} | ${system.pid === undefined ? "—" : (peakRss.get(system.name) ?? 0).toFixed(0)} |`);
}
const bySystem = (name: string) => systems.find((system) => system.name === name) as System;
const [directSystem, fixedSystem, autoSystem] = [bySystem("direct (no gateway)"), bySystem("switchyard, fixed model"), bySystem("switchyard, auto (kNN)")];
const decisionMs = (results.get(keyOf(autoSystem, scenarios[0] as Scenario)) ?? []).flatMap((run) => run.headerValues.map(Number)).sort((a, b) => a - b);
const addedOver = (system: System) =>
  median((results.get(keyOf(system, scenarios[0] as Scenario)) ?? []).map((run, index) => quantile(run.latenciesMs, 0.5) - quantile(results.get(keyOf(directSystem, scenarios[0] as Scenario))?.[index]?.latenciesMs ?? [], 0.5)));
const fixedAdded = addedOver(fixedSystem);
const autoAdded = addedOver(autoSystem);
print();
print("### The routing decision's own cost (1 connection, non-streamed)");
print();
print("| measure | ms |");
print("|---|---|");
print(`| decision time reported by the engine (x-switchyard-decision-ms), median | ${quantile(decisionMs, 0.5).toFixed(3)} |`);
print(`| decision time, p99 | ${quantile(decisionMs, 0.99).toFixed(3)} |`);
print(`| added latency, auto (kNN) minus fixed model, median | ${(autoAdded - fixedAdded).toFixed(3)} |`);

if (outPath !== undefined) await writeFile(outPath, `${lines.join("\n")}\n`);
children.stopAll();
await new Promise((done) => setTimeout(done, 500));
await rm(directory, { recursive: true, force: true });
