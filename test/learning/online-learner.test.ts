import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Registry } from "prom-client";
import type { RouterArtifact } from "../../src/artifacts/router-artifact.js";
import type { Decision } from "../../src/core/decision.js";
import { SwitchyardError } from "../../src/core/errors.js";
import { createRandom } from "../../src/core/random.js";
import type { Target } from "../../src/core/target.js";
import { learningConfigSchema, type LearningConfig } from "../../src/learning/learning-config.js";
import { createOnlineLearner, type OnlineLearner } from "../../src/learning/online-learner.js";
import { restoreOnlineRouter } from "../../src/learning/restore-online-router.js";
import { createLearningMetrics } from "../../src/observability/learning-metrics.js";
import type { ChatCaller } from "../../src/strategies/chat-caller.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import type { Store } from "../../src/stores/store.js";
import type { GatewayLogger } from "../../src/gateway/gateway-logger.js";
import { createBanditRouter } from "../../src/routers/bandit/index.js";
import { AlarmingTestOnlineRouter, registerTestOnlineRouter, TestOnlineRouter, testOnlineState } from "./test-online-router.js";

registerTestOnlineRouter();
const models = ["small", "large"];
const hourMs = 3_600_000;

function decisionFor(index: number, model: string): Decision {
  const embedding = Float32Array.from({ length: 8 }, (_, i) => Math.sin(index + i));
  return {
    model,
    router: "test-eps-mean",
    willingnessToPay: 1,
    candidates: models.map((id) => ({ model: id, predictedQuality: 0.5, predictedCostUsd: id === "large" ? 0.01 : 0.001, objective: 0 })),
    decisionMs: 0.1,
    propensity: 0.95,
    routeInput: { text: `prompt ${index}`, embedding, promptTokens: 10 + index },
  };
}

interface Harness {
  learner: OnlineLearner;
  router: TestOnlineRouter;
  store: Store;
  registry: Registry;
  clock: { now: number };
}

function harness(options: { store?: Store; config?: Partial<LearningConfig>; router?: TestOnlineRouter; seq?: number; updates?: number; logger?: GatewayLogger } = {}): Harness {
  const store = options.store ?? createMemoryStore();
  const router = options.router ?? new TestOnlineRouter(0.1, models);
  const registry = new Registry();
  const clock = { now: Date.UTC(2026, 0, 1) };
  const config = learningConfigSchema.parse(options.config ?? {});
  const learner = createOnlineLearner({
    router,
    repository: store.learning,
    config,
    storeText: false,
    seq: options.seq ?? 0,
    updates: options.updates ?? 0,
    metrics: createLearningMetrics(registry),
    now: () => clock.now,
    random: createRandom(7),
    logger: options.logger,
  });
  return { learner, router, store, registry, clock };
}

function observe(h: Harness, count: number, keyId: string | null = "key-a", extra: Partial<Parameters<OnlineLearner["observe"]>[0]> = {}): void {
  for (let i = 0; i < count; i++) {
    h.learner.observe({ requestId: `req-${i}`, keyId, decision: decisionFor(i, models[i % 2]!), servedModel: models[i % 2]!, costUsd: 0.002, createdAt: h.clock.now, ...extra });
  }
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const sample = metric?.values.find((value) => Object.entries(labels).every(([label, wanted]) => String(value.labels[label]) === wanted));
  return sample?.value ?? 0;
}

const codeOf = (error: unknown) => (error instanceof SwitchyardError ? error.code : String(error));

