import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Command } from "commander";
import { registerKeys } from "../../src/cli/commands/keys.js";
import { parseDurationOption, parseTimeOption, registerTraces } from "../../src/cli/commands/traces.js";
import { createApiKeyHasher, loadPepper } from "../../src/limits/api-key-hasher.js";
import { createApiKeyService } from "../../src/limits/api-key-service.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import { traceRecord } from "../stores/store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "switchyard-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const now = Date.UTC(2025, 4, 17, 12);

async function run(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const program = new Command().exitOverride();
  registerKeys(program, { print: (line) => lines.push(line), env: {}, now: () => now });
  registerTraces(program, { print: (line) => lines.push(line), env: {}, now: () => now });
  for (const command of program.commands) command.exitOverride();
  await program.parseAsync(args, { from: "user" });
  return lines;
}

test("keys create prints the key once; list shows limits without secrets; revoke; the gateway's hasher accepts it", async () => {
  const db = join(dir, "keys", "switchyard.db");
  const created = await run(["keys", "create", "--db", db, "--name", "ci", "--budget-usd", "10", "--period", "month", "--rpm", "60", "--tpm", "1000", "--models", "a,b"]);
  const key = created[0] as string;
  assert.match(key, /^sy-[A-Za-z0-9]{32}$/);
  assert.match(created[1] ?? "", /cannot be shown again/);

  const store = createSqliteStore({ path: db });
  const hasher = createApiKeyHasher(loadPepper({ env: {}, path: join(dir, "keys", "key-pepper") }));
  const record = await createApiKeyService({ store, hasher }).authenticate(key);
  assert.deepEqual([record.name, record.budgetUsd, record.budgetPeriod, record.rpm, record.tpm, record.models], ["ci", 10, "month", 60, 1000, ["a", "b"]]);
  await store.close();

  const listed = await run(["keys", "list", "--db", db]);
  assert.match(listed[0] ?? "", /^id\s+name\s+key\s+status/);
  assert.match(listed[1] ?? "", /ci\s+sy-\w{4}…\s+active .*\$0 \/ \$10 per month\s+0\s+60\s+1000\s+a,b/);
  assert.equal(listed.join("\n").includes(key), false, "the key itself is never listed");
  const json = JSON.parse((await run(["keys", "list", "--db", db, "--json"]))[0] as string) as Record<string, unknown>;
  assert.equal(json.hash, undefined);
  assert.equal(json.name, "ci");

  assert.match((await run(["keys", "revoke", "--db", db, "ci"]))[0] ?? "", /^revoked key_\w+ "ci"/);
  assert.match((await run(["keys", "list", "--db", db]))[1] ?? "", /revoked/);
  await assert.rejects(run(["keys", "revoke", "--db", db, "ci"]), /No active key/);
  await assert.rejects(run(["keys", "create", "--db", db, "--name", "x", "--period", "year"]), /--period must be one of/);
  await assert.rejects(run(["keys", "create", "--db", db, "--name", "x", "--rpm", "1.5"]), /--rpm must be a whole number/);
});

test("keys and traces use the config's store and pepper", async () => {
  const config = join(dir, "conf", "switchyard.yaml");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(dir, "conf"), { recursive: true });
  writeFileSync(config, ["upstreams: [{ name: u, baseUrl: 'http://127.0.0.1:9/v1' }]", "targets: [{ id: m, inputUsdPerMTok: 1, outputUsdPerMTok: 1 }]", "store: { path: ./data/sy.db }", "traces: { retentionDays: 7 }"].join("\n"));
  const [key] = await run(["keys", "create", "--config", config, "--name", "conf"]);
  assert.match(key ?? "", /^sy-/);
  assert.ok(readFileSync(join(dir, "conf", "data", "key-pepper"), "utf8").length > 32, "the pepper sits beside the configured store");
  assert.match((await run(["keys", "list", "--config", config]))[1] ?? "", /conf/);
  assert.deepEqual(await run(["traces", "prune", "--config", config]), ["pruned 0 traces"]);
});

