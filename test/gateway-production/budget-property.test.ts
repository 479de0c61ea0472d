import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import type { GatewayConfig } from "../../src/gateway/config.js";
import type { GatewayServer } from "../../src/gateway/serve.js";
import { checkLedger, send, startBillingGateway, startBillingUpstream, type BillingMode, type RandomRequest } from "./billing-harness.js";

const words = ["the", "budget", "must", "hold", "naïve", "café", "数据", "🙂", "tokens", "{\"json\": 1}"];

/** Request shapes: model, n, either or both output caps (or none), stream, prompt size, how the upstream bills. */
const requestArbitrary: fc.Arbitrary<RandomRequest> = fc
  .record({
    model: fc.constantFrom("gpt-4o-mini", "llama-3-70b"),
    n: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    maxTokens: fc.option(fc.integer({ min: 1, max: 4_000 }), { nil: undefined }),
    maxCompletionTokens: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
    stream: fc.boolean(),
    promptWords: fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 600 }),
    mode: fc.constantFrom<BillingMode>("allowed", "allowed", "allowed", "over", "negative", "garbage", "absurd", "missing"),
  })
  .map(({ model, n, maxTokens, maxCompletionTokens, stream, promptWords, mode }) => {
    const body: Record<string, unknown> = { model, messages: [{ role: "user", content: promptWords.join(" ") }], user: `bill:${mode}` };
    if (n !== undefined) body.n = n;
    if (maxTokens !== undefined) body.max_tokens = maxTokens;
    if (maxCompletionTokens !== undefined) body.max_completion_tokens = maxCompletionTokens;
    if (stream) body.stream = true;
    return { body, mode };
  });

describe("budgets are exact by construction (property)", { timeout: 60_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startBillingUpstream>>;
  let gateway: GatewayServer;
  let config: GatewayConfig;
  before(async () => {
    upstream = await startBillingUpstream();
    ({ gateway, config } = await startBillingGateway(upstream.baseUrl));
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  test("random request shapes, concurrent, against a small budget: spend ≤ budget + what upstreams over-reported; ledger = Σ trace costs", async () => {
    let run = 0;
    let served = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(requestArbitrary, { minLength: 5, maxLength: 40 }), fc.double({ min: 0.0005, max: 0.2, noNaN: true }), async (requests, budgetUsd) => {
        const { key, record } = await gateway.services.keys.create({ name: `property-${run++}`, budgetUsd, budgetPeriod: "total" });
        const outcomes = await Promise.all(requests.map((request) => send(gateway.url, key, request)));
        for (const outcome of outcomes) assert.ok(outcome.status === 200 || outcome.status === 429, `status ${outcome.status}`);
        const check = await checkLedger(gateway, config, record.id, budgetUsd, outcomes);
        served += check.served;
        refused += check.refused;
        assert.equal(check.overspendUsd, 0, `spent $${check.spentUsd} of $${budgetUsd} (+ tolerance $${check.toleranceUsd})`);
        assert.equal(check.invalidRecords, 0, "no negative or NaN usage stored");
        assert.ok(check.ledgerVsTracesUsd < 1e-9 * (outcomes.length + 1), `ledger differs from the traces by $${check.ledgerVsTracesUsd}`);
      }),
      { numRuns: 40, seed: 15 },
    );
    assert.ok(served > 50 && refused > 20, `both outcomes exercised (served ${served}, refused ${refused})`);
  });
});
