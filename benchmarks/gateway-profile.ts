/**
 * Quick single-system companion of `gateway-overhead.ts` for profiling work: starts the benchmark
 * upstream and one Switchyard server (open, or with an API key + budget), optionally under
 * `node --cpu-prof`, and measures interleaved with calling the upstream directly: the median / p99
 * added at 1 connection and requests/s at 64 connections, for a fixed model and/or `auto`.
 *
 * `--compare DIR` also starts the server of another checkout (e.g. `git archive HEAD | tar -x -C DIR`,
 * with `node_modules` linked) and measures it interleaved with this one: a before/after on one machine.
 *
 *   npx tsx benchmarks/gateway-profile.ts [--key] [--model fixed|auto] [--rounds 3] [--requests-1 3000]
 *     [--requests-64 15000] [--stream] [--only 1|64] [--cpu-prof DIR] [--heap-prof DIR] [--compare DIR] [--config-extra JSON]
 *     [--router demo|dcrouter|replicated-100000] [--events N]
 *
 * `--router dcrouter` serves a kNN artifact trained on dcrouter's train split (cached outside the repo, see
 * routing-bench-artifacts.ts) with dcrouter's targets, and every request (fixed or auto) sends the next of
 * dcrouter's 381 test prompts; `replicated-N` does the same with an N-prompt artifact. `--events N`
 * makes the upstream write streams of N separate events.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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
import { dcrouterKnnArtifact, dcrouterTargets, dcrouterTestPrompts, scaledKnnArtifact } from "./routing-bench-artifacts.js";
import { copyFile } from "node:fs/promises";
import { quantile, runLoad, type LoadResult } from "./gateway-load.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const numberOption = (name: string, fallback: number) => Number(argument(name) ?? fallback);
const withKey = process.argv.includes("--key");
const stream = process.argv.includes("--stream");
const modelKind = argument("--model") ?? "fixed";
const rounds = numberOption("--rounds", 3);
const only = argument("--only");
const cpuProfDir = argument("--cpu-prof");
const compareRoot = argument("--compare");
/** Extra top-level config sections for this checkout's server only, as JSON (e.g. `{"traces":{"enabled":false}}`). */
const configExtra = JSON.parse(argument("--config-extra") ?? "{}") as Record<string, unknown>;
const requestsAt = { 1: numberOption("--requests-1", 3_000), 64: numberOption("--requests-64", 15_000) } as const;

const children = createChildGroup(root);

