import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { costUsdOf } from "../../src/core/target.js";
import { parseConfig, type GatewayConfig } from "../../src/gateway/config.js";
import { startGateway, type GatewayServer } from "../../src/gateway/serve.js";
import { worstCaseOf } from "../../src/limits/worst-case-cost.js";
import { requestNeedsOf } from "../../src/providers/request-needs.js";
import { billedUsage, type BillingMode } from "../gateway-production/billing-harness.js";
import { orderedEngine } from "../gateway-production/scripted-upstream.js";

/** One request the upstream received, and what it billed for it. */
interface Billed {
  body: Record<string, unknown>;
  usage: { prompt_tokens: number; completion_tokens: number } | undefined;
}

/**
 * An upstream that bills every call all it allows (the prompt's byte bound, `n` × the output cap it was
 * sent, 100,000 tokens per choice when sent none), or misbehaves as the test says, and records it.
 */
async function startRecordingUpstream(mode: () => BillingMode): Promise<{ baseUrl: string; billed: Billed[]; close(): Promise<void> }> {
  const billed: Billed[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      // billedUsage counts OpenAI-family prompts with the tokenizer; these targets are billed by bytes.
      const usage = billedUsage({ ...body, model: "other" }, mode()) as Billed["usage"];
      billed.push({ body, usage });
      response.writeHead(200, { "content-type": "application/json" });
      // A judge's grade is parsed from the answer: "7" is a valid one.
      response.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content: "7" }, finish_reason: "stop" }], ...(usage ? { usage } : {}) }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, billed, close: () => new Promise<void>((done) => server.close(() => done())) };
}

function strategyConfig(baseUrl: string): GatewayConfig {
  return parseConfig(
    {
      upstreams: [{ name: "billing", baseUrl, timeoutMs: 5_000 }],
      targets: [
        { id: "small", upstream: "billing", inputUsdPerMTok: 1, outputUsdPerMTok: 2, contextWindow: 64_000, maxOutputTokens: 300 },
        { id: "large", upstream: "billing", inputUsdPerMTok: 10, outputUsdPerMTok: 30, contextWindow: 64_000, maxOutputTokens: 500 },
        { id: "judge", upstream: "billing", inputUsdPerMTok: 2, outputUsdPerMTok: 2, contextWindow: 64_000 },
      ],
      strategies: {
        // Threshold 0.9: the judge's "7" (0.7) never accepts, so every cascade escalates and pays the judge.
        cascade: { ladder: [{ target: "small", threshold: 0.9 }, { target: "large" }], scorer: { kind: "judge", target: "judge", latencyBudgetMs: 5_000 } },
        fanOut: { models: ["small", "large"], mode: "fuse", aggregator: { target: "large" } },
      },
      limits: { defaultMaxOutputTokens: 400 },
      traces: { flushIntervalMs: 20 },
      logging: { requests: false },
    },
    "strategy-billing.yaml",
  );
}

const priceOf = (config: GatewayConfig, model: unknown) => config.targets.find((target) => target.id === model) ?? assert.fail(`unknown model ${String(model)}`);

