import type { Decision } from "../../src/core/decision.js";
import { SwitchyardError } from "../../src/core/errors.js";
import type { Query } from "../../src/core/query.js";
import type { DecideConstraints, RoutingEngine } from "../../src/core/routing-engine.js";
import { parseConfig } from "../../src/gateway/config.js";
import type { GatewayConfig } from "../../src/gateway/config.js";
import type { GatewayLogger } from "../../src/gateway/gateway-logger.js";
import type { UpstreamChatRequest, UpstreamClient, UpstreamResponse } from "../../src/providers/upstream-client.js";

/** Config with two targets on one upstream: a strong one and a cheap one renamed upstream. */
export function testConfig(overrides: { baseUrl?: string; maxBodyBytes?: number; defaultQuality?: number } = {}): GatewayConfig {
  return parseConfig(
    {
      server: { maxBodyBytes: overrides.maxBodyBytes ?? 4096 },
      router: { defaultQuality: overrides.defaultQuality ?? 0.5 },
      upstreams: [{ name: "replay", baseUrl: overrides.baseUrl ?? "http://127.0.0.1:9/v1" }],
      targets: [
        { id: "gpt-4-1106-preview", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
        { id: "mistral-7b", upstreamModel: "mistralai/mistral-7b-chat", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
      ],
    },
    "test-config.yaml",
  );
}

/**
 * A hand-written engine: quality ≥ 0.5 → the strong target, else the cheap one, restricted by
 * `allowedModels`; `no_candidates` when nothing is left. Records every query.
 */
export function stubEngine(config: GatewayConfig, options: { fail?: Error } = {}): RoutingEngine & { queries: Query[] } {
  const queries: Query[] = [];
  return {
    routerName: "stub",
    targets: config.targets,
    queries,
    async decide(query: Query, constraints?: DecideConstraints): Promise<Decision> {
      queries.push(query);
      if (options.fail) throw options.fail;
      const allowed = config.targets
        .map((target) => target.id)
        .filter((id) => query.options?.allowedModels === undefined || query.options.allowedModels.includes(id))
        .filter((id) => !constraints?.exclude?.has(id));
      if (allowed.length === 0) throw new SwitchyardError("no_candidates", "No target satisfies allowed_models", { param: "allowed_models" });
      const wantsStrong = (query.options?.quality ?? 0) >= 0.5;
      const model = allowed.includes(wantsStrong ? "gpt-4-1106-preview" : "mistral-7b") ? (wantsStrong ? "gpt-4-1106-preview" : "mistral-7b") : (allowed[0] as string);
      const candidates = allowed.map((id) => ({
        model: id,
        predictedQuality: id === "gpt-4-1106-preview" ? 0.87654 : 0.5,
        predictedCostUsd: id === "gpt-4-1106-preview" ? 0.0012345678 : 0.00001,
        objective: 0,
      }));
      candidates.sort((a, b) => (a.model === model ? -1 : b.model === model ? 1 : 0));
      return { model, router: "stub", willingnessToPay: 1, candidates, decisionMs: 0.25 };
    },
  };
}

/** An upstream client that records requests and answers with what the test scripts. */
export function fakeUpstream(answer: (request: UpstreamChatRequest) => UpstreamResponse | Promise<UpstreamResponse>): UpstreamClient & { requests: UpstreamChatRequest[] } {
  const requests: UpstreamChatRequest[] = [];
  return {
    requests,
    async chatCompletion(request) {
      requests.push(request);
      return answer(request);
    },
    async close() {},
  };
}

/** A JSON answer the way the undici client returns it. */
export function jsonAnswer(value: unknown, status = 200): UpstreamResponse {
  return { status, headers: { "content-type": "application/json" }, body: { kind: "json", text: JSON.stringify(value), value } };
}

/** An SSE answer made of these raw text chunks. */
export function streamAnswer(chunks: readonly string[]): UpstreamResponse {
  const encoder = new TextEncoder();
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (const chunk of chunks) yield encoder.encode(chunk);
  }
  return { status: 200, headers: { "content-type": "text/event-stream" }, body: { kind: "stream", chunks: generate() } };
}

/** A minimal chat completion as an upstream sends it. */
export function completion(model: string, content: string): Record<string, unknown> {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  };
}

/** A logger that keeps every line. */
export function recordingLogger(): GatewayLogger & { lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: "info", fields, message }),
    warn: (fields, message) => lines.push({ level: "warn", fields, message }),
    error: (fields, message) => lines.push({ level: "error", fields, message }),
  };
}

/** `POST /v1/chat/completions` init with a JSON body. */
export function chatRequest(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
}
