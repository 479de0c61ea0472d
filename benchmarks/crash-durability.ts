/**
 * Crash durability: does every response a client received completely keep its trace and its ledger
 * entry across `kill -9`?
 *
 *   npx tsx benchmarks/crash-durability.ts [--rounds 10] [--connections 64] [--seed 1] [--checkout DIR]
 *
 * `--checkout DIR` runs another checkout's gateway (and its store code) instead of this one — e.g. the
 * commit before the request journal, to see what the benchmark counts when records are lost.
 *
 * One gateway process exactly as `switchyard serve` runs it (`gateway-switchyard-server.ts`: SQLite
 * store with its request journal, traces, JSON logs to a file) over a priced upstream in this process
 * (answers cost 12 prompt + up to 20 completion tokens; streams send 10 events 3 ms apart). Each round:
 * 64 connections of load (half streamed; one stream in ten is abandoned by its client after 3 events),
 * `kill -9` at a random moment (0–1 s after the round's 100th completed response), restart (the new process applies the journal), then count
 * in the store: every response a client received completely must have its trace, the key's ledger must
 * hold one entry per trace of the key and the sum of their costs, and abandoned streams must be billed
 * for what they delivered. The last line of the log file must be whole JSON.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { createRandom } from "../src/core/random.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const checkoutIndex = process.argv.indexOf("--checkout");
const root = checkoutIndex >= 0 ? (process.argv[checkoutIndex + 1] as string) : here;
// The store and key code of the checkout under test (its schema may differ from this one's).
const module = (path: string) => import(pathToFileURL(join(root, path)).href);
const { createSqliteStore } = (await module("src/stores/sqlite/sqlite-store.ts")) as typeof import("../src/stores/sqlite/sqlite-store.js");
const { createApiKeyService } = (await module("src/limits/api-key-service.ts")) as typeof import("../src/limits/api-key-service.js");
const { createApiKeyHasher } = (await module("src/limits/api-key-hasher.ts")) as typeof import("../src/limits/api-key-hasher.js");
const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const rounds = argument("rounds", 10);
const connections = argument("connections", 64);
const random = createRandom(argument("seed", 1));
const inputUsdPerMTok = 2.5;
const outputUsdPerMTok = 10;
const costOf = (prompt: number, completion: number) => (prompt * inputUsdPerMTok + completion * outputUsdPerMTok) / 1e6;

// --- the priced upstream (in this process).
const upstream = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
  request.on("end", () => {
    const parsed = JSON.parse(body) as { model: string; stream?: boolean; max_tokens?: number };
    const completion = Math.min(parsed.max_tokens ?? 20, 20);
    const usage = { prompt_tokens: 12, completion_tokens: completion, total_tokens: 12 + completion };
    if (parsed.stream !== true) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: parsed.model, choices: [{ index: 0, message: { role: "assistant", content: "word ".repeat(completion) }, finish_reason: "stop" }], usage }));
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream" });
    let sent = 0;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: parsed.model, choices, ...extra })}\n\n`;
    const timer = setInterval(() => {
      if (response.destroyed) return clearInterval(timer);
      if (sent < 10) {
        response.write(chunk([{ index: 0, delta: { content: "word " }, finish_reason: null }]));
        sent++;
        return;
      }
      clearInterval(timer);
      response.end(chunk([], { usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 } }) + "data: [DONE]\n\n");
    }, 3);
    response.on("close", () => clearInterval(timer));
  });
});
await new Promise<void>((done) => upstream.listen(0, "127.0.0.1", done));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

// --- the gateway's files: a small kNN router (serve needs one), config, a key with a budget.
const directory = await mkdtemp(join(tmpdir(), "switchyard-crash-"));
const dataset = await loadDataset(join(here, "examples/demo/routerbench-sample.jsonl"));
const artifact = await trainRouterArtifact({ examples: dataset.examples.filter((example) => example.split === "train"), models: dataset.models, router: "knn", dataset: "demo", split: "train", params: { k: 10, power: 1, priorWeight: 1 } });
await saveRouterArtifact(join(directory, "router.json"), artifact);
const configPath = join(directory, "switchyard.yaml");
await writeFile(
  configPath,
  toYaml({
    server: { host: "127.0.0.1", port: 0 },
    router: { artifact: "./router.json" },
    upstreams: [{ name: "priced", baseUrl: `${upstreamUrl}/v1` }],
    targets: [...dataset.models.map((model) => ({ id: model, inputUsdPerMTok, outputUsdPerMTok })), { id: "gpt-4o-mini", inputUsdPerMTok, outputUsdPerMTok }],
    store: { path: "./data/switchyard.db" },
  }),
);
const dbPath = join(directory, "data", "switchyard.db");
const pepper = "crash-pepper-0123456789abcdef";
const keyStore = createSqliteStore({ path: dbPath });
const { key, record } = await createApiKeyService({ store: keyStore, hasher: createApiKeyHasher(pepper) }).create({ name: "crash", budgetUsd: 1_000, budgetPeriod: "total" });
await keyStore.close();
const logPath = join(directory, "gateway.log");

async function startGateway(): Promise<{ child: ChildProcess; url: string }> {
  const logFd = openSync(logPath, "a");
  const child = spawn(process.execPath, ["--import", "tsx", "benchmarks/gateway-switchyard-server.ts", "--config", configPath], {
    cwd: root,
    env: { ...process.env, SWITCHYARD_KEY_PEPPER: pepper },
    stdio: ["ignore", "pipe", logFd],
  });
  closeSync(logFd);
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /READY (\S+)/.exec(text);
      if (match) resolve(match[1] as string);
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  child.stdout?.resume();
  return { child, url };
}

/** What the clients saw. */
interface Seen {
  /** Gateway ids of responses received completely, with the cost the client can compute. */
  complete: Map<string, number>;
  /** Gateway ids of streams the client abandoned after 3 events (delivered ≥ 3 content tokens). */
  abandoned: Set<string>;
  /** Requests cut by the crash (no complete response). */
  cut: number;
}