describe("online learner", () => {
  test("concurrent feedback for many requests, twice each: exactly one update per request", async () => {
    const h = harness();
    observe(h, 200);
    const attempts = [];
    for (let i = 0; i < 200; i++) {
      for (let copy = 0; copy < 2; copy++) attempts.push(h.learner.feedback({ requestId: `req-${i}`, keyId: "key-a", score: (i % 3) / 2, trace: undefined }).then(() => "ok", codeOf));
    }
    const outcomes = await Promise.all(attempts);
    assert.equal(outcomes.filter((outcome) => outcome === "ok").length, 200);
    assert.equal(outcomes.filter((outcome) => outcome === "feedback_exists").length, 200);
    assert.equal(h.learner.updates(), 200);
    assert.equal(h.router.totalCount(), 200);
    assert.equal((await h.store.learning.updatesAfter(0)).length, 200);
    assert.equal(await metricValue(h.registry, "switchyard_learning_updates_total", { source: "feedback" }), 200);
    assert.equal(await metricValue(h.registry, "switchyard_learning_rewards_total", { source: "feedback", outcome: "duplicate" }), 200);
    // The real cost rides along with every update: the router learned the served models' prices.
    const largeCost = h.router.toState().costs.large;
    assert.equal(largeCost?.count, 100);
    assert.ok(Math.abs((largeCost?.sum ?? 0) - 0.2) < 1e-12);
  });

  test("unknown, foreign and expired request ids are refused and change nothing", async () => {
    const h = harness({ config: { feedbackExpiryHours: 24 } });
    observe(h, 4);
    const before = JSON.stringify(h.router.toState());
    await assert.rejects(h.learner.feedback({ requestId: "nope", keyId: "key-a", score: 1, trace: undefined }), (error) => codeOf(error) === "trace_not_found");
    await assert.rejects(h.learner.feedback({ requestId: "req-1", keyId: "key-b", score: 1, trace: undefined }), (error) => codeOf(error) === "trace_not_found");
    h.clock.now += 25 * hourMs;
    await assert.rejects(h.learner.feedback({ requestId: "req-2", keyId: "key-a", score: 1, trace: undefined }), (error) => codeOf(error) === "feedback_expired");
    assert.equal(JSON.stringify(h.router.toState()), before);
    assert.equal(h.learner.updates(), 0);
    assert.equal(await h.store.learning.lastSeq(), 0);
    // Pruning drops what can no longer be learned from.
    assert.equal(await h.learner.prune(), 4);
  });

  test("a per-key cap on feedback updates refuses the excess with rate_limited, learning nothing from it", async () => {
    const h = harness({ config: { maxFeedbackUpdatesPerKeyPerMinute: 3 } });
    observe(h, 5);
    for (let i = 0; i < 3; i++) await h.learner.feedback({ requestId: `req-${i}`, keyId: "key-a", score: 1, trace: undefined });
    await assert.rejects(h.learner.feedback({ requestId: "req-3", keyId: "key-a", score: 1, trace: undefined }), (error) => codeOf(error) === "rate_limited");
    assert.equal(h.learner.updates(), 3);
    h.clock.now += 61_000;
    assert.equal(await h.learner.feedback({ requestId: "req-3", keyId: "key-a", score: 1, trace: undefined }), true);
  });

  test("restart: snapshot plus the update log give back the same state; new targets join, removed ones leave", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-learner-"));
    try {
      const path = join(directory, "store.db");
      const first = harness({ store: createSqliteStore({ path }), config: { snapshotEvery: 7 } });
      observe(first, 30);
      for (let i = 0; i < 30; i++) await first.learner.feedback({ requestId: `req-${i}`, keyId: "key-a", score: i % 2 === 0 ? 0.2 : 0.9, trace: undefined });
      // No final flush: the last 2 updates are only in the log (as after a crash between snapshots).
      assert.equal((await first.store.learning.snapshot())?.seq, 28);
      const state = first.router.toState();
      await first.store.close();

      const store = createSqliteStore({ path });
      const artifact = { router: testOnlineState(models), models } as unknown as RouterArtifact;
      const restored = await restoreOnlineRouter({ artifact, repository: store.learning, targets: models });
      assert.ok(restored);
      assert.equal(restored.source, "store");
      assert.equal(restored.updates, 30);
      assert.equal(restored.seq, 30);
      assert.deepEqual(restored.router.toState(), state);
      // A feedback already learned before the restart is still refused.
      const second = harness({ store, router: restored.router as TestOnlineRouter, seq: restored.seq, updates: restored.updates });
      await assert.rejects(second.learner.feedback({ requestId: "req-3", keyId: "key-a", score: 1, trace: undefined }), (error) => codeOf(error) === "feedback_exists");

      const changed = await restoreOnlineRouter({ artifact, repository: store.learning, targets: ["large", "new-model"] });
      assert.deepEqual(changed?.added, ["new-model"]);
      assert.deepEqual(changed?.removed, ["small"]);
      assert.deepEqual(changed?.router.models, ["large", "new-model"]);
      assert.deepEqual(changed?.artifact.models, ["large", "new-model"]);
      assert.deepEqual((changed?.router.toState() as ReturnType<TestOnlineRouter["toState"]>).arms.large, state.arms.large);
      await store.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test("a snapshot of another router kind is ignored, and so is its log", async () => {
    const store = createMemoryStore();
    await store.learning.appendUpdate({ requestId: "x", source: "feedback", model: "small", reward: 1, costUsd: null, predictedCostUsd: null, input: new Uint8Array(16), createdAt: 0 });
    await store.learning.saveSnapshot({ routerKind: "other", state: "{}", seq: 0, updates: 1, savedAt: 0 });
    const restored = await restoreOnlineRouter({ artifact: { router: testOnlineState(models), models } as unknown as RouterArtifact, repository: store.learning, targets: models });
    assert.equal(restored?.source, "artifact");
    assert.equal(restored?.updates, 0);
    assert.equal((restored?.router as TestOnlineRouter).totalCount(), 0);
  });

  test("json-schema signal: valid JSON answers reward 1, invalid 0, requests without response_format teach nothing", async () => {
    const h = harness({ config: { signals: [{ kind: "json-schema" }] } });
    const schema = { type: "json_schema", json_schema: { name: "x", schema: { type: "object", required: ["answer"] } } };
    const cases = [
      { answer: '{"answer": 4}', format: schema },
      { answer: '{"other": 4}', format: schema },
      { answer: "not json", format: { type: "json_object" } },
      { answer: '{"a": 1}', format: { type: "json_object" } },
      { answer: "plain", format: undefined },
    ];
    cases.forEach((item, i) =>
      h.learner.observe({ requestId: `sig-${i}`, keyId: null, decision: decisionFor(i, "large"), servedModel: "large", costUsd: null, createdAt: h.clock.now, responseFormat: item.format, answer: item.answer }),
    );
    await h.learner.flush();
    const rewards = (await h.store.learning.updatesAfter(0)).map((update) => [update.requestId, update.source, update.reward]);
    assert.deepEqual(rewards, [
      ["sig-0", "signal", 1],
      ["sig-1", "signal", 0],
      ["sig-2", "signal", 0],
      ["sig-3", "signal", 1],
    ]);
    assert.deepEqual(h.router.toState().arms.large, { sum: 2, count: 4 });
    // A client's feedback is a separate source: it still counts once.
    assert.equal(await h.learner.feedback({ requestId: "sig-0", keyId: null, score: 0.5, trace: undefined }), true);
  });

  test("judge: sampled after the answer, retried once when unparsable, failures only counted, cost reported apart", async () => {
    const judgeTarget: Target = { id: "judge", inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 8192 };
    const answers = ["I think it is fine", "8", "maybe", "maybe again", "boom"];
    let call = 0;
    const caller: ChatCaller = async () => {
      const text = answers[call++]!;
      if (text === "boom") throw new Error("upstream down");
      return { text, usage: { prompt_tokens: 100, completion_tokens: 1 }, costUsd: 0.001, raw: {} };
    };
    const h = harness({ config: { judge: { target: "judge", sampleRate: 1, timeoutMs: 1000 } } });
    h.learner.attachCaller(caller, new Map([["judge", judgeTarget]]));
    for (let i = 0; i < 3; i++) {
      h.learner.observe({ requestId: `j-${i}`, keyId: null, decision: decisionFor(i, "small"), servedModel: "small", costUsd: 0.001, createdAt: h.clock.now, prompt: "2+2?", answer: "4" });
      await h.learner.flush();
    }
    // j-0: unparsable then 8/10 → learned 0.8; j-1: unparsable twice → missing; j-2: the call fails → missing.
    const updates = await h.store.learning.updatesAfter(0);
    assert.deepEqual(updates.map((update) => [update.requestId, update.source, update.reward]), [["j-0", "judge", 0.8]]);
    assert.deepEqual(await h.store.learning.getJudgement("j-0"), { score: 0.8, costUsd: 0.002, at: h.clock.now });
    assert.equal((await h.store.learning.getJudgement("j-1"))?.score, null);
    assert.equal(await metricValue(h.registry, "switchyard_learning_judge_calls_total", { outcome: "unparsable" }), 3);
    assert.equal(await metricValue(h.registry, "switchyard_learning_judge_calls_total", { outcome: "failed" }), 1);
    assert.ok(Math.abs((await metricValue(h.registry, "switchyard_learning_judge_cost_usd_total")) - 0.004) < 1e-12);
    assert.equal(await metricValue(h.registry, "switchyard_learning_rewards_total", { source: "judge", outcome: "missing" }), 2);
  });

  test("a change alarm raised by an update is counted and logged once, naming its target and request", async () => {
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger: GatewayLogger = { info() {}, error() {}, warn: (fields, message) => warnings.push({ fields, message }) };
    const h = harness({ router: new AlarmingTestOnlineRouter(0.1, models), logger });
    observe(h, 4);
    // req-0 and req-2 were served by "small", req-1 and req-3 by "large"; a reward of 0 raises the test router's alarm.
    await h.learner.feedback({ requestId: "req-0", keyId: "key-a", score: 1, trace: undefined });
    await h.learner.feedback({ requestId: "req-1", keyId: "key-a", score: 0, trace: undefined });
    await h.learner.feedback({ requestId: "req-3", keyId: "key-a", score: 0.5, trace: undefined });
    assert.equal(await metricValue(h.registry, "switchyard_learning_change_alarms_total", { target: "large" }), 1);
    assert.equal(await metricValue(h.registry, "switchyard_learning_change_alarms_total", { target: "small" }), 0);
    assert.deepEqual(warnings.map(({ fields }) => fields), [{ target: "large", requestId: "req-1" }]);
    assert.match(warnings[0]!.message, /change detector/);
  });

  test("a real LinUCB router: rewards of a target that turn from 1 to 0 raise a counted, logged alarm", async () => {
    const warned: string[] = [];
    const router = createBanditRouter({ kind: "linucb", params: { changeDetection: { drift: 0.1, threshold: 2, warmup: 5 } }, models, inputDimension: 8, seed: 3 });
    const store = createMemoryStore();
    const registry = new Registry();
    const clock = Date.UTC(2026, 0, 1);
    const learner = createOnlineLearner({ router, repository: store.learning, config: learningConfigSchema.parse({}), storeText: false, seq: 0, updates: 0, metrics: createLearningMetrics(registry), now: () => clock, logger: { info() {}, error() {}, warn: (fields) => warned.push(String(fields.target)) } });
    for (let i = 0; i < 80; i++) learner.observe({ requestId: `req-${i}`, keyId: null, decision: decisionFor(i, "large"), servedModel: "large", costUsd: 0.01, createdAt: clock });
    await learner.flush();
    for (let i = 0; i < 40; i++) await learner.feedback({ requestId: `req-${i}`, keyId: null, score: 1, trace: undefined });
    assert.equal(await metricValue(registry, "switchyard_learning_change_alarms_total", { target: "large" }), 0, "steady rewards raise nothing");
    for (let i = 40; i < 80; i++) await learner.feedback({ requestId: `req-${i}`, keyId: null, score: 0, trace: undefined });
    const alarms = await metricValue(registry, "switchyard_learning_change_alarms_total", { target: "large" });
    assert.ok(alarms >= 1, `the shift was reported (${alarms} alarms)`);
    assert.equal(router.restarts, alarms);
    assert.deepEqual(new Set(warned), new Set(["large"]));
  });

  test("exploration and traffic share metrics follow the routed decisions", async () => {
    const h = harness();
    observe(h, 10);
    h.learner.observe({ requestId: "greedy", keyId: null, decision: { ...decisionFor(1, "large"), propensity: 1 }, servedModel: "large", costUsd: null, createdAt: h.clock.now });
    assert.equal(await metricValue(h.registry, "switchyard_learning_routed_total", { target: "large", explored: "true" }), 5);
    assert.equal(await metricValue(h.registry, "switchyard_learning_routed_total", { target: "large", explored: "false" }), 1);
    assert.ok(Math.abs((await metricValue(h.registry, "switchyard_learning_traffic_share", { target: "large" })) - 6 / 11) < 1e-12);
  });
});

test("pruning never drops log entries the snapshot does not hold", async () => {
  const h = harness({ config: { feedbackExpiryHours: 1, snapshotEvery: 1000 } });
  observe(h, 3);
  for (let i = 0; i < 3; i++) await h.learner.feedback({ requestId: `req-${i}`, keyId: "key-a", score: 1, trace: undefined });
  h.clock.now += 2 * hourMs;
  await h.learner.prune();
  assert.equal((await h.store.learning.updatesAfter(0)).length, 3, "no snapshot yet: the log is the only copy");
  await h.learner.flush();
  await h.learner.prune();
  assert.equal((await h.store.learning.updatesAfter(0)).length, 0, "snapshotted and expired: pruned");
  assert.equal((await h.store.learning.snapshot())?.updates, 3);
});
