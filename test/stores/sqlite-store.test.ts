import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import { migrate, migrations } from "../../src/stores/sqlite/migrations.js";
import { keyRecord, storeContract, traceRecord } from "./store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "switchyard-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

storeContract("sqlite store (file)", () => createSqliteStore({ path: join(dir, `contract-${counter++}.db`) }));
storeContract("sqlite store (:memory:)", () => createSqliteStore({ path: ":memory:" }));

test("sqlite store: keys, usage, traces and feedback survive a restart", async () => {
  const path = join(dir, "nested", "restart.db");
  const first = createSqliteStore({ path });
  await first.keys.insert(keyRecord());
  await first.usage.reserve({ keyId: "key_1", periodStart: 0, amountUsd: 1, limitUsd: 10 });
  await first.usage.settle({ keyId: "key_1", periodStart: 0, reservedUsd: 1, actualUsd: 0.25, inputTokens: 3, outputTokens: 4 });
  await first.usage.reserve({ keyId: "key_1", periodStart: 0, amountUsd: 2, limitUsd: 10 });
  await first.traces.insertMany([traceRecord()]);
  await first.traces.setFeedback("req_1", { score: 0.75, label: "good", createdAt: 9 });
  await first.close();

  const second = createSqliteStore({ path });
  assert.deepEqual(await second.keys.findByHash("h1"), keyRecord());
  await second.usage.clearReservations();
  assert.deepEqual(await second.usage.totals("key_1", 0), { spentUsd: 0.25, reservedUsd: 0, requests: 1, inputTokens: 3, outputTokens: 4 });
  assert.deepEqual((await second.traces.get("req_1"))?.feedback, { score: 0.75, label: "good", createdAt: 9 });
  await second.close();
});

test("sqlite store: uses WAL and records the schema version", () => {
  const path = join(dir, "wal.db");
  const store = createSqliteStore({ path });
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(db.pragma("user_version", { simple: true }), migrations.at(-1)?.version);
  db.close();
  void store.close();
});

test("migrate: runs only new steps and refuses a newer database", () => {
  const db = new Database(":memory:");
  const steps = [
    { version: 1, description: "a", sql: "CREATE TABLE a (x INTEGER);" },
    { version: 2, description: "b", sql: "CREATE TABLE b (x INTEGER);" },
  ];
  assert.equal(migrate(db, steps.slice(0, 1)), 1);
  assert.equal(migrate(db, steps), 2);
  assert.equal(migrate(db, steps), 2);
  assert.throws(() => migrate(db, steps.slice(0, 1)), /schema version 2 is newer/);
  db.close();
});

test("sqlite store: a path that cannot be opened is a clear config error", () => {
  assert.throws(() => createSqliteStore({ path: join(dir, "wal.db", "inside-a-file.db") }), (error: Error & { code?: string }) => {
    return error.code === "invalid_config" && /Cannot open the store at .*inside-a-file\.db/.test(error.message);
  });
});

