import assert from "node:assert/strict";
import { test } from "node:test";
import { budgetCostCapUsd } from "../../src/limits/budget-cost-cap.js";
import { createBudgetGuard } from "../../src/limits/budget-guard.js";
import { periodEndOf, periodStartOf } from "../../src/limits/budget-period.js";
import type { ApiKeyRecord } from "../../src/stores/api-key-record.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";

const key = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: "key_1", name: "k", hash: "h", prefix: "sy-", createdAt: 0, revokedAt: null,
  budgetUsd: 0.01, budgetPeriod: "month", rpm: null, tpm: null, models: null, ...overrides,
});
const now = () => Date.UTC(2025, 4, 17, 12, 0, 0);

test("budget periods are UTC calendar periods", () => {
  const at = Date.UTC(2025, 4, 17, 12, 30); // a Saturday
  assert.equal(periodStartOf("day", at), Date.UTC(2025, 4, 17));
  assert.equal(periodStartOf("week", at), Date.UTC(2025, 4, 12));
  assert.equal(periodStartOf("week", Date.UTC(2025, 4, 12, 0, 0, 1)), Date.UTC(2025, 4, 12));
  assert.equal(periodStartOf("week", Date.UTC(2025, 4, 18, 23)), Date.UTC(2025, 4, 12));
  assert.equal(periodStartOf("month", at), Date.UTC(2025, 4, 1));
  assert.equal(periodStartOf("total", at), 0);
  assert.equal(periodEndOf("day", at), Date.UTC(2025, 4, 18));
  assert.equal(periodEndOf("week", at), Date.UTC(2025, 4, 19));
  assert.equal(periodEndOf("month", Date.UTC(2025, 11, 31)), Date.UTC(2026, 0, 1));
  assert.equal(periodEndOf("total", at), Infinity);
});

for (const [name, open] of [["memory", createMemoryStore], ["sqlite", () => createSqliteStore({ path: ":memory:" })]] as const) {
  test(`${name}: 50 concurrent requests against a key that affords 10 → exactly 10 reserved`, async () => {
    const store = open();
    const budgets = createBudgetGuard({ store, now });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => budgets.reserve(key(), 0.001)));
    const served = results.filter((result) => result.status === "fulfilled");
    assert.equal(served.length, 10);
    const rejected = results.find((result) => result.status === "rejected");
    assert.ok(rejected && rejected.status === "rejected");
    assert.equal(rejected.reason.code, "budget_exceeded");
    assert.equal(rejected.reason.status, 429);
    assert.equal(rejected.reason.retryAfterSeconds, (Date.UTC(2025, 5, 1) - now()) / 1000);
    for (const result of served) if (result.status === "fulfilled") await budgets.settle(result.value, { costUsd: 0.001, inputTokens: 1, outputTokens: 2 });
    assert.deepEqual(await budgets.totals(key()), { spentUsd: 0.01, reservedUsd: 0, requests: 10, inputTokens: 10, outputTokens: 20 });
    await assert.rejects(budgets.reserve(key(), 0.000001), { code: "budget_exceeded" });
    await store.close();
  });
}

test("settling below the estimate frees budget; raise holds more or refuses", async () => {
  const budgets = createBudgetGuard({ store: createMemoryStore(), now });
  const first = await budgets.reserve(key(), 0.006);
  await budgets.settle(first, { costUsd: 0.001, inputTokens: 0, outputTokens: 0 });
  const second = await budgets.reserve(key(), 0.004);
  assert.equal(await budgets.raise(key(), second, 0.009), true);
  assert.equal(second.amountUsd, 0.009);
  assert.equal(await budgets.raise(key(), second, 0.0095), false);
  assert.equal(second.amountUsd, 0.009);
  assert.equal(await budgets.raise(key(), second, 0.001), true);
  assert.deepEqual(await budgets.totals(key()), { spentUsd: 0.001, reservedUsd: 0.009, requests: 1, inputTokens: 0, outputTokens: 0 });
});

test("keys without a budget reserve nothing but still book usage", async () => {
  const budgets = createBudgetGuard({ store: createMemoryStore(), now });
  const unlimited = key({ budgetUsd: null });
  const reservation = await budgets.reserve(unlimited, 100);
  assert.equal(reservation.amountUsd, 0);
  await budgets.settle(reservation, { costUsd: 3, inputTokens: 4, outputTokens: 5 });
  assert.equal((await budgets.totals(unlimited)).spentUsd, 3);
  assert.equal(await budgets.costCapUsd(unlimited), undefined);
});

test("cost cap: the remaining budget, spread over 50 requests below 20% left", async () => {
  assert.equal(budgetCostCapUsd(null, 5), undefined);
  assert.equal(budgetCostCapUsd(10, 8), 8);
  assert.equal(budgetCostCapUsd(10, 2), 2);
  assert.equal(budgetCostCapUsd(10, 1.5), 0.03);
  assert.equal(budgetCostCapUsd(10, -1), 0);
  assert.equal(budgetCostCapUsd(10, 1, { lowBudgetFraction: 0.05, spreadOverRequests: 10 }), 1);
  const budgets = createBudgetGuard({ store: createMemoryStore(), now });
  const reservation = await budgets.reserve(key({ budgetUsd: 1 }), 0.85);
  await budgets.settle(reservation, { costUsd: 0.85, inputTokens: 0, outputTokens: 0 });
  assert.ok(Math.abs(((await budgets.costCapUsd(key({ budgetUsd: 1 }))) ?? 0) - 0.003) < 1e-12);
});
