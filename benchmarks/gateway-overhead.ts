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
 * Real routers (issue 19): a Switchyard serving a kNN artifact trained on dcrouter's train split answers
 * dcrouter's test prompts (in turn) both with a fixed model and with `auto`, so the routed path's cost is
 * a ratio on the same prompts; another serves a 100,000-prompt kNN (dcrouter replicated, word vectors,
 * IVF index). `dc-floor` is the dcrouter server's shape with a `cheapest` artifact: `auto` through the
 * whole routed path (decision, its record in the trace, headers, prompt hash) with a router that does no
 * work — the floor any router's ratio to the fixed path starts from; `dc-dense` serves a kNN over the same
 * 5,608 train prompts on the dense path (word vectors, IVF forced). The upstream writes every stream as
 * 20 separate events. The artifacts are trained on first use and cached outside the repository
 * (benchmarks/routing-bench-artifacts.ts).
 *
 *   npx tsx benchmarks/gateway-overhead.ts [--rounds 3] [--requests-1 3000] [--requests-64 15000] [--out FILE]
 *     [--events 20] [--systems direct,minimal,fixed,auto,keyed,portkey,portkey-shim,dc-fixed,dc-auto,dc-floor,dc-dense,big-auto]
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
import { copyFile, stat } from "node:fs/promises";
import { createRoutingEngine } from "../src/core/create-routing-engine.js";
import { loadVersionedArtifact } from "../src/rollout/versioned-artifact.js";
import { createChildGroup } from "./gateway-children.js";
import { dcrouterFloorArtifact, dcrouterKnnArtifact, dcrouterTargets, dcrouterTestPrompts, scaledKnnArtifact } from "./routing-bench-artifacts.js";
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
const streamEvents = option("--events", 20);
const systemsIndex = process.argv.indexOf("--systems");
const chosenSystems = systemsIndex >= 0 ? new Set((process.argv[systemsIndex + 1] ?? "").split(",")) : undefined;
const bigCount = option("--big", 100_000);

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

// Real routers: dcrouter's kNN and a 100k-prompt one (cached), with dcrouter's targets and test prompts.
const log = (line: string) => process.stderr.write(`${line}\n`);
const dcArtifact = await dcrouterKnnArtifact({ root, log });
const bigArtifact = await scaledKnnArtifact({ root, count: bigCount, log });
await copyFile(dcArtifact, join(directory, "dc-router.json"));
await copyFile(await dcrouterFloorArtifact({ root, log }), join(directory, "dc-floor-router.json"));
// dcrouter's train split itself (5,608 prompts, no copies) with the dense path: word vectors + IVF forced.
if (chosenSystems === undefined || chosenSystems.has("dc-dense")) await copyFile(await scaledKnnArtifact({ root, count: 5608, log, params: { index: "ivf" } }), join(directory, "dc-dense-router.json"));
await copyFile(bigArtifact, join(directory, "big-router.json"));
const dcModels = await dcrouterTargets(root);
const dcPrompts = await dcrouterTestPrompts(root);
/** Load time of the big artifact in this process (read, parse, version hash, engine with its index), median of 3. */
const bigLoadMs: number[] = [];
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  const loaded = await loadVersionedArtifact(bigArtifact);
  await createRoutingEngine({ artifact: loaded.artifact, targets: dcModels.map((model) => ({ ...model, contextWindow: 128_000 })), artifactVersion: loaded.version });
  bigLoadMs.push(performance.now() - started);
}
const bigArtifactMb = (await stat(bigArtifact)).size / 1e6;
const dcArtifactMb = (await stat(dcArtifact)).size / 1e6;