test("sqlite ledger: settled spend is in the file by the end of the turn; another store on the file sees it on its next turn", async () => {
  const path = join(dir, "ledger.db");
  const gateway = createSqliteStore({ path });
  const other = createSqliteStore({ path });
  const nextTurn = () => new Promise((done) => setImmediate(done));
  try {
    const base = { keyId: "k", periodStart: 0, limitUsd: 1 };
    assert.equal((await gateway.usage.reserve({ ...base, amountUsd: 0.6 })).ok, true);
    await gateway.usage.settle({ keyId: "k", periodStart: 0, reservedUsd: 0.6, actualUsd: 0.5, inputTokens: 10, outputTokens: 20 });
    // Booked in memory at once, written at the end of the turn: a reader that never talked to the
    // gateway's store then sees it in the file.
    assert.equal((await gateway.usage.totals("k", 0)).spentUsd, 0.5);
    await nextTurn();
    const reader = new Database(path, { readonly: true });
    assert.deepEqual(reader.prepare("SELECT spent_nano_usd, requests FROM key_usage WHERE key_id = 'k'").get(), { spent_nano_usd: 500_000_000, requests: 1 });
    reader.close();

    assert.deepEqual(await other.usage.totals("k", 0), { spentUsd: 0.5, reservedUsd: 0, requests: 1, inputTokens: 10, outputTokens: 20 });
    await other.usage.settle({ keyId: "k", periodStart: 0, reservedUsd: 0, actualUsd: 0.3, inputTokens: 1, outputTokens: 1 });
    await nextTurn();
    // The gateway's next reservation counts the other process's spend: 0.5 + 0.3 spent, 0.25 would exceed 1.
    assert.equal((await gateway.usage.reserve({ ...base, amountUsd: 0.25 })).ok, false);
    assert.equal((await gateway.usage.reserve({ ...base, amountUsd: 0.2 })).ok, true);
    assert.deepEqual(await gateway.usage.totals("k", 0), { spentUsd: 0.8, reservedUsd: 0.2, requests: 2, inputTokens: 11, outputTokens: 21 });
    // Reservations are held by the store that made them (in-flight requests of this process).
    assert.equal((await other.usage.totals("k", 0)).reservedUsd, 0);
  } finally {
    await gateway.close();
    await other.close();
  }
});

test("sqlite ledger: settlements wait for the end of the turn; a failed write keeps them (counted on re-reads) and retries; close() writes them", async () => {
  const path = join(dir, "ledger-batch.db");
  const gateway = createSqliteStore({ path, busyTimeoutMs: 10 });
  const nextTurn = () => new Promise((done) => setImmediate(done));
  const fileRow = () => {
    const reader = new Database(path, { readonly: true });
    try {
      return reader.prepare("SELECT spent_nano_usd, requests, input_tokens FROM key_usage WHERE key_id = 'k'").get();
    } finally {
      reader.close();
    }
  };
  const settle = (actualUsd: number) => gateway.usage.settle({ keyId: "k", periodStart: 0, reservedUsd: 0, actualUsd, inputTokens: 1, outputTokens: 0 });
  try {
    for (let i = 0; i < 5; i++) await settle(0.01);
    assert.equal(fileRow(), undefined, "nothing written before the end of the turn");
    await nextTurn();
    assert.deepEqual(fileRow(), { spent_nano_usd: 50_000_000, requests: 5, input_tokens: 5 }, "five settlements, one write");

    // Another process holds the write lock: the end-of-turn write fails, is reported, and loses nothing.
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    const warned = new Promise<Error>((resolve) => process.once("warning", resolve));
    await settle(0.02);
    await nextTurn();
    assert.match((await warned).message, /budget settlements .* failed; retrying/);
    // That process then books its own spend and commits: the gateway re-reads the row and still counts
    // its unwritten settlement.
    other.prepare("UPDATE key_usage SET spent_nano_usd = spent_nano_usd + 100000000, requests = requests + 1 WHERE key_id = 'k'").run();
    other.exec("COMMIT");
    other.close();
    await nextTurn();
    assert.deepEqual(await gateway.usage.totals("k", 0), { spentUsd: 0.17, reservedUsd: 0, requests: 7, inputTokens: 6, outputTokens: 0 });
    await new Promise((done) => setTimeout(done, 1_200));
    assert.deepEqual(fileRow(), { spent_nano_usd: 170_000_000, requests: 7, input_tokens: 6 }, "the retry wrote it");

    // Booked and closed in the same turn: close() writes it; a closed store refuses more.
    await settle(0.03);
    await gateway.close();
    assert.deepEqual(fileRow(), { spent_nano_usd: 200_000_000, requests: 8, input_tokens: 7 });
    await assert.rejects(settle(0.01), /closed/);
  } finally {
    await gateway.close();
  }
});
