import assert from "node:assert/strict";
import { test } from "node:test";
import { createGateway } from "../../src/gateway/create-gateway.js";
import { createAdminKey } from "../../src/limits/admin-key.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import type { Store } from "../../src/stores/store.js";
import { stubEngine } from "../gateway/gateway-test-kit.js";
import { dashboardConfig, routedTrace, testAdminKey } from "./dashboard-fixtures.js";

const now = Date.UTC(2026, 11, 5, 12, 0, 0);
const minute = 60_000;

async function setup(options: { ui?: Record<string, unknown>; adminKeyValue?: string } = {}) {
  const config = dashboardConfig(options.ui);
  const store = createMemoryStore();
  const adminKey = createAdminKey({ env: options.adminKeyValue === "" ? {} : { SWITCHYARD_ADMIN_KEY: options.adminKeyValue ?? testAdminKey } });
  const app = createGateway(config, { engine: stubEngine(config), store, adminKey, now: () => now });
  const get = async (path: string, key: string | null = testAdminKey) => {
    const response = await app.request(path, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; param: string | null; message: string } } };
  };
  return { app, store, get };
}

async function seed(store: Store) {
  await store.traces.insertMany([
    routedTrace({ id: "req_a", createdAt: now - 10 * minute, served: "gpt-4-1106-preview", strong: [0.9, 0.01], cheap: [0.6, 0.001], costUsd: 0.012, latencyMs: 100, keyId: "key_1", prompt: "What is 2+2?" }),
    routedTrace({ id: "req_b", createdAt: now - 9 * minute, served: "mistral-7b", strong: [0.8, 0.01], cheap: [0.5, 0.002], costUsd: 0.0015, latencyMs: 50, keyId: "key_1", prompt: "Name a colour" }),
    routedTrace({ id: "req_c", createdAt: now - 8 * minute, served: null, strong: [0.7, 0.02], cheap: [0.4, 0.003], costUsd: null, latencyMs: 300, status: 502, errorCode: "upstream_error" }),
  ]);
  await store.traces.setFeedback("req_a", { score: 1, label: null, createdAt: now });
  await store.traces.setFeedback("req_a", { score: 0.5, label: "meh", createdAt: now });
  await store.traces.addReward("req_b", { source: "exact-match", score: 0.8, createdAt: now });
}

const close = (actual: unknown, expected: number, tolerance = 1e-9) => assert.ok(typeof actual === "number" && Math.abs(actual - expected) <= tolerance, `${String(actual)} ≉ ${expected}`);

test("admin API: 401 without a key, 403 with another key, and neither answer says more", async () => {
  const { get } = await setup();
  const missing = await get("/admin/api/overview", null);
  assert.equal(missing.status, 401);
  assert.equal(missing.body.error?.code, "unauthorized");
  const wrong = await get("/admin/api/overview", "not-the-admin-key-but-long-enough");
  assert.equal(wrong.status, 403);
  assert.equal(wrong.body.error?.code, "forbidden");
  for (const body of [missing.body, wrong.body]) {
    const text = JSON.stringify(body);
    assert.ok(!text.includes(testAdminKey) && !text.includes("not-the-admin-key"), "no key echoed");
    assert.deepEqual(Object.keys(body), ["error"]);
  }
});

