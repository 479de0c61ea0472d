import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Decision } from "../../src/core/decision.js";
import { SwitchyardError } from "../../src/core/errors.js";
import type { Query } from "../../src/core/query.js";
import type { DecideConstraints, RoutingEngine } from "../../src/core/routing-engine.js";
import type { Target } from "../../src/core/target.js";

/** What a scripted upstream does with one request. */
export type Behaviour =
  | "ok"
  | "500"
  | "503"
  | "429"
  | "reset"
  | "hang"
  | "malformed"
  | "cut"
  | "slow-first-byte"
  | "slow-stream"
  | { status: number; headers?: Record<string, string>; body?: string };

/** One request the upstream saw. */
export interface SeenRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

/** A real node:http upstream on 127.0.0.1:0 whose behaviour each test scripts. */
export interface ScriptedUpstream {
  url: string;
  /** Base URL for the gateway config (`${url}/v1`). */
  baseUrl: string;
  seen: SeenRequest[];
  /** Behaviour for the next requests; a list is consumed in order and its last entry repeats. */
  script(...behaviours: Behaviour[]): void;
  /** Text the `ok` behaviour answers. */
  answer: string;
  /** Seconds sent with `429` (as `retry-after`). */
  retryAfter: string;
  /** Pause between the chunks of `slow-stream` (default 40 ms). */
  chunkDelayMs: number;
  close(): Promise<void>;
}

/** Usage the scripted upstream reports: the gateway's own prompt estimate, and `max_tokens` (or 5) completion tokens. */
export function scriptedUsage(body: Record<string, unknown>): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ content?: unknown }>) : [];
  const text = messages.map((message) => (typeof message.content === "string" ? message.content : "")).join("\n");
  const prompt = Math.ceil(text.length / 4);
  const completion = typeof body.max_tokens === "number" ? body.max_tokens : 5;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function completionOf(body: Record<string, unknown>, text: string): Record<string, unknown> {
  return {
    id: "chatcmpl-scripted",
    object: "chat.completion",
    created: 1_700_000_000,
    model: body.model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: scriptedUsage(body),
  };
}

function chunkOf(body: Record<string, unknown>, delta: Record<string, unknown>, finish: string | null): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion.chunk", created: 1_700_000_000, model: body.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
}

