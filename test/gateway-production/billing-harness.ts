/**
 * A priced upstream that bills whatever a request allows (or misbehaves on purpose), random request
 * shapes, and the ledger checks — shared by the budget property test and `benchmarks/budget-exactness.ts`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadOpenAITokenizer } from "../../src/core/openai-tokenizer.js";
import type { Random } from "../../src/core/random.js";
import { costUsdOf } from "../../src/core/target.js";
import { parseConfig, type GatewayConfig, type GatewayTarget } from "../../src/gateway/config.js";
import { startGateway, type GatewayServer } from "../../src/gateway/serve.js";
import { worstCaseOf } from "../../src/limits/worst-case-cost.js";
import { exactPromptTokens, requestNeedsOf } from "../../src/providers/request-needs.js";
import type { Store } from "../../src/stores/store.js";
import { orderedEngine } from "./scripted-upstream.js";

/** How the upstream bills a request (chosen by the client through the forwarded `user` field). */
export type BillingMode = "allowed" | "over" | "negative" | "garbage" | "absurd" | "missing";

/** Prompt tokens the upstream bills: the OpenAI count for OpenAI models, the byte bound for the rest (the most either may). */
function billedPromptTokens(body: Record<string, unknown>): number {
  const needs = requestNeedsOf(body);
  return String(body.model).startsWith("gpt-") ? (exactPromptTokens(needs, "o200k_base") ?? needs.promptTokenBound) : needs.promptTokenBound;
}

/** The usage an upstream in `mode` reports for a request whose body it received. */
export function billedUsage(body: Record<string, unknown>, mode: BillingMode): Record<string, unknown> | undefined {
  const cap = Number(body.max_completion_tokens ?? body.max_tokens ?? 100_000); // no cap sent: a 100k-token answer
  const choices = typeof body.n === "number" ? body.n : 1;
  const prompt = billedPromptTokens(body);
  const completion = choices * cap;
  switch (mode) {
    case "allowed":
      return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    case "over":
      return { prompt_tokens: Math.ceil(prompt * 1.5), completion_tokens: Math.ceil(completion * 1.5), total_tokens: 0 };
    case "negative":
      return { prompt_tokens: -prompt, completion_tokens: -5, total_tokens: -5 };
    case "garbage":
      return { prompt_tokens: "12", completion_tokens: null, total_tokens: Number.NaN };
    case "absurd":
      return { prompt_tokens: 1e12, completion_tokens: 1e12, total_tokens: 2e12 };
    case "missing":
      return undefined;
  }
}

/** Starts the billing upstream on loopback. */
export async function startBillingUpstream(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  await loadOpenAITokenizer("o200k_base");
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      const mode = (String(body.user ?? "bill:allowed").slice(5) || "allowed") as BillingMode;
      const usage = billedUsage(body, mode);
      if (body.stream !== true) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], ...(usage ? { usage } : {}) }));
        return;
      }
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: body.model, choices, ...extra })}\n\n`;
      response.writeHead(200, { "content-type": "text/event-stream" });
      let text = chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
      for (let index = 0; index < 3; index++) text += chunk([{ index: 0, delta: { content: "word " }, finish_reason: null }]);
      if (usage) text += chunk([], { usage });
      response.end(`${text}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Two priced targets: an OpenAI-family one (real tokenizer) and another family (byte bound). */
export function billingConfig(baseUrl: string): GatewayConfig {
  return parseConfig(
    {
      upstreams: [{ name: "billing", baseUrl, timeoutMs: 5_000 }],
      targets: [
        { id: "gpt-4o-mini", upstream: "billing", inputUsdPerMTok: 5, outputUsdPerMTok: 15, contextWindow: 128_000, maxOutputTokens: 2_048 },
        { id: "llama-3-70b", upstream: "billing", inputUsdPerMTok: 1, outputUsdPerMTok: 3, contextWindow: 128_000 },
      ],
      traces: { flushIntervalMs: 50 },
      logging: { requests: false },
    },
    "billing.yaml",
  );
}

/** Starts a gateway over the billing upstream. */
export async function startBillingGateway(baseUrl: string, store?: Store): Promise<{ gateway: GatewayServer; config: GatewayConfig }> {
  const config = billingConfig(baseUrl);
  const gateway = await startGateway({ config, engine: orderedEngine(config.targets), port: 0, ...(store ? { store } : {}) });
  return { gateway, config };
}

/** One random request shape. */
export interface RandomRequest {
  body: Record<string, unknown>;
  mode: BillingMode;
}

const words = ["the", "budget", "must", "hold", "naïve", "café", "数据", "🙂", "tokens", "stream", "exact", "{\"json\": 1}", "a"];

