import { parseConfig, type GatewayConfig } from "../../src/gateway/config.js";
import type { TraceRecord } from "../../src/stores/trace-record.js";

/** An admin key for tests (long enough for `createAdminKey`). */
export const testAdminKey = "test-admin-key-0123456789abcdef";

/** Two targets, the dashboard on, the cheap one as the default model. */
export function dashboardConfig(ui: Record<string, unknown> = { enabled: true, defaultModel: "mistral-7b" }): GatewayConfig {
  return parseConfig(
    {
      upstreams: [{ name: "replay", baseUrl: "http://127.0.0.1:9/v1" }],
      targets: [
        { id: "gpt-4-1106-preview", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
        { id: "mistral-7b", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
      ],
      ui,
    },
    "dashboard-test.yaml",
  );
}

/** A routed trace with two candidates (strong first), as the gateway writes it. */
export function routedTrace(options: {
  id: string;
  createdAt: number;
  served: string | null;
  strong: [quality: number, costUsd: number];
  cheap: [quality: number, costUsd: number];
  costUsd: number | null;
  latencyMs: number;
  status?: number;
  errorCode?: string | null;
  keyId?: string | null;
  prompt?: string;
  requestedModel?: string;
  propensity?: number;
}): TraceRecord {
  const candidates = [
    { model: "gpt-4-1106-preview", predictedQuality: options.strong[0], predictedCostUsd: options.strong[1], objective: options.strong[0] - options.strong[1] },
    { model: "mistral-7b", predictedQuality: options.cheap[0], predictedCostUsd: options.cheap[1], objective: options.cheap[0] - options.cheap[1] },
  ];
  return {
    id: options.id,
    createdAt: options.createdAt,
    endpoint: "/v1/chat/completions",
    keyId: options.keyId ?? null,
    requestedModel: options.requestedModel ?? "auto",
    servedModel: options.served,
    stream: false,
    status: options.status ?? 200,
    errorCode: options.errorCode ?? null,
    latencyMs: options.latencyMs,
    upstreamMs: options.latencyMs * 0.9,
    decision: { router: "knn", model: options.served ?? "gpt-4-1106-preview", propensity: options.propensity ?? 1, willingnessToPay: 1, candidates, decisionMs: 0.3 },
    attempts: options.served === null ? [{ target: "gpt-4-1106-preview", attempt: 1, outcome: "http_502", status: 502, durationMs: 10 }, { target: "gpt-4-1106-preview", attempt: 2, outcome: "http_502", status: 502, durationMs: 10 }] : [{ target: options.served, attempt: 1, outcome: "ok", status: 200, durationMs: options.latencyMs * 0.9 }],
    fallbacks: 0,
    inputTokens: 100,
    outputTokens: 50,
    costUsd: options.costUsd,
    ...(options.prompt === undefined ? {} : { prompt: options.prompt, response: "an answer" }),
  };
}
