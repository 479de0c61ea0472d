import { createRandom } from "../src/core/random.js";
import type { TraceRecord } from "../src/stores/trace-record.js";

/** The targets of the dashboard benchmarks' synthetic traffic (RouterBench-like qualities and prices). */
export const seededTargets = [
  { id: "gpt-4-1106-preview", quality: 0.85, costUsd: 0.004 },
  { id: "claude-v2", quality: 0.8, costUsd: 0.003 },
  { id: "mixtral-8x7b-chat", quality: 0.7, costUsd: 0.0003 },
  { id: "mistral-7b-chat", quality: 0.6, costUsd: 0.0001 },
];
const targets = seededTargets;
const dayMs = 86_400_000;

/** Traces `from` ≤ index < `to` of `total` routed requests spread evenly over the 7 days before `now` (deterministic; 4 candidates, 5 keys, 1 % failures). */
export function seededTraces(options: { from: number; to: number; total: number; now: number }): TraceRecord[] {
    const { from, to, total: traceCount, now } = options;
    const random = createRandom(18 + from);
    const traces: TraceRecord[] = [];
    for (let index = from; index < to; index++) {
      // Traffic arrives in time order (as the gateway writes it), a few ms of jitter apart.
      const createdAt = Math.floor(now - 7 * dayMs + ((index + random()) * 7 * dayMs) / traceCount);
      const candidates = targets.map((target) => {
        const predictedQuality = Math.min(1, Math.max(0, target.quality + (random() - 0.5) * 0.3));
        const predictedCostUsd = target.costUsd * (0.5 + random());
        return { model: target.id, predictedQuality, predictedCostUsd, objective: 0.01 * predictedQuality - predictedCostUsd };
      });
      candidates.sort((a, b) => b.objective - a.objective);
      const served = candidates[0]!.model;
      const failed = random() < 0.01;
      traces.push({
        id: `req_${index.toString(36)}`,
        createdAt,
        endpoint: "/v1/chat/completions",
        keyId: `key_${Math.floor(random() * 5)}`,
        requestedModel: "auto",
        servedModel: failed ? null : served,
        stream: false,
        status: failed ? 502 : 200,
        errorCode: failed ? "upstream_error" : null,
        latencyMs: 200 + random() * 1500,
        upstreamMs: 190 + random() * 1500,
        decision: { router: "knn", model: served, propensity: 1, willingnessToPay: 0.01, candidates, decisionMs: 0.4 },
        attempts: [{ target: served, attempt: 1, outcome: failed ? "http_502" : "ok", status: failed ? 502 : 200, durationMs: 300 }],
        fallbacks: 0,
        inputTokens: 300,
        outputTokens: 120,
        costUsd: failed ? null : candidates[0]!.predictedCostUsd * (0.8 + random() * 0.4),
      });
    }
    return traces;
}