/** A random chat request: model, n, max_tokens / max_completion_tokens (or none), stream, prompt size, billing mode. */
export function randomRequest(random: Random, options: { misbehaving?: number } = {}): RandomRequest {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const size = pick([1, 5, 40, 300, 1500]);
  const content = Array.from({ length: size }, () => pick(words)).join(" ");
  const body: Record<string, unknown> = { model: pick(["gpt-4o-mini", "llama-3-70b"]), messages: [{ role: "user", content }] };
  if (random() < 0.5) body.n = 1 + Math.floor(random() * 4);
  const capChoice = random();
  if (capChoice < 0.35) body.max_tokens = 1 + Math.floor(random() * 400);
  else if (capChoice < 0.6) body.max_completion_tokens = 1 + Math.floor(random() * 400);
  else if (capChoice < 0.8) {
    body.max_tokens = 1 + Math.floor(random() * 4_000);
    body.max_completion_tokens = 1 + Math.floor(random() * 40);
  }
  if (random() < 0.4) body.stream = true;
  const misbehaving = options.misbehaving ?? 0.3;
  const mode: BillingMode = random() < misbehaving ? pick(["over", "negative", "garbage", "absurd", "missing"] as const) : "allowed";
  body.user = `bill:${mode}`;
  return { body, mode };
}

/** What one client saw of a request it sent. */
export interface ClientOutcome {
  status: number;
  requestId: string;
  mode: BillingMode;
  body: Record<string, unknown>;
}

/** Sends a request the way an OpenAI client does and reads the whole answer. */
export async function send(url: string, key: string, request: RandomRequest): Promise<ClientOutcome> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(request.body),
  });
  await response.arrayBuffer();
  return { status: response.status, requestId: response.headers.get("x-request-id") ?? "", mode: request.mode, body: request.body };
}

/** The budget check of one key after its requests finished. */
export interface LedgerCheck {
  budgetUsd: number;
  spentUsd: number;
  /** What upstreams reported above the request's worst case (billed in full: the documented tolerance). */
  toleranceUsd: number;
  /** Spent beyond budget + tolerance (0 when the budget held). */
  overspendUsd: number;
  /** |ledger − Σ trace costs of the key|. */
  ledgerVsTracesUsd: number;
  served: number;
  refused: number;
  /** Traces with a negative or non-finite token count or cost (must be 0). */
  invalidRecords: number;
}

/**
 * Checks one key: spend ≤ budget + tolerance, where the tolerance is what upstreams reported above the
 * worst case the gateway reserved (the gateway never bills less than an upstream reports); and the
 * ledger equals the sum of the key's trace costs.
 */
export async function checkLedger(gateway: GatewayServer, config: GatewayConfig, keyId: string, budgetUsd: number, outcomes: readonly ClientOutcome[]): Promise<LedgerCheck> {
  await gateway.services.flush();
  await new Promise((resolve) => setImmediate(resolve));
  const key = await gateway.services.store.keys.findById(keyId);
  if (key === undefined) throw new Error("no key");
  const totals = await gateway.services.budgets.totals(key);
  if (!(totals.inputTokens >= 0 && totals.outputTokens >= 0)) throw new Error(`negative token totals in the ledger: ${JSON.stringify(totals)}`);
  const traces = await gateway.services.store.traces.list({ keyId, limit: 1_000_000 });
  let toleranceUsd = 0;
  for (const outcome of outcomes) {
    if (outcome.status !== 200 || outcome.mode !== "over") continue;
    const target = config.targets.find((candidate) => candidate.id === outcome.body.model) as GatewayTarget;
    const needs = requestNeedsOf(outcome.body);
    const worstCase = worstCaseOf(needs, target, { defaultMaxOutputTokens: config.limits.defaultMaxOutputTokens, exact: true });
    const reported = billedUsage({ ...outcome.body, ...capSent(outcome.body, worstCase.outputCap) }, "over") as { prompt_tokens: number; completion_tokens: number };
    toleranceUsd += Math.max(0, costUsdOf(target, reported.prompt_tokens, reported.completion_tokens) - worstCase.costUsd);
  }
  const traceUsd = traces.reduce((sum, trace) => sum + (trace.costUsd ?? 0), 0);
  const rounding = 1e-9 * (outcomes.length + 1);
  return {
    budgetUsd,
    spentUsd: totals.spentUsd,
    toleranceUsd,
    overspendUsd: Math.max(0, totals.spentUsd - budgetUsd - toleranceUsd - rounding),
    ledgerVsTracesUsd: Math.abs(totals.spentUsd - traceUsd),
    invalidRecords: traces.filter((trace) => [trace.inputTokens, trace.outputTokens, trace.costUsd].some((value) => value !== null && !(Number.isFinite(value) && value >= 0))).length,
    served: outcomes.filter((outcome) => outcome.status === 200).length,
    refused: outcomes.filter((outcome) => outcome.status === 429).length,
  };
}

/** The cap fields the gateway sends upstream for a body (see chat-completions' forwardedBody). */
function capSent(body: Record<string, unknown>, cap: number): Record<string, unknown> {
  return body.max_completion_tokens != null ? { max_completion_tokens: cap, max_tokens: undefined } : { max_tokens: cap, max_completion_tokens: undefined };
}
