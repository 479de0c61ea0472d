import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Decision } from "../../src/core/decision.js";
import { SwitchyardError } from "../../src/core/errors.js";
import type { Query } from "../../src/core/query.js";
import type { DecideConstraints, RoutingEngine } from "../../src/core/routing-engine.js";
import type { Target } from "../../src/core/target.js";
import OpenAI from "openai";
import type { GatewayConfig } from "../../src/gateway/config.js";
import type { Timer } from "../../src/guard/latency-budget.js";
import { loadGatewayStages } from "../../src/gateway/gateway-stages.js";
import { listen, startGateway, type RunningServer } from "../../src/gateway/serve.js";
import { createUpstreamClient } from "../../src/providers/upstream-client.js";

/** An OpenAI-compatible server whose answer text is computed from the request's last message. */
export function scriptedServer(answer: (content: string) => string, seen: string[] = []): Promise<RunningServer> {
  return listen(
    async (request) => {
      const body = (await request.json()) as { model: string; messages: Array<{ content: string }> };
      const content = body.messages[body.messages.length - 1]?.content ?? "";
      seen.push(content);
      const completion = { id: "chatcmpl-s", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content: answer(content) }, finish_reason: "stop" }], usage: { prompt_tokens: 100, completion_tokens: 2 } };
      return new Response(JSON.stringify(completion), { headers: { "content-type": "application/json" } });
    },
    0,
    "127.0.0.1",
  );
}

/**
 * A hand-written engine that honours `only` and `exclude`: it picks the most expensive allowed target
 * (so a restriction is visible in which model answers) and lists the rest as candidates. Records the
 * constraints it saw.
 */
export function priciestEngine(targets: readonly Target[]): RoutingEngine & { seen: Array<DecideConstraints | undefined> } {
  const seen: Array<DecideConstraints | undefined> = [];
  return {
    routerName: "priciest",
    targets,
    seen,
    async decide(query: Query, constraints?: DecideConstraints): Promise<Decision> {
      seen.push(constraints);
      const allowed = targets
        .filter((target) => query.options?.allowedModels === undefined || query.options.allowedModels.includes(target.id))
        .filter((target) => !constraints?.exclude?.has(target.id) && (constraints?.only === undefined || constraints.only.has(target.id)))
        .sort((a, b) => b.outputUsdPerMTok - a.outputUsdPerMTok);
      const first = allowed[0];
      if (first === undefined) throw new SwitchyardError("no_candidates", "No target left");
      const candidates = allowed.map((target, index) => ({ model: target.id, predictedQuality: 1 - index * 0.1, predictedCostUsd: target.outputUsdPerMTok / 1e6, objective: -index }));
      return { model: first.id, router: "priciest", willingnessToPay: 1, candidates, decisionMs: 0 };
    },
  };
}

/** An upstream that reads each request and never answers; it records when the caller gives up (closes the connection). */
export interface HangingServer extends RunningServer {
  /** Last-message contents of the requests received so far. */
  readonly seen: string[];
  /** Resolves once `count` requests have been abandoned by their caller. */
  abandoned(count: number): Promise<void>;
  /** Resolves once `count` requests have been received in full. */
  received(count: number): Promise<void>;
}

/** Starts a {@link HangingServer} on 127.0.0.1 (a guard model or judge that is always too slow). */
export async function hangingServer(): Promise<HangingServer> {
  const seen: string[] = [];
  let closedCount = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const receivedWaiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((request, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => {
      const body = JSON.parse(text) as { messages: Array<{ content: string }> };
      seen.push(body.messages[body.messages.length - 1]?.content ?? "");
      for (const waiter of receivedWaiters.filter((entry) => entry.count <= seen.length)) {
        receivedWaiters.splice(receivedWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
    response.on("close", () => {
      closedCount += 1;
      for (const waiter of waiters.filter((entry) => entry.count <= closedCount)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    abandoned: (count) => (closedCount >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    received: (count) => (seen.length >= count ? Promise.resolve() : new Promise<void>((resolve) => receivedWaiters.push({ count, resolve }))),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Starts a gateway for `config` and returns an `openai` client for it; every server it starts goes into
 * `servers` (closed by the test's `after`). With `timer`, the guard / policy stages are loaded with it so
 * a test fires their latency budgets itself instead of racing a real timeout.
 */
export async function startStagedGateway(config: GatewayConfig, engine: RoutingEngine, servers: RunningServer[], timer?: Timer): Promise<OpenAI> {
  let gateway: RunningServer;
  if (timer === undefined) gateway = await startGateway({ config, engine, port: 0 });
  else {
    const upstreamClient = createUpstreamClient({ upstreams: config.upstreams });
    servers.push({ url: "", close: () => upstreamClient.close() });
    gateway = await startGateway({ config, engine, port: 0, upstreamClient, ...(await loadGatewayStages(config, { upstreamClient, timer })) });
  }
  servers.push(gateway);
  return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
}

/** Text, models and usage of a streamed chat completion, read to the end with the official client. */
export async function collectStream(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<{ text: string; models: Set<string>; usage: OpenAI.CompletionUsage | null | undefined }> {
  let text = "";
  let usage: OpenAI.CompletionUsage | null | undefined;
  const models = new Set<string>();
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    models.add(chunk.model);
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, models, usage };
}