test("admin API: malformed query parameters are 400 invalid_query_parameter naming the parameter", async () => {
  const { get } = await setup();
  const cases: Array<[string, string]> = [
    ["/admin/api/overview?window=2d", "window"],
    ["/admin/api/overview?windw=1h", "windw"],
    ["/admin/api/overview?window=1h&window=6h", "window"],
    ["/admin/api/decisions?limit=0", "limit"],
    ["/admin/api/decisions?limit=abc", "limit"],
    ["/admin/api/decisions?limit=201", "limit"],
    ["/admin/api/decisions?cursor=%3Cscript%3E", "cursor"],
    ["/admin/api/decisions?cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["/admin/api/decisions?status=99", "status"],
    ["/admin/api/decisions?outcome=maybe", "outcome"],
    ["/admin/api/decisions?since=yesterday", "since"],
    ["/admin/api/decisions?since=2000&until=1000", "until"],
    [`/admin/api/decisions?search=${"x".repeat(201)}`, "search"],
    ["/admin/api/keys?window=1h", "window"],
  ];
  for (const [path, param] of cases) {
    const { status, body } = await get(path);
    assert.equal(status, 400, path);
    assert.equal(body.error?.code, "invalid_query_parameter", path);
    assert.equal(body.error?.param, param, path);
    assert.ok(!JSON.stringify(body).includes("<script>"), "the bad value is not echoed");
  }
  const post = await setupPost();
  assert.equal(post, 405);
});

async function setupPost() {
  const { app } = await setup();
  return (await app.request("/admin/api/overview", { method: "POST", headers: { authorization: `Bearer ${testAdminKey}` } })).status;
}

test("overview: traffic, latency, spend, savings against the best single and the default model, quality signals", async () => {
  const { store, get } = await setup();
  await seed(store);
  const { status, body } = await get("/admin/api/overview?window=1h");
  assert.equal(status, 200);
  const totals = body.totals as Record<string, number>;
  assert.equal(totals.requests, 3);
  assert.equal(totals.errors, 1);
  close(totals.errorRate, 0.3333);
  close(totals.spendUsd, 0.0135);
  close(totals.latencyP50Ms, 100, 8);
  close(totals.latencyP99Ms, 300, 24);
  assert.equal(totals.retries, 1);
  const savings = body.savings as { routed: number; routingPredictedCostUsd: number; bestSingle: Record<string, unknown>; defaultModel: Record<string, unknown> };
  assert.equal(savings.routed, 3);
  // Served predicted costs 0.01 and 0.002 over the 2 requests that were served, times 3 routed.
  close(savings.routingPredictedCostUsd, 0.018);
  assert.equal(savings.bestSingle.model, "gpt-4-1106-preview");
  close(savings.bestSingle.predictedQuality, 0.8);
  close(savings.bestSingle.predictedCostUsd, 0.04);
  close(savings.bestSingle.savingsUsd, 0.022);
  close(savings.bestSingle.savingsFraction, 0.55);
  assert.equal(savings.defaultModel.model, "mistral-7b");
  close(savings.defaultModel.predictedCostUsd, 0.006);
  close(savings.defaultModel.savingsUsd, -0.012);
  const quality = body.quality as Record<string, { mean: number | null; count: number; label: string }>;
  assert.deepEqual([quality.feedback?.mean, quality.feedback?.count], [0.5, 1], "replaced feedback counts once, with its new score");
  assert.deepEqual([quality.rewards?.mean, quality.rewards?.count], [0.8, 1]);
  assert.deepEqual([quality.predicted?.mean, quality.predicted?.count], [0.7, 2]);
  assert.equal(quality.judge?.count, 0);
  assert.match(quality.predicted?.label ?? "", /predicted/);
  const series = body.series as Array<{ t: number; requests: number }>;
  assert.equal(series.length, 60);
  assert.equal(series.reduce((sum, point) => sum + point.requests, 0), 3);
  assert.equal(series.find((point) => point.t === now - 10 * minute)?.requests, 1);
  const outside = await get("/admin/api/overview?window=1h");
  assert.equal((outside.body.totals as { requests: number }).requests, 3);
});

test("decisions: newest first, paginated by cursor, searchable; one decision with its candidates", async () => {
  const { store, get } = await setup();
  await seed(store);
  const first = await get("/admin/api/decisions?limit=2");
  const page = first.body as { data: Array<{ id: string }>; next: string | null };
  assert.deepEqual(page.data.map((row) => row.id), ["req_c", "req_b"]);
  assert.ok(page.next !== null);
  const second = (await get(`/admin/api/decisions?limit=2&cursor=${page.next}`)).body as { data: Array<{ id: string }>; next: string | null };
  assert.deepEqual(second.data.map((row) => row.id), ["req_a"]);
  assert.equal(second.next, null);
  const search = (await get("/admin/api/decisions?search=COLOUR")).body as { data: Array<{ id: string }> };
  assert.deepEqual(search.data.map((row) => row.id), ["req_b"]);
  const errors = (await get("/admin/api/decisions?outcome=error")).body as { data: Array<{ id: string }> };
  assert.deepEqual(errors.data.map((row) => row.id), ["req_c"]);
  const byModel = (await get("/admin/api/decisions?model=mistral-7b")).body as { data: Array<{ id: string }> };
  assert.deepEqual(byModel.data.map((row) => row.id), ["req_b"]);
  const one = await get("/admin/api/decisions/req_a");
  assert.equal(one.status, 200);
  const detail = one.body as { decision: { candidates: Array<{ model: string; chosen: boolean; served: boolean; predictedQuality: number }> }; feedback: { score: number }; prompt: string };
  assert.deepEqual(detail.decision.candidates.map((candidate) => [candidate.model, candidate.chosen, candidate.served]), [["gpt-4-1106-preview", true, true], ["mistral-7b", false, false]]);
  assert.equal(detail.feedback.score, 0.5);
  assert.equal(detail.prompt, "What is 2+2?");
  const missing = await get("/admin/api/decisions/nope");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error?.code, "trace_not_found");
});

