import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { createBudgetPacing, globalBudgetAccount } from "../../src/learning/budget-pacing.js";
import { learningConfigSchema } from "../../src/learning/learning-config.js";
import { periodStartOf } from "../../src/limits/budget-period.js";
import type { ApiKeyRecord } from "../../src/stores/api-key-record.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";

const key: ApiKeyRecord = { id: "k1", name: "ci", hash: "h", prefix: "sk-", createdAt: 0, revokedAt: null, budgetUsd: 1, budgetPeriod: "day", rpm: null, tpm: null, models: null };
const settled = () => new Promise((done) => setImmediate(done));

test("pacing: a global budget and a key's budget each pace; the global one is reserved in the ledger; states persist", async () => {
  const store = createMemoryStore();
  // Early in the day: at this request rate the period would see thousands more requests.
  const clock = { now: Date.UTC(2026, 0, 1, 0, 0, 1) };
  const config = learningConfigSchema.parse({ budget: { usd: 0.01, period: "day" }, paceKeyBudgets: true });
  const pacing = createBudgetPacing({ config, store, now: () => clock.now });
  assert.ok(pacing);
  assert.equal(createBudgetPacing({ config: learningConfigSchema.parse({}), store }), undefined);

  const fresh = await pacing.constraints(key);
  assert.ok(fresh);
  assert.equal(fresh.maxCostUsd, 0.01, "the smaller of the two pacers' guards: the global budget");
  assert.equal(fresh.adjustWillingnessToPay(2), 2, "nothing spent yet: multiplier 1");

  // Spending far above the per-request pace lowers the willingness-to-pay.
  for (let i = 0; i < 4; i++) {
    const ticket = await pacing.reserve(key, 0.002);
    assert.deepEqual(ticket?.scopes, ["global", "key:k1"]);
    pacing.settle(ticket!, 0.0015, true, 0.001);
    clock.now += 1_000;
  }
  await settled();
  const paced = await pacing.constraints(key);
  assert.ok(paced!.adjustWillingnessToPay(1) < 1);
  assert.ok(paced!.maxCostUsd < 0.01 - 0.006 + 1e-12, `the guard shrinks with spend (and the seen cost ratio 1.5): ${paced!.maxCostUsd}`);
  const totals = await store.usage.totals(globalBudgetAccount, periodStartOf("day", clock.now));
  assert.ok(Math.abs(totals.spentUsd - 0.006) < 1e-12 && totals.reservedUsd === 0);

  // The hard guarantee: a reservation the global budget cannot hold is refused.
  await assert.rejects(pacing.reserve(key, 0.005), (error) => error instanceof SwitchyardError && error.code === "budget_exceeded");
  // A failed request releases its hold and teaches the pacers nothing.
  const failed = await pacing.reserve(null, 0.003);
  assert.deepEqual(failed?.scopes, ["global"]);
  pacing.settle(failed!, 0, false);
  await settled();
  assert.equal((await store.usage.totals(globalBudgetAccount, periodStartOf("day", clock.now))).reservedUsd, 0);

  await pacing.flush();
  const globalState = JSON.parse((await store.learning.pacerState("global"))!) as { spentUsd: number; requests: number };
  assert.equal(globalState.requests, 4);
  assert.ok(Math.abs(globalState.spentUsd - 0.006) < 1e-12);
  // Another instance on the same store (a restart) continues from the stored states.
  const restarted = createBudgetPacing({ config, store, now: () => clock.now });
  const again = await restarted!.constraints(key);
  assert.equal(again!.adjustWillingnessToPay(1), paced!.adjustWillingnessToPay(1));
  assert.equal(again!.maxCostUsd, paced!.maxCostUsd);
});

test("pacing: keys with a lifetime budget or none keep only the global pacer", async () => {
  const store = createMemoryStore();
  const pacing = createBudgetPacing({ config: learningConfigSchema.parse({ paceKeyBudgets: true }), store });
  assert.equal(await pacing!.constraints({ ...key, budgetPeriod: "total" }), undefined);
  assert.equal(await pacing!.constraints({ ...key, budgetUsd: null }), undefined);
  assert.equal(await pacing!.reserve(null, 1), undefined);
});