const upstream = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-upstream.ts", "--events", String(streamEvents)]);
const pepper = "bench-pepper-0123456789abcdef";
const writeConfig = async (name: string, router = "./router.json", targets: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> = prices.models) => {
  const path = join(directory, `${name}.yaml`);
  await writeFile(
    path,
    toYaml({
      server: { host: "127.0.0.1", port: 0 },
      router: { artifact: router },
      upstreams: [{ name: "bench", baseUrl: `${upstream.url}/v1` }],
      targets: targets.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok })),
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
const dcServer = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", await writeConfig("dc", "./dc-router.json", dcModels)], { env });
const floorServer = chosenSystems === undefined || chosenSystems.has("dc-floor") ? await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", await writeConfig("dc-floor", "./dc-floor-router.json", dcModels)], { env }) : undefined;
const denseServer = chosenSystems === undefined || chosenSystems.has("dc-dense") ? await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", await writeConfig("dc-dense", "./dc-dense-router.json", dcModels)], { env }) : undefined;
const bigServer = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", await writeConfig("big", "./big-router.json", dcModels)], { env });
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
  /** Short name for --systems. */
  id: string;
  /** Prompts sent in turn (default: the one short demo prompt). */
  prompts?: readonly string[];
}
const json = { "content-type": "application/json" };
const portkeyHeaders = { ...json, authorization: "Bearer unused", "x-portkey-provider": "openai", "x-portkey-custom-host": `${upstream.url}/v1` };
const dcFixedModel = dcModels[0]?.id as string;
const systems: System[] = [
  { id: "direct", name: "direct (no gateway)", url: upstream.url, headers: json, model: fixedModel, pid: undefined },
  { id: "minimal", name: "minimal Node proxy (floor, no features)", url: minimal.url, headers: json, model: fixedModel, pid: minimal.child.pid },
  { id: "fixed", name: "switchyard, fixed model", url: open.url, headers: json, model: fixedModel, pid: open.child.pid },
  { id: "auto", name: "switchyard, auto (demo kNN)", url: open.url, headers: json, model: "auto", pid: open.child.pid },
  { id: "keyed", name: "switchyard, fixed, API key + budget", url: keyed.url, headers: { ...json, authorization: `Bearer ${key}` }, model: fixedModel, pid: keyed.child.pid },
  { id: "portkey", name: "portkey 1.15.2 (as installed)", url: portkeyUrl, headers: portkeyHeaders, model: fixedModel, pid: portkeyChild.pid },
  { id: "portkey-shim", name: "portkey 1.15.2 + fetch-headers shim", url: shimUrl, headers: portkeyHeaders, model: fixedModel, pid: shimChild.pid, only: "stream" },
  { id: "dc-fixed", name: "switchyard dcrouter-kNN server, fixed model, dcrouter prompts", url: dcServer.url, headers: json, model: dcFixedModel, pid: dcServer.child.pid, prompts: dcPrompts },
  { id: "dc-auto", name: "switchyard dcrouter-kNN server, auto, dcrouter prompts", url: dcServer.url, headers: json, model: "auto", pid: dcServer.child.pid, prompts: dcPrompts, only: "plain" },
  { id: "dc-floor", name: "switchyard dcrouter server with a `cheapest` artifact, auto, dcrouter prompts (routed path, router costs nothing)", url: floorServer?.url ?? "", headers: json, model: "auto", pid: floorServer?.child.pid, prompts: dcPrompts, only: "plain" },
  { id: "dc-dense", name: "switchyard dcrouter kNN with word vectors + IVF (the dense path), auto, dcrouter prompts", url: denseServer?.url ?? "", headers: json, model: "auto", pid: denseServer?.child.pid, prompts: dcPrompts, only: "plain" },
  { id: "big-auto", name: `switchyard ${bigCount / 1000}k-prompt kNN (IVF), auto, dcrouter prompts`, url: bigServer.url, headers: json, model: "auto", pid: bigServer.child.pid, prompts: dcPrompts, only: "plain" },
].filter((system) => system.id === "direct" || chosenSystems === undefined || chosenSystems.has(system.id)) as System[];

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
      const bodyOf = (text: string) => JSON.stringify({ model: system.model, messages: [{ role: "user", content: text }], ...(scenario.stream ? { stream: true } : {}) });
      const body = bodyOf(prompt);
      const bodies = system.prompts?.map(bodyOf);
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
        bodies,
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
      process.stderr.write(`round ${round + 1}/${rounds} ${scenario.name} ${system.name}: p50 ${quantile(result.latenciesMs, 0.5).toFixed(3)} ms, ${result.requestsPerSecond.toFixed(0)} req/s, ${cpuList[cpuList.length - 1]?.toFixed(0)} µs CPU/request, ${result.errors} errors${result.errorSamples.length ? ` (${result.errorSamples[0]})` : ""}\n`);
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
print(`Prompt ${prompt.length} characters (dcrouter rows: dcrouter's ${dcPrompts.length} test prompts in turn); upstream answer ~400 bytes (streams: ${streamEvents} events written separately). Figures are medians over rounds.`);
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
print("| system | non-streamed req/s | % of direct | streamed req/s | % of direct | CPU µs/request | streamed CPU µs/request | peak RSS MB |");
print("|---|---|---|---|---|---|---|---|");
const rps = (system: System, scenario: Scenario) => median((results.get(keyOf(system, scenario)) ?? []).map((run) => run.requestsPerSecond));
const plain64 = scenarios[2] as Scenario;
const stream64 = scenarios[3] as Scenario;
for (const system of systems) {
  if (system.only === "stream") continue;
  const plainShare = (100 * rps(system, plain64)) / rps(systems[0] as System, plain64);
  const streamShare = (100 * rps(system, stream64)) / rps(systems[0] as System, stream64);
  const cpu = median(cpuPerRequest.get(keyOf(system, plain64)) ?? []);
  const streamCpu = median(cpuPerRequest.get(keyOf(system, stream64)) ?? []);
  const show = (value: number, text: string) => (Number.isNaN(value) ? "—" : text);
  print(`| ${system.name} | ${show(rps(system, plain64), rps(system, plain64).toFixed(0))} | ${show(plainShare, `${plainShare.toFixed(0)}%`)} | ${show(rps(system, stream64), rps(system, stream64).toFixed(0))} | ${show(streamShare, `${streamShare.toFixed(0)}%`)} | ${show(cpu, cpu.toFixed(0))} | ${show(streamCpu, streamCpu.toFixed(0))} | ${system.pid === undefined ? "—" : (peakRss.get(system.name) ?? 0).toFixed(0)} |`);
}
const bySystem = (name: string) => systems.find((system) => system.name === name) as System;
const byId = (id: string) => systems.find((system) => system.id === id);
const directSystem = bySystem("direct (no gateway)");
const decisionMsOf = (system: System | undefined) => (system ? (results.get(keyOf(system, scenarios[0] as Scenario)) ?? []).flatMap((run) => run.headerValues.map(Number)).sort((a, b) => a - b) : []);
const addedOver = (system: System | undefined) =>
  system ? median((results.get(keyOf(system, scenarios[0] as Scenario)) ?? []).map((run, index) => quantile(run.latenciesMs, 0.5) - quantile(results.get(keyOf(directSystem, scenarios[0] as Scenario))?.[index]?.latenciesMs ?? [], 0.5))) : Number.NaN;