async function load(url: string, seen: Seen, stopAt: { stopped: boolean }): Promise<void> {
  const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
  let counter = 0;
  const loop = async (worker: number) => {
    while (!stopAt.stopped) {
      const index = counter++;
      const stream = (index + worker) % 2 === 0;
      const abandon = stream && index % 10 === 3;
      try {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers,
          body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: `question ${index}: what is ${index} + ${index}?` }], max_tokens: 20, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }),
        });
        const id = response.headers.get("x-request-id") ?? "";
        if (!stream) {
          const body = (await response.json()) as { usage?: { prompt_tokens: number; completion_tokens: number } };
          if (response.status === 200 && body.usage) seen.complete.set(id, costOf(body.usage.prompt_tokens, body.usage.completion_tokens));
          continue;
        }
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        let text = "";
        let events = 0;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
          events = text.split('"content":"word ').length - 1;
          if (abandon && events >= 3) {
            await reader.cancel();
            seen.abandoned.add(id);
            break;
          }
        }
        if (abandon) continue;
        const usage = /"usage":\{"prompt_tokens":(\d+),"completion_tokens":(\d+)/.exec(text);
        if (text.includes("data: [DONE]") && usage) seen.complete.set(id, costOf(Number(usage[1]), Number(usage[2])));
        else seen.cut++;
      } catch {
        seen.cut++;
        if (stopAt.stopped) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, worker) => loop(worker)));
}

interface RoundResult {
  complete: number;
  missingTraces: number;
  keyTraces: number;
  ledgerRequests: number;
  ledgerUsd: number;
  traceUsd: number;
  clientUsd: number;
  abandoned: number;
  abandonedBilled: number;
  cut: number;
  lastLogLineWhole: boolean;
}

