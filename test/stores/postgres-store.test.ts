import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { SwitchyardError } from "../../src/core/errors.js";
import { migratePostgres, newestPostgresSchemaVersion } from "../../src/stores/postgres/postgres-migrations.js";
import { openPostgresStore, type PostgresStore } from "../../src/stores/postgres/postgres-store.js";
import { postgresSkipReason, startPostgresServer, type PostgresServer } from "../helpers/postgres-server.js";
import { keyRecord, storeContract, traceRecord } from "./store-contract.js";

const skip = postgresSkipReason();
let server: PostgresServer | undefined;
const dir = mkdtempSync(join(tmpdir(), "switchyard-pg-store-"));
let databases = 0;
const opened: PostgresStore[] = [];

before(async () => {
  if (skip === undefined) server = await startPostgresServer();
});
after(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A store on a fresh database of the file's server. */
async function freshStore(options: { url?: string } = {}): Promise<PostgresStore> {
  const url = options.url ?? (await (server as PostgresServer).createDatabase(`t${databases++}`));
  const store = await openPostgresStore({ url, spoolDir: join(dir, `spool-${databases}`), probeIntervalMs: 50 });
  opened.push(store);
  return store;
}

if (skip === undefined) {
  storeContract("postgres store", () => freshStore());
} else {
  test("postgres store: contract", { skip }, () => undefined);
}

test("postgres store: the decision log round-trips, rewards and feedback join later, client ids are scoped to the key", { skip }, async () => {
  const store = await freshStore();
  const logged = traceRecord({ id: "new", promptHash: "ab".repeat(32), clientRequestId: "mine", decision: { router: "linucb", model: "m1", propensity: 0.25, quality: 0.4, artifact: "0123456789abcdef", willingnessToPay: 1, candidates: [{ model: "m1", predictedQuality: 0.8, predictedCostUsd: 0.001, objective: 0.799 }], decisionMs: 0.3 } });
  await store.traces.insertMany([logged, logged]);
  assert.deepEqual(await store.traces.get("new"), logged);
  assert.equal(await store.traces.addReward("new", { source: "judge:gpt-4o", score: 0.5, createdAt: 5 }), true);
  assert.equal(await store.traces.addReward("new", { source: "exact-match", score: 1, createdAt: 6 }), true);
  assert.equal(await store.traces.addReward("missing", { source: "x", score: 1, createdAt: 6 }), false);
  assert.deepEqual((await store.traces.get("new"))?.rewards, [
    { source: "judge:gpt-4o", score: 0.5, createdAt: 5 },
    { source: "exact-match", score: 1, createdAt: 6 },
  ]);
  assert.equal((await store.traces.findByClientRequestId("key_1", "mine"))?.id, "new");
  assert.equal(await store.traces.findByClientRequestId("key_2", "mine"), undefined);
  await store.traces.insertMany([traceRecord({ id: "open", keyId: null, clientRequestId: "mine" })]);
  // Array-literal escaping: quotes, backslashes, braces, commas, newlines, the word NULL, non-ASCII; NUL
  // (which PostgreSQL text cannot hold) becomes U+FFFD instead of failing the batch.
  const awkward = traceRecord({ id: 'we"ird\\{id},', prompt: 'say "hi" \\ {a,b}\n\u00e9\u0000!', response: "NULL", requestedModel: "", latencyMs: 1e-7 });
  await store.traces.insertMany([awkward]);
  assert.deepEqual(await store.traces.get(awkward.id), { ...awkward, prompt: 'say "hi" \\ {a,b}\n\u00e9\uFFFD!' });
  assert.equal((await store.traces.findByClientRequestId(null, "mine"))?.id, "open");
});

test("postgres store: learning log seqs are gap-free, once per request and source; snapshots, judgements, pacers, prune", { skip }, async () => {
  const store = await freshStore();
  const input = new Uint8Array([1, 2, 3, 4]);
  const context = { requestId: "r1", keyId: null, model: "m1", chosenModel: "m1", propensity: 0.5, input, predictedQuality: 0.7, predictedCostUsd: 0.001, costUsd: 0.002, createdAt: 100 };
  await store.learning.putContexts([context, { ...context, requestId: "r2", createdAt: 300 }]);
  await store.learning.putContexts([{ ...context, model: "changed" }]);
  assert.deepEqual(await store.learning.getContext("r1"), context);
  const update = { requestId: "r1", source: "feedback" as const, model: "m1", reward: 1, costUsd: 0.002, predictedCostUsd: 0.001, input, createdAt: 150 };
  const seqs = await Promise.all([store.learning.appendUpdate(update), store.learning.appendUpdate(update), store.learning.appendUpdate({ ...update, source: "judge" }), store.learning.appendUpdate({ ...update, requestId: "r2" })]);
  assert.deepEqual(seqs.filter((seq) => seq !== null).sort(), [1, 2, 3]);
  assert.equal(seqs.filter((seq) => seq === null).length, 1);
  assert.equal(await store.learning.hasUpdate("r1", "judge"), true);
  assert.equal(await store.learning.hasUpdate("r2", "judge"), false);
  assert.deepEqual((await store.learning.updatesAfter(1)).map((row) => row.seq), [2, 3]);
  assert.deepEqual((await store.learning.updatesAfter(0))[0]?.input, input);
  assert.equal(await store.learning.lastSeq(), 3);
  await store.learning.saveSnapshot({ routerKind: "linucb", state: "{}", seq: 2, updates: 2, savedAt: 9 });
  assert.deepEqual(await store.learning.snapshot(), { routerKind: "linucb", state: "{}", seq: 2, updates: 2, savedAt: 9 });
  await store.learning.setJudgement("r1", { score: null, costUsd: 0.01, at: 7 });
  assert.deepEqual(await store.learning.getJudgement("r1"), { score: null, costUsd: 0.01, at: 7 });
  await store.learning.putPacerState("global", '{"lambda":1}');
  assert.equal(await store.learning.pacerState("global"), '{"lambda":1}');
  assert.equal(await store.learning.prune(200, 2), 1);
  assert.equal(await store.learning.getContext("r1"), undefined);
  assert.deepEqual((await store.learning.updatesAfter(0)).map((row) => row.seq), [3]);
  await store.learning.resetLearnedState({ routerKind: "linucb", state: "{\"imported\":1}", seq: 0, updates: 0, savedAt: 10 });
  assert.deepEqual(await store.learning.updatesAfter(0), []);
  assert.equal((await store.learning.snapshot())?.seq, 3);
  assert.equal(await store.learning.appendUpdate({ ...update, requestId: "r9" }), 4);
});

test("postgres store: two instances on one database share keys (revocation notified), spend and breakers", { skip }, async () => {
  const url = await (server as PostgresServer).createDatabase(`t${databases++}`);
  const first = await freshStore({ url });
  const second = await freshStore({ url });
  await first.keys.insert(keyRecord());
  const before = second.keys.revision?.() ?? 0;
  assert.equal(await first.keys.revoke("key_1", 5), true);
  const deadline = Date.now() + 2000;
  while ((second.keys.revision?.() ?? 0) === before && Date.now() < deadline) await new Promise((done) => setTimeout(done, 5));
  assert.notEqual(second.keys.revision?.(), before, "the other instance heard of the revocation");
  assert.equal((await second.keys.findById("key_1"))?.revokedAt, 5);

  await first.usage.settle({ keyId: "k", periodStart: 0, reservedUsd: 0, actualUsd: 0.25, inputTokens: 3, outputTokens: 4 });
  await new Promise((done) => setTimeout(done, 150));
  assert.deepEqual(await second.usage.totals("k", 0), { spentUsd: 0.25, reservedUsd: 0, requests: 1, inputTokens: 3, outputTokens: 4 });
  assert.equal((await second.usage.reserve({ keyId: "k", periodStart: 0, amountUsd: 0.3, limitUsd: 0.5 })).ok, false);
  assert.equal((await second.usage.reserve({ keyId: "k", periodStart: 0, amountUsd: 0.25, limitUsd: 0.5 })).ok, true);

  await first.breakers.put({ targetId: "m1", phase: "open", openUntil: 500, consecutiveOpens: 1, updatedAt: 100 });
  assert.deepEqual(await second.breakers.all(), [{ targetId: "m1", phase: "open", openUntil: 500, consecutiveOpens: 1, updatedAt: 100 }]);
});

test("postgres store: migrations are versioned and applied once; a newer schema is refused naming both versions and the setting", { skip }, async () => {
  const url = await (server as PostgresServer).createDatabase(`t${databases++}`);
  const first = await freshStore({ url });
  assert.equal(first.migration.from, 0);
  assert.equal(first.migration.to, newestPostgresSchemaVersion);
  const again = await freshStore({ url });
  assert.deepEqual(again.migration.applied, []);
  const pool = new pg.Pool({ connectionString: url });
  try {
    assert.deepEqual((await migratePostgres(pool, { dryRun: true })).pending, []);
    await pool.query("INSERT INTO switchyard_schema (version, description) VALUES ($1, 'from the future')", [newestPostgresSchemaVersion + 7]);
  } finally {
    await pool.end();
  }
  await assert.rejects(freshStore({ url }), (error: unknown) => {
    assert.ok(error instanceof SwitchyardError);
    assert.equal(error.code, "invalid_config");
    assert.match(error.message, new RegExp(`store: the PostgreSQL database has schema version ${newestPostgresSchemaVersion + 7}, newer than this Switchyard knows \\(${newestPostgresSchemaVersion}\\)`));
    return true;
  });
});

test("postgres store: wrong password, missing database, unreachable port and malformed URLs fail at open naming store, never the password", { skip }, async () => {
  const running = server as PostgresServer;
  const secret = "wrong-Pa55word-xyz";
  const cases: Array<[string, string, RegExp]> = [
    [`postgres://${running.user}:${secret}@127.0.0.1:${running.port}/postgres`, "invalid_config", /^store: PostgreSQL at postgres:\/\/switchyard:\*\*\*@127\.0\.0\.1:\d+\/postgres refused the credentials/],
    [running.url("no_such_db"), "invalid_config", /^store: database "no_such_db" does not exist/],
    [`postgres://app:${secret}@127.0.0.1:1/sw`, "store_unavailable", /^store: cannot reach PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/sw \(.*ECONNREFUSED/],
    [`postgres://app:${secret}@127.0.0.1:99999/sw`, "invalid_config", /^store: not a valid URL/],
    [`postgres://app:${secret}@127.0.0.1/sw?sslmod=require`, "invalid_config", /^store: unknown URL parameter "sslmod"/],
  ];
  for (const [url, code, message] of cases) {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    try {
      await assert.rejects(openPostgresStore({ url, spoolDir: join(dir, "bad"), connectTimeoutMs: 2000 }), (error: unknown) => {
        assert.ok(error instanceof SwitchyardError, String(error));
        assert.equal(error.code, code, error.message);
        assert.match(error.message, message);
        assert.equal(error.param, "store");
        assert.ok(!JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) }).includes(secret), "the password is not in the error");
        return true;
      });
    } finally {
      process.off("warning", onWarning);
    }
    assert.ok(!warnings.some((warning) => warning.includes(secret)));
  }
  await assert.rejects(openPostgresStore({ url: running.url("postgres"), spoolDir: "/dev/null/spool" }), (error: unknown) => {
    assert.ok(error instanceof SwitchyardError);
    assert.equal(error.param, "store.spoolDir");
    assert.match(error.message, /^store\.spoolDir: cannot use \/dev\/null\/spool for the trace spool/);
    return true;
  });
});