/** Starts a scripted upstream (default behaviour `ok`). */
export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  let queue: Behaviour[] = ["ok"];
  const seen: SeenRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const upstream: Partial<ScriptedUpstream> = { answer: "scripted answer", retryAfter: "0", chunkDelayMs: 40 };
  const next = (): Behaviour => (queue.length > 1 ? (queue.shift() as Behaviour) : (queue[0] as Behaviour));

  const server: Server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    request.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = {};
      }
      seen.push({ path: request.url ?? "", headers: request.headers, body });
      const behaviour = next();
      const text = upstream.answer as string;
      if (typeof behaviour === "object") {
        response.writeHead(behaviour.status, { "content-type": "application/json", ...behaviour.headers });
        response.end(behaviour.body ?? JSON.stringify({ error: { message: `scripted ${behaviour.status}`, type: "api_error", param: null, code: null } }));
        return;
      }
      switch (behaviour) {
        case "500":
        case "503":
          response.writeHead(Number(behaviour), { "content-type": "application/json" });
          response.end(JSON.stringify({ error: { message: "scripted failure", type: "server_error", param: null, code: null } }));
          return;
        case "429":
          response.writeHead(429, { "content-type": "application/json", "retry-after": upstream.retryAfter as string });
          response.end(JSON.stringify({ error: { message: "slow down", type: "rate_limit_error", param: null, code: "rate_limit_exceeded" } }));
          return;
        case "reset":
          request.socket.destroy();
          return;
        case "hang":
          hanging.add(response);
          response.on("close", () => hanging.delete(response));
          return;
        case "malformed":
          response.writeHead(200, { "content-type": "application/json" });
          response.end('{"id": "x", "choices": [');
          return;
        case "slow-first-byte":
          response.writeHead(200, { "content-type": "text/event-stream" });
          hanging.add(response);
          response.on("close", () => hanging.delete(response));
          return;
        case "slow-stream": {
          response.writeHead(200, { "content-type": "text/event-stream" });
          response.write(chunkOf(body, { role: "assistant", content: "" }, null));
          let sent = 0;
          const timer = setInterval(() => {
            if (response.destroyed) return clearInterval(timer);
            if (sent < 8) {
              response.write(chunkOf(body, { content: `p${sent++} ` }, null));
              return;
            }
            clearInterval(timer);
            response.write(chunkOf(body, {}, "stop"));
            response.write(`data: ${JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion.chunk", created: 1_700_000_000, model: body.model, choices: [], usage: scriptedUsage(body) })}\n\n`);
            response.end("data: [DONE]\n\n");
          }, upstream.chunkDelayMs);
          return;
        }
        case "cut":
          response.writeHead(200, { "content-type": "text/event-stream" });
          response.write(chunkOf(body, { role: "assistant", content: "" }, null));
          response.write(chunkOf(body, { content: "partial " }, null));
          setTimeout(() => request.socket.destroy(), 5);
          return;
        case "ok":
          if (body.stream === true) {
            response.writeHead(200, { "content-type": "text/event-stream" });
            response.write(chunkOf(body, { role: "assistant", content: "" }, null));
            for (const piece of text.match(/.{1,4}/gs) ?? []) response.write(chunkOf(body, { content: piece }, null));
            response.write(chunkOf(body, {}, "stop"));
            const options = body.stream_options as { include_usage?: boolean } | undefined;
            if (options?.include_usage) {
              response.write(`data: ${JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion.chunk", created: 1_700_000_000, model: body.model, choices: [], usage: scriptedUsage(body) })}\n\n`);
            }
            response.end("data: [DONE]\n\n");
            return;
          }
          if (request.url?.endsWith("/embeddings")) {
            const inputs = Array.isArray(body.input) ? body.input : [body.input];
            response.writeHead(200, { "content-type": "application/json" });
            response.end(JSON.stringify({ object: "list", model: body.model, data: inputs.map((_input, index) => ({ object: "embedding", index, embedding: [0.25, -0.5, index] })), usage: { prompt_tokens: 3, total_tokens: 3 } }));
            return;
          }
          response.writeHead(200, { "content-type": "application/json" });
          response.end(JSON.stringify(completionOf(body, text)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(upstream, {
    url,
    baseUrl: `${url}/v1`,
    seen,
    script: (...behaviours: Behaviour[]) => {
      queue = behaviours.length > 0 ? behaviours : ["ok"];
    },
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  }) as ScriptedUpstream;
}

/**
 * A routing engine that always ranks the allowed targets in config order (cheapest-first lists are
 * easy to script), honouring exclusions, `only` and `maxCostUsd` like the real engine.
 */
export function orderedEngine(targets: readonly Target[], options: { predictedCostUsd?: (target: Target) => number } = {}): RoutingEngine & { constraints: DecideConstraints[] } {
  const constraints: DecideConstraints[] = [];
  return {
    routerName: "ordered",
    targets,
    constraints,
    async decide(query: Query, given: DecideConstraints = {}): Promise<Decision> {
      constraints.push(given);
      const allowed = query.options?.allowedModels ? new Set(query.options.allowedModels) : undefined;
      let candidates = targets
        .filter((target) => (!allowed || allowed.has(target.id)) && !given.exclude?.has(target.id) && (!given.only || given.only.has(target.id)))
        .map((target, index) => ({ model: target.id, predictedQuality: 0.9 - index * 0.1, predictedCostUsd: options.predictedCostUsd?.(target) ?? 0.0001, objective: 1 - index }));
      if (candidates.length === 0) throw new SwitchyardError("no_candidates", "no candidates");
      if (given.maxCostUsd !== undefined) {
        const affordable = candidates.filter((candidate) => candidate.predictedCostUsd <= (given.maxCostUsd as number));
        candidates = affordable.length > 0 ? affordable : [candidates.reduce((a, b) => (b.predictedCostUsd < a.predictedCostUsd ? b : a))];
      }
      return { model: (candidates[0] as { model: string }).model, router: "ordered", willingnessToPay: 1, candidates, decisionMs: 0.01 };
    },
  };
}