const directory = await mkdtemp(join(tmpdir(), "switchyard-profile-"));
const routerChoice = argument("--router") ?? "demo";
let prompts: string[];
let prices: { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
if (routerChoice === "demo") {
  const dataset = await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"));
  prompts = [dataset.examples.find((example) => example.split === "test")?.prompt.slice(0, 400) ?? "What is 2 + 2?"];
  const artifact = await trainRouterArtifact({ examples: dataset.examples.filter((example) => example.split === "train"), models: dataset.models, router: "knn", dataset: "demo", split: "train", params: { k: 10, power: 1, priorWeight: 1 } });
  await saveRouterArtifact(join(directory, "router.json"), artifact);
  prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as typeof prices;
} else {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const replicated = /^replicated-(\d+)$/.exec(routerChoice);
  const source = replicated ? await scaledKnnArtifact({ root, count: Number(replicated[1]), log }) : await dcrouterKnnArtifact({ root, log });
  await copyFile(source, join(directory, "router.json"));
  prompts = await dcrouterTestPrompts(root);
  prices = { models: await dcrouterTargets(root) };
}
const model = modelKind === "auto" ? "auto" : (prices.models[0]?.id as string);
const eventsOption = argument("--events");

const upstream = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-upstream.ts", ...(eventsOption === undefined ? [] : ["--events", eventsOption])]);
const pepper = "bench-pepper-0123456789abcdef";
const headers: Record<string, string> = { "content-type": "application/json" };
let key: string | undefined;
/** Writes a config (own store) for one server and, with `--key`, creates the same key in its store. */
async function configFor(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(directory, `${name}.yaml`);
  await writeFile(
    path,
    toYaml({
      server: { host: "127.0.0.1", port: 0 },
      router: { artifact: "./router.json" },
      upstreams: [{ name: "bench", baseUrl: `${upstream.url}/v1` }],
      targets: prices.models.map((entry) => ({ id: entry.id, inputUsdPerMTok: entry.inputUsdPerMTok, outputUsdPerMTok: entry.outputUsdPerMTok })),
      store: { path: `./${name}/switchyard.db` },
      ...extra,
    }),
  );
  if (withKey) {
    const store = createSqliteStore({ path: join(directory, name, "switchyard.db") });
    const service = createApiKeyService({ store, hasher: createApiKeyHasher(pepper) });
    if (key === undefined) {
      key = (await service.create({ name: "bench", budgetUsd: 1_000_000, budgetPeriod: "month" })).key;
    } else {
      // The same secret in a second store: insert its record directly.
      await store.keys.insert({ id: "key_bench", name: "bench", hash: createApiKeyHasher(pepper).hash(key), prefix: key.slice(0, 7), createdAt: Date.now(), revokedAt: null, budgetUsd: 1_000_000, budgetPeriod: "month", rpm: null, tpm: null, models: null });
    }
    await store.close();
    headers.authorization = `Bearer ${key}`;
  }
  return path;
}
const heapProfDir = argument("--heap-prof");
const profArgs = [...(cpuProfDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", cpuProfDir]), ...(heapProfDir === undefined ? [] : ["--heap-prof", "--heap-prof-dir", heapProfDir])];
const servers: Array<{ name: string; url: string; pid: number | undefined }> = [];
const current = await children.start(process.execPath, [...profArgs, "--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", await configFor("current", configExtra)], { env: { SWITCHYARD_KEY_PEPPER: pepper } });
servers.push({ name: "this checkout", url: current.url, pid: current.child.pid });
if (compareRoot !== undefined) {
  const other = await children.start(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", await configFor("compare")], { env: { SWITCHYARD_KEY_PEPPER: pepper }, cwd: resolve(compareRoot) });
  servers.push({ name: compareRoot, url: other.url, pid: other.child.pid });
}

const bodies = prompts.map((prompt) => JSON.stringify({ model, messages: [{ role: "user", content: prompt }], ...(stream ? { stream: true } : {}) }));
const body = bodies[0] as string;
const check = (_status: number, text: string) => (stream ? (text.includes("[DONE]") ? undefined : "stream without [DONE]") : text.includes('"choices"') ? undefined : "not a completion");
const run = (url: string, concurrency: 1 | 64): Promise<LoadResult> =>
  runLoad({ url, path: "/v1/chat/completions", headers, body, bodies, concurrency, requests: requestsAt[concurrency], warmup: concurrency === 1 ? 200 : 1_000, firstByte: stream, check });

const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);
/** CPU time (user + system) a process has used, in milliseconds (Linux /proc; clock ticks of 10 ms). */
async function cpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
/** A load run against a server, with the server's CPU time per request (warm-up included in both). */
async function measured(server: (typeof servers)[number], concurrency: 1 | 64): Promise<LoadResult & { cpuUsPerRequest: number }> {
  const before = await cpuMs(server.pid);
  const result = await run(server.url, concurrency);
  const used = (await cpuMs(server.pid)) - before;
  return { ...result, cpuUsPerRequest: (1000 * used) / (requestsAt[concurrency] + (concurrency === 1 ? 200 : 1_000)) };
}
const figures = servers.map(() => ({ added1: [] as number[], addedP99: [] as number[], share64: [] as number[], rps64: [] as number[], cpu1: [] as number[], cpu64: [] as number[] }));
for (let round = 0; round < rounds; round++) {
  if (only !== "64") {
    const direct = await run(upstream.url, 1);
    for (const [index, server] of servers.entries()) {
      const through = await measured(server, 1);
      const figure = figures[index] as (typeof figures)[number];
      figure.cpu1.push(through.cpuUsPerRequest);
      figure.added1.push(quantile(through.latenciesMs, 0.5) - quantile(direct.latenciesMs, 0.5));
      figure.addedP99.push(quantile(through.latenciesMs, 0.99) - quantile(direct.latenciesMs, 0.99));
      process.stderr.write(`round ${round + 1} ${server.name}: 1 conn added median ${figure.added1.at(-1)?.toFixed(3)} ms (p99 ${figure.addedP99.at(-1)?.toFixed(3)}), ${through.cpuUsPerRequest.toFixed(0)} µs CPU/request, errors ${through.errors}${through.errorSamples[0] ? ` ${through.errorSamples[0]}` : ""}\n`);
    }
  }
  if (only !== "1") {
    const direct = await run(upstream.url, 64);
    for (const [index, server] of servers.entries()) {
      const through = await measured(server, 64);
      const figure = figures[index] as (typeof figures)[number];
      figure.cpu64.push(through.cpuUsPerRequest);
      figure.share64.push((100 * through.requestsPerSecond) / direct.requestsPerSecond);
      figure.rps64.push(through.requestsPerSecond);
      process.stderr.write(`round ${round + 1} ${server.name}: 64 conn ${through.requestsPerSecond.toFixed(0)} req/s = ${figure.share64.at(-1)?.toFixed(1)}% of direct ${direct.requestsPerSecond.toFixed(0)}, ${through.cpuUsPerRequest.toFixed(0)} µs CPU/request, errors ${through.errors}\n`);
    }
  }
}
for (const [index, server] of servers.entries()) {
  const { added1, addedP99, share64, rps64, cpu1, cpu64 } = figures[index] as (typeof figures)[number];
  process.stdout.write(
    `${server.name}, ${withKey ? "key+budget" : "open"} ${model}${stream ? " stream" : ""}: ` +
      (added1.length > 0 ? `added median ${median(added1).toFixed(3)} ms, added p99 ${median(addedP99).toFixed(3)} ms, ${median(cpu1).toFixed(0)} µs CPU/request; ` : "") +
      (rps64.length > 0 ? `64 conn ${median(rps64).toFixed(0)} req/s = ${median(share64).toFixed(1)}% of direct, ${median(cpu64).toFixed(0)} µs CPU/request` : "") +
      "\n",
  );
}
children.stopAll();
await new Promise((done) => setTimeout(done, 1_500));
await rm(directory, { recursive: true, force: true });
