import { Hono } from "hono";
import type { Context } from "hono";
import { SwitchyardError } from "../core/errors.js";
import { promptTextOf } from "../core/query.js";
import type { ChatMessage } from "../core/query.js";
import { estimateTokens } from "../core/tokens.js";
import type { RoutingExample } from "../data/routing-example.js";
import { parseChatCompletionRequest } from "../gateway/chat-request.js";
import { errorResponse } from "../gateway/error-response.js";
import { silentLogger } from "../gateway/gateway-logger.js";
import { readJsonBody } from "../gateway/read-json-body.js";
import { listen } from "../gateway/serve.js";
import type { RunningServer } from "../gateway/serve.js";
import { completionBodyOf, completionEventsOf } from "./replay-completion.js";
import { createReplayIndex } from "./replay-index.js";

/** Options for {@link createReplayUpstream}. */
export interface ReplayUpstreamOptions {
  /** Prompts with each model's recorded `response` (e.g. RouterBench's `<model>|model_response`). */
  examples: readonly RoutingExample[];
  /** Unknown prompts: a 404 `unknown_prompt` error (default), or this text as every known model's answer. */
  fallback?: "error" | { text: string };
  /** Waits this long before answering (simulated upstream latency; default 0). */
  latencyMs?: number;
  /** Clock in epoch milliseconds for `created` (default `Date.now`). */
  now?: () => number;
}

const maxRequestBytes = 16 * 1024 * 1024;

/**
 * An OpenAI-compatible server that plays a fleet of recorded models: for a known prompt (the last user
 * message, raw or decoded RouterBench form) and a model the dataset has, it answers with what that model
 * really answered, with `usage` from the recorded token counts (or `estimateTokens`). Supports
 * `stream: true` (OpenAI's chunk sequence, the usage chunk when `stream_options.include_usage`),
 * `GET /v1/models`. Unknown models get 404 `model_not_found`; unknown prompts 404 `unknown_prompt`.
 *
 * @example
 * const replay = await startReplayUpstream({ examples: dataset.examples });
 * // upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1` }]
 */
export function createReplayUpstream(options: ReplayUpstreamOptions): Hono {
  const index = createReplayIndex(options.examples);
  const known = new Set(index.models);
  const now = options.now ?? Date.now;
  const fallback = options.fallback ?? "error";
  let served = 0;

  const app = new Hono();
  app.post("/v1/chat/completions", async (c) => {
    const request = parseChatCompletionRequest(await readJsonBody(c.req.raw, maxRequestBytes));
    if (!known.has(request.model)) {
      throw new SwitchyardError("model_not_found", `The replay upstream has no model "${request.model}"`, { param: "model" });
    }
    const example = index.exampleFor(request.messages);
    const answer = example === undefined ? undefined : index.answerOf(example, request.model);
    let text: string;
    let promptTokens: number;
    let completionTokens: number;
    if (answer !== undefined) ({ text, promptTokens, completionTokens } = answer);
    else if (fallback !== "error") {
      text = fallback.text;
      promptTokens = estimateTokens(promptTextOf(request.messages as readonly ChatMessage[]));
      completionTokens = estimateTokens(text);
    } else {
      const what = example === undefined ? "this prompt" : `prompt "${example.id}"`;
      throw new SwitchyardError("unknown_prompt", `The replay upstream has no answer by "${request.model}" to ${what}`, { param: "messages" });
    }
    if (options.latencyMs !== undefined && options.latencyMs > 0) await delay(options.latencyMs);
    served += 1;
    const input = { id: `chatcmpl-replay-${served}`, created: Math.floor(now() / 1000), model: request.model, text, promptTokens, completionTokens };
    if (request.stream !== true) {
      return new Response(JSON.stringify(completionBodyOf(input)), { status: 200, headers: { "content-type": "application/json" } });
    }
    const events = completionEventsOf(input, request.stream_options?.include_usage === true);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const event of events) controller.enqueue(encoder.encode(event));
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });
  });
  const modelList = JSON.stringify({ object: "list", data: index.models.map((id) => ({ id, object: "model", created: 0, owned_by: "replay" })) });
  app.get("/v1/models", () => new Response(modelList, { status: 200, headers: { "content-type": "application/json" } }));
  app.notFound((c: Context) => errorResponse(new SwitchyardError("not_found", `No route ${c.req.method} ${c.req.path}`), { logger: silentLogger }));
  app.onError((error) => errorResponse(error, { logger: silentLogger }));
  return app;
}

/** Options for {@link startReplayUpstream}. */
export interface StartReplayUpstreamOptions extends ReplayUpstreamOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

/** Serves {@link createReplayUpstream} on a loopback port; the base URL for clients is `${url}/v1`. */
export function startReplayUpstream(options: StartReplayUpstreamOptions): Promise<RunningServer> {
  return listen(createReplayUpstream(options).fetch, options.port ?? 0, options.host ?? "127.0.0.1");
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