test("models, keys and learning pages", async () => {
  const { store, get } = await setup();
  await seed(store);
  await store.keys.insert({ id: "key_1", name: "team-a", hash: "h".repeat(64), prefix: "sy-abcd", createdAt: now - 86_400_000, revokedAt: null, budgetUsd: 10, budgetPeriod: "day", rpm: 60, tpm: null, models: null });
  await store.usage.settle({ keyId: "key_1", periodStart: Date.UTC(2026, 11, 5), reservedUsd: 0, actualUsd: 2.5, inputTokens: 10, outputTokens: 5 });
  const models = (await get("/admin/api/models?window=1h")).body as { models: Array<{ target: string; requests: number; share: number; breaker: string | null; errorRate: number | null; spendUsd: number }> };
  const strong = models.models.find((model) => model.target === "gpt-4-1106-preview");
  assert.equal(strong?.requests, 1);
  assert.equal(strong?.breaker, "closed");
  close(strong?.spendUsd, 0.012);
  const unserved = models.models.find((model) => model.target === "auto");
  assert.equal(unserved?.errorRate, 1, "a request no target answered is listed under the model asked for");
  const keys = (await get("/admin/api/keys")).body as { keys: Array<Record<string, unknown> & { budget: { spentUsd: number; usedFraction: number; limitUsd: number; periodElapsedFraction: number } }> };
  assert.equal(keys.keys.length, 1);
  const key = keys.keys[0]!;
  assert.equal(key.name, "team-a");
  close(key.budget.spentUsd, 2.5);
  close(key.budget.usedFraction, 0.25);
  close(key.budget.periodElapsedFraction, 0.5);
  const text = JSON.stringify(keys);
  assert.ok(!text.includes("hhhh") && !text.includes("sy-abcd"), "no key hash or prefix in the API");
  const learning = (await get("/admin/api/learning?window=1h")).body as { active: boolean; targets: string[]; totals: { routed: number }; series: Array<{ share: Record<string, number | null> }> };
  assert.equal(learning.active, false);
  assert.deepEqual(learning.targets, ["gpt-4-1106-preview", "mistral-7b"]);
  assert.equal(learning.totals.routed, 3);
});

test("the dashboard is off by default, and on it needs an admin key configured", async () => {
  const off = await setup({ ui: {} });
  assert.equal((await off.app.request("/ui")).status, 404);
  assert.equal((await off.get("/admin/api/overview")).status, 404);
  await assert.rejects(setup({ adminKeyValue: "" }), (error: Error & { code?: string }) => error.code === "invalid_config" && /SWITCHYARD_ADMIN_KEY/.test(error.message));
});