describe("cascade and fan-out sub-calls reserve and bill like chat completions", { timeout: 60_000 }, () => {
  let mode: BillingMode = "allowed";
  let upstream: Awaited<ReturnType<typeof startRecordingUpstream>>;
  let gateway: GatewayServer;
  let config: GatewayConfig;

  before(async () => {
    upstream = await startRecordingUpstream(() => mode);
    config = strategyConfig(upstream.baseUrl);
    gateway = await startGateway({ config, engine: orderedEngine(config.targets), port: 0 });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  const chat = (key: string, body: Record<string, unknown>) =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

  test("every sub-call is sent its output cap, and the ledger holds exactly what the upstream billed (n and no client cap included)", async () => {
    const { key, record } = await gateway.services.keys.create({ name: "exact", budgetUsd: 100 });
    const shapes: Array<Record<string, unknown>> = [
      { model: "cascade", n: 3, messages: [{ role: "user", content: "Which is larger, 7 or 9?" }] },
      { model: "fan-out", n: 2, max_tokens: 1_000, messages: [{ role: "user", content: "Name a prime." }] },
      { model: "cascade", max_completion_tokens: 50, messages: [{ role: "user", content: "Say hi." }] },
    ];
    upstream.billed.length = 0;
    let headerUsd = 0;
    for (const body of shapes) {
      const response = await chat(key, body);
      assert.equal(response.status, 200, await response.clone().text());
      headerUsd += Number(response.headers.get("x-switchyard-cost-usd"));
      await response.arrayBuffer();
    }
    assert.ok(upstream.billed.length >= 8, `answers, judges and the aggregator: ${upstream.billed.length} calls`);
    let billedUsd = 0;
    for (const { body, usage } of upstream.billed) {
      const target = priceOf(config, body.model);
      const cap = Number(body.max_tokens ?? body.max_completion_tokens);
      assert.ok(Number.isInteger(cap) && cap >= 1, `a cap was sent to ${String(body.model)}: ${JSON.stringify(body)}`);
      assert.ok(!("max_tokens" in body && "max_completion_tokens" in body), "one cap field only");
      assert.ok(cap <= (target.maxOutputTokens ?? config.limits.defaultMaxOutputTokens), `${String(body.model)}'s cap ${cap} is within its maxOutputTokens`);
      billedUsd += costUsdOf(target, usage?.prompt_tokens ?? 0, usage?.completion_tokens ?? 0);
    }
    await gateway.services.flush();
    const totals = await gateway.services.budgets.totals(record);
    assert.ok(Math.abs(totals.spentUsd - billedUsd) < 1e-9, `ledger $${totals.spentUsd} = upstream billed $${billedUsd}`);
    assert.ok(Math.abs(headerUsd - billedUsd) < 1e-5, `cost headers $${headerUsd} = upstream billed $${billedUsd}`);
    assert.equal(totals.reservedUsd, 0, "no reservation left behind");
  });

  test("missing or absurd sub-call usage is billed the call's worst case, and a small budget is never overspent", async () => {
    const budgetUsd = 0.05;
    const { key, record } = await gateway.services.keys.create({ name: "small", budgetUsd });
    upstream.billed.length = 0;
    const modes: BillingMode[] = ["allowed", "missing", "absurd", "negative", "allowed"];
    const statuses: number[] = [];
    for (let round = 0; round < 12; round++) {
      mode = modes[round % modes.length] as BillingMode;
      const body = { model: round % 2 === 0 ? "cascade" : "fan-out", n: 1 + (round % 3), messages: [{ role: "user", content: `question ${round}: ${"word ".repeat(round * 20)}` }] };
      // Concurrent pairs: fan-out's parallel calls and two requests race for the same budget.
      const responses = await Promise.all([chat(key, body), chat(key, body)]);
      for (const response of responses) {
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    }
    mode = "allowed";
    await gateway.services.flush();
    const totals = await gateway.services.budgets.totals(record);
    // What the gateway must have billed: reported usage where believable, else each call's worst case.
    let expectedUsd = 0;
    for (const { body, usage } of upstream.billed) {
      const target = priceOf(config, body.model);
      const worst = worstCaseOf(requestNeedsOf(body), target, { defaultMaxOutputTokens: config.limits.defaultMaxOutputTokens });
      const believable = usage !== undefined && usage.prompt_tokens >= 0 && usage.completion_tokens >= 0 && usage.prompt_tokens <= target.contextWindow && costUsdOf(target, usage.prompt_tokens, usage.completion_tokens) <= 4 * worst.costUsd;
      expectedUsd += believable ? costUsdOf(target, usage.prompt_tokens, usage.completion_tokens) : worst.costUsd;
    }
    assert.ok(statuses.includes(429), `the budget ran out: ${JSON.stringify(statuses)}`);
    assert.ok(statuses.every((status) => status === 200 || status === 429), JSON.stringify(statuses));
    assert.ok(totals.spentUsd <= budgetUsd + 1e-9, `spent $${totals.spentUsd} of $${budgetUsd}`);
    assert.ok(Math.abs(totals.spentUsd - expectedUsd) < 1e-9, `ledger $${totals.spentUsd} = billed by the rules $${expectedUsd}`);
    assert.equal(totals.reservedUsd, 0);
  });
});