const results: RoundResult[] = [];
const allComplete = new Map<string, number>();
const allAbandoned = new Set<string>();
let gateway = await startGateway();
for (let round = 0; round < rounds; round++) {
  const seen: Seen = { complete: new Map(), abandoned: new Set(), cut: 0 };
  const stop = { stopped: false };
  const running = load(gateway.url, seen, stop);
  // Kill at a random moment once the load is under way (≥ 100 completed responses, or 20 s).
  const started = Date.now();
  while (seen.complete.size < 100 && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, random() * 1_000));
  gateway.child.kill("SIGKILL");
  await new Promise((resolve) => gateway.child.once("exit", resolve));
  stop.stopped = true;
  await running;
  const logText = readFileSync(logPath, "utf8").trimEnd();
  const lastLine = logText.slice(logText.lastIndexOf("\n") + 1);
  let lastLogLineWhole = true;
  try {
    JSON.parse(lastLine);
  } catch {
    lastLogLineWhole = lastLine === "";
  }
  // Restart: the new process applies what the killed one journaled.
  gateway = await startGateway();
  for (const [id, cost] of seen.complete) allComplete.set(id, cost);
  for (const id of seen.abandoned) allAbandoned.add(id);
  const reader = createSqliteStore({ path: dbPath });
  let missingTraces = 0;
  let abandonedBilled = 0;
  let abandonedFound = 0;
  for (const id of allComplete.keys()) if ((await reader.traces.get(id)) === undefined) missingTraces++;
  for (const id of allAbandoned) {
    const trace = await reader.traces.get(id);
    if (trace === undefined) continue;
    abandonedFound++;
    if ((trace.outputTokens ?? 0) >= 3 && (trace.costUsd ?? 0) > 0) abandonedBilled++;
  }
  const traces = await reader.traces.list({ keyId: record.id, limit: 10_000_000 });
  const totals = await reader.usage.totals(record.id, 0);
  await reader.close();
  results.push({
    complete: allComplete.size,
    missingTraces,
    keyTraces: traces.length,
    ledgerRequests: totals.requests,
    ledgerUsd: totals.spentUsd,
    traceUsd: traces.reduce((sum, trace) => sum + (trace.costUsd ?? 0), 0),
    clientUsd: [...allComplete.values()].reduce((sum, cost) => sum + cost, 0),
    abandoned: abandonedFound,
    abandonedBilled,
    cut: seen.cut,
    lastLogLineWhole,
  });
  const last = results.at(-1) as RoundResult;
  console.error(`round ${round + 1}: ${seen.complete.size} complete, ${seen.cut} cut by the crash, missing traces ${last.missingTraces}, ledger ${last.ledgerRequests} entries / ${last.keyTraces} traces`);
}
gateway.child.kill("SIGTERM");
await new Promise((resolve) => gateway.child.once("exit", resolve));
upstream.close();

console.log(`crash durability — ${rounds} rounds of kill -9 under ${connections}-connection load (half streamed), gateway from ${root === here ? "this checkout" : root}, Node ${process.version}`);
console.log("| round | completed responses (cumulative) | cut by the crash | traces missing for completed | key traces | ledger entries | ledger USD − traces USD | ledger USD − completed responses' USD | abandoned streams billed for delivered | last log line whole |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
results.forEach((result, index) => {
  console.log(
    `| ${index + 1} | ${result.complete} | ${result.cut} | ${result.missingTraces} | ${result.keyTraces} | ${result.ledgerRequests} | ${(result.ledgerUsd - result.traceUsd).toExponential(2)} | ${(result.ledgerUsd - result.clientUsd).toExponential(2)} | ${result.abandonedBilled}/${result.abandoned} | ${result.lastLogLineWhole ? "yes" : "NO"} |`,
  );
});
const final = results.at(-1) as RoundResult;
console.log(
  `\nlost traces for completed responses: ${final.missingTraces}; lost ledger entries: ${final.keyTraces - final.ledgerRequests} (ledger ${final.ledgerRequests} vs ${final.keyTraces} traces of the key); ledger − sum of trace costs: $${(final.ledgerUsd - final.traceUsd).toFixed(9)}`,
);
if (!process.argv.includes("--keep")) await rm(directory, { recursive: true, force: true });
else console.error(`kept ${directory}`);