test("traces list, filter, show, export JSONL and prune", async () => {
  const db = join(dir, "traces", "switchyard.db");
  const store = createSqliteStore({ path: db });
  await store.traces.insertMany([
    traceRecord({ id: "r1", createdAt: now - 3 * 3_600_000 }),
    traceRecord({ id: "r2", createdAt: now - 30 * 60_000, status: 502, errorCode: "upstream_error", servedModel: null, keyId: "key_2" }),
    traceRecord({ id: "r3", createdAt: now - 60_000, requestedModel: "m2", servedModel: "m2", costUsd: null }),
    traceRecord({ id: "old", createdAt: now - 40 * 86_400_000 }),
  ]);
  await store.traces.setFeedback("r1", { score: 1, label: null, createdAt: now });
  await store.close();

  const listed = await run(["traces", "--db", db]);
  assert.match(listed[0] ?? "", /^time \(UTC\)\s+request id/);
  assert.deepEqual(listed.slice(1).map((line) => line.split(/\s+/)[2]), ["r3", "r2", "r1", "old"]);
  assert.match(listed[3] ?? "", /auto→m1\s+200\s+12\.5\s+10\/20\s+\$0\.00003\s+2 \(1 failed, 1 fallback\)\s+1$/);
  assert.deepEqual((await run(["traces", "list", "--db", db, "--since", "1h"])).slice(1).map((line) => line.split(/\s+/)[2]), ["r3", "r2"]);
  assert.deepEqual((await run(["traces", "list", "--db", db, "--errors"])).slice(1).map((line) => line.split(/\s+/)[2]), ["r2"]);
  assert.deepEqual((await run(["traces", "list", "--db", db, "--key", "key_2", "--json"])).map((line) => (JSON.parse(line) as { id: string }).id), ["r2"]);
  assert.deepEqual((await run(["traces", "list", "--db", db, "--model", "m2", "--json"])).map((line) => (JSON.parse(line) as { id: string }).id), ["r3"]);
  assert.deepEqual((await run(["traces", "list", "--db", db, "--status", "502", "--json"])).length, 1);
  assert.deepEqual(await run(["traces", "list", "--db", db, "--until", "2020-01-01"]), ["no traces match"]);
  assert.equal((JSON.parse((await run(["traces", "show", "--db", db, "r1"])).join("\n")) as { feedback: { score: number } }).feedback.score, 1);
  await assert.rejects(run(["traces", "show", "--db", db, "nope"]), /no trace has the request id/);

  const out = join(dir, "traces", "export.jsonl");
  assert.deepEqual(await run(["traces", "export", "--db", db, "--since", "7d", "--out", out]), [`wrote 3 traces to ${out}`]);
  const exported = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { id: string; attempts: unknown[] });
  assert.deepEqual(exported.map((trace) => trace.id), ["r3", "r2", "r1"]);
  assert.equal(exported[2]?.attempts.length, 2);
  assert.equal((await run(["traces", "export", "--db", db])).length, 4);

  assert.deepEqual(await run(["traces", "prune", "--db", db, "--older-than", "30d"]), ["pruned 1 trace"]);
  await assert.rejects(run(["traces", "prune", "--db", db]), /give --older-than/);
  await assert.rejects(run(["traces", "list", "--db", db, "--since", "yesterday-ish"]), /--since must be a duration/);
});

test("time and duration options", () => {
  assert.equal(parseTimeOption("--since", "2h", now), now - 7_200_000);
  assert.equal(parseTimeOption("--since", "2025-05-17T00:00:00Z", now), Date.UTC(2025, 4, 17));
  assert.equal(parseDurationOption("--older-than", "4w"), 28 * 86_400_000);
  assert.throws(() => parseDurationOption("--older-than", "30"), /duration like/);
});