const cpuOf = (system: System | undefined, scenario: Scenario) => (system ? median(cpuPerRequest.get(keyOf(system, scenario)) ?? []) : Number.NaN);
print();
print("### The routing decision's own cost (1 connection, non-streamed)");
print();
print("| measure | demo kNN | dcrouter kNN | " + `${bigCount / 1000}k kNN (IVF) |`);
print("|---|---|---|---|");
const routed = [byId("auto"), byId("dc-auto"), byId("big-auto")];
print(`| decision time reported by the engine (x-switchyard-decision-ms), median ms | ${routed.map((system) => quantile(decisionMsOf(system), 0.5).toFixed(3)).join(" | ")} |`);
print(`| decision time, p99 ms | ${routed.map((system) => quantile(decisionMsOf(system), 0.99).toFixed(3)).join(" | ")} |`);
print(`| added latency, auto minus fixed model (same prompts), median ms | ${(addedOver(byId("auto")) - addedOver(byId("fixed"))).toFixed(3)} | ${(addedOver(byId("dc-auto")) - addedOver(byId("dc-fixed"))).toFixed(3)} | ${(addedOver(byId("big-auto")) - addedOver(byId("dc-fixed"))).toFixed(3)} |`);
print(`| CPU per request at 64 connections, auto ÷ fixed model (same prompts) | ${(cpuOf(byId("auto"), plain64) / cpuOf(byId("fixed"), plain64)).toFixed(2)}× | ${(cpuOf(byId("dc-auto"), plain64) / cpuOf(byId("dc-fixed"), plain64)).toFixed(2)}× | ${(cpuOf(byId("big-auto"), plain64) / cpuOf(byId("dc-fixed"), plain64)).toFixed(2)}× |`);
if (byId("dc-floor") !== undefined) {
  // The routed path's floor: the same server shape with a router that does no work (issue 19's ceiling).
  print(`| floor: \`cheapest\` artifact (no embedding, no search), auto ÷ fixed CPU at 64 connections; added median auto − fixed | — | ${(cpuOf(byId("dc-floor"), plain64) / cpuOf(byId("dc-fixed"), plain64)).toFixed(2)}×; ${(addedOver(byId("dc-floor")) - addedOver(byId("dc-fixed"))).toFixed(3)} ms | — |`);
  for (const system of [byId("dc-floor"), byId("dc-dense")]) if (system !== undefined) print(`| ${system.id}: engine decision time, median / p99 ms | — | ${quantile(decisionMsOf(system), 0.5).toFixed(3)} / ${quantile(decisionMsOf(system), 0.99).toFixed(3)} | — |`);
  if (byId("dc-dense") !== undefined) print(`| dense path (word vectors + IVF, same train split): auto ÷ fixed CPU at 64 connections; added median auto − fixed | — | ${(cpuOf(byId("dc-dense"), plain64) / cpuOf(byId("dc-fixed"), plain64)).toFixed(2)}×; ${(addedOver(byId("dc-dense")) - addedOver(byId("dc-fixed"))).toFixed(3)} ms | — |`);
  print(`| kNN's own share: dcrouter auto − floor, CPU µs per request at 64 connections | — | ${(cpuOf(byId("dc-auto"), plain64) - cpuOf(byId("dc-floor"), plain64)).toFixed(0)} µs (fixed path ${cpuOf(byId("dc-fixed"), plain64).toFixed(0)} µs) | — |`);
}
print(`| artifact size MB / load ms (read, parse, version, engine; median of 3 in the benchmark process) | — | ${dcArtifactMb.toFixed(1)} / — | ${bigArtifactMb.toFixed(1)} / ${median(bigLoadMs).toFixed(0)} |`);
print();
print(`Streams (${streamEvents} separately written events, 64 connections): CPU per request switchyard fixed ÷ minimal Node proxy = ${(cpuOf(byId("fixed"), stream64) / cpuOf(byId("minimal"), stream64)).toFixed(2)}×; dcrouter server fixed ÷ minimal = ${(cpuOf(byId("dc-fixed"), stream64) / cpuOf(byId("minimal"), stream64)).toFixed(2)}×.`);
// Per-round ratios (issue 19): the rounds interleave the systems, so a round's ratio compares processes
// that ran under the same machine load.
const perRound = (system: System | undefined, scenario: Scenario) => (system === undefined ? [] : (cpuPerRequest.get(keyOf(system, scenario)) ?? []));
const roundRatios = (top: System | undefined, bottom: System | undefined, scenario: Scenario) => {
  const a = perRound(top, scenario);
  const b = perRound(bottom, scenario);
  return a.length === 0 || b.length === 0 ? "—" : a.map((value, index) => `${(value / (b[index] ?? Number.NaN)).toFixed(2)}×`).join(" / ");
};
print();
print(`Per round (CPU µs/request, 64 connections): streamed fixed ÷ minimal ${roundRatios(byId("fixed"), byId("minimal"), stream64)}; streamed dcrouter fixed ÷ minimal ${roundRatios(byId("dc-fixed"), byId("minimal"), stream64)}; dcrouter auto ÷ fixed ${roundRatios(byId("dc-auto"), byId("dc-fixed"), plain64)}; dcrouter floor (\`cheapest\`) ÷ fixed ${roundRatios(byId("dc-floor"), byId("dc-fixed"), plain64)}; dcrouter dense (word vectors + IVF) ÷ fixed ${roundRatios(byId("dc-dense"), byId("dc-fixed"), plain64)}; fixed non-streamed ÷ minimal ${roundRatios(byId("fixed"), byId("minimal"), plain64)}.`);

if (outPath !== undefined) await writeFile(outPath, `${lines.join("\n")}\n`);
children.stopAll();
await new Promise((done) => setTimeout(done, 500));
await rm(directory, { recursive: true, force: true });
