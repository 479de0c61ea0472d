import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { createApiKeyHasher, loadPepper } from "../../src/limits/api-key-hasher.js";
import { assertModelAllowed, createApiKeyService, generateApiKey, presentedKeyOf } from "../../src/limits/api-key-service.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "switchyard-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic stand-in for crypto.randomBytes. */
function seededBytes(seed: number): (size: number) => Buffer {
  const random = createRandom(seed);
  return (size) => Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
}

function service(seed = 1) {
  const store = createMemoryStore();
  let clock = 1_700_000_000_000;
  const keys = createApiKeyService({ store, hasher: createApiKeyHasher("p".repeat(32)), now: () => clock++, randomBytes: seededBytes(seed) });
  return { store, keys };
}

test("generateApiKey: sy- plus 32 base-62 characters, different each time", () => {
  const bytes = seededBytes(7);
  const a = generateApiKey(bytes);
  const b = generateApiKey(bytes);
  assert.match(a, /^sy-[A-Za-z0-9]{32}$/);
  assert.notEqual(a, b);
  let calls = 0;
  const mostlyRejected = (size: number) => Buffer.alloc(size, calls++ < 3 ? 255 : 61);
  assert.equal(generateApiKey(mostlyRejected), `sy-${"9".repeat(32)}`, "bytes ≥ 248 are rejected, not folded onto the first characters");
});

test("create stores only the hash and a prefix; authenticate finds the key", async () => {
  const { store, keys } = service();
  const { key, record } = await keys.create({ name: "ci", budgetUsd: 10, budgetPeriod: "month", rpm: 60, models: ["m1"] });
  assert.equal(record.prefix, key.slice(0, 7));
  const stored = await store.keys.findById(record.id);
  assert.ok(stored);
  assert.equal(JSON.stringify(stored).includes(key), false, "the secret must not be stored");
  assert.equal(stored.hash.length, 64);
  assert.deepEqual(await keys.authenticate(key), stored);
  await assert.rejects(keys.authenticate(`${key}x`), { code: "unauthorized", status: 401 });
  await assert.rejects(keys.authenticate(undefined), { code: "unauthorized" });
});

test("revoked keys stop authenticating; revoke by name or id", async () => {
  const { keys } = service();
  const first = await keys.create({ name: "a" });
  const second = await keys.create({ name: "b" });
  assert.equal(await keys.countActive(), 2);
  assert.equal((await keys.revoke("a")).id, first.record.id);
  await assert.rejects(keys.authenticate(first.key), { code: "unauthorized" });
  await keys.revoke(second.record.id);
  await assert.rejects(keys.revoke("b"), /No active key/);
  assert.equal(await keys.countActive(), 0);
  const again = await keys.create({ name: "a" });
  assert.equal((await keys.authenticate(again.key)).name, "a");
});

test("create validates its options and names the field", async () => {
  const { keys } = service();
  await assert.rejects(keys.create({ name: "" }), { code: "invalid_request", param: "name" });
  await assert.rejects(keys.create({ name: "x y" }), { param: "name" });
  await assert.rejects(keys.create({ name: "x", budgetUsd: -1 }), { param: "budgetUsd" });
  await assert.rejects(keys.create({ name: "x", rpm: 1.5 }), { param: "rpm" });
  await assert.rejects(keys.create({ name: "x", budgetPeriod: "year" as "day" }), { param: "budgetPeriod" });
  await keys.create({ name: "x" });
  await assert.rejects(keys.create({ name: "x" }), /already exists/);
});

test("presentedKeyOf reads Bearer, x-api-key and api-key", () => {
  const headers = (values: Record<string, string>) => (name: string) => values[name];
  assert.equal(presentedKeyOf(headers({ authorization: "Bearer sy-abc" })), "sy-abc");
  assert.equal(presentedKeyOf(headers({ authorization: "bearer   sy-abc  " })), "sy-abc");
  assert.equal(presentedKeyOf(headers({ authorization: "Basic Zm9v" })), undefined);
  assert.equal(presentedKeyOf(headers({ authorization: "Bearer a b" })), undefined);
  assert.equal(presentedKeyOf(headers({ "x-api-key": "sy-x" })), "sy-x");
  assert.equal(presentedKeyOf(headers({ "api-key": "sy-y" })), "sy-y");
  assert.equal(presentedKeyOf(headers({})), undefined);
});

test("assertModelAllowed: 403 outside the key's models; auto always allowed", async () => {
  const { keys } = service();
  const { record } = await keys.create({ name: "m", models: ["m1", "m2"] });
  assert.doesNotThrow(() => assertModelAllowed(record, "m1"));
  assert.doesNotThrow(() => assertModelAllowed(record, "auto"));
  assert.throws(() => assertModelAllowed(record, "m3"), { code: "forbidden", status: 403, param: "model" });
  assert.doesNotThrow(() => assertModelAllowed({ ...record, models: null }, "anything"));
});

test("hasher: peppered, deterministic; pepper from option, env, then a 0600 file", () => {
  const one = createApiKeyHasher("a".repeat(16));
  assert.equal(one.hash("sy-k"), one.hash("sy-k"));
  assert.notEqual(one.hash("sy-k"), createApiKeyHasher("b".repeat(16)).hash("sy-k"));
  assert.throws(() => createApiKeyHasher("short"), { code: "invalid_config" });
  assert.equal(loadPepper({ pepper: "x".repeat(16), env: { SWITCHYARD_KEY_PEPPER: "y" } }), "x".repeat(16));
  assert.equal(loadPepper({ env: { SWITCHYARD_KEY_PEPPER: "y".repeat(16) }, path: join(dir, "unused") }), "y".repeat(16));
  assert.equal(existsSync(join(dir, "unused")), false);
  const path = join(dir, "sub", "pepper");
  const created = loadPepper({ env: {}, path, randomBytes: seededBytes(3) });
  assert.equal(created.length, 64);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(loadPepper({ env: {}, path }), created);
  assert.throws(() => loadPepper({ env: {} }), /SWITCHYARD_KEY_PEPPER/);
});

test("pepper file: a process that loses the race to create it uses the winner's pepper, and leaves no file behind", () => {
  mkdirSync(join(dir, "race"));
  const path = join(dir, "race", "key-pepper");
  const winner = "w".repeat(64);
  const bytes = seededBytes(5);
  let calls = 0;
  // Another process publishes its pepper after this one found no file and before it publishes its own.
  const pepper = loadPepper({ env: {}, path, randomBytes: (size) => (calls++ === 0 && writeFileSync(path, `${winner}\n`, { mode: 0o600 }), bytes(size)) });
  assert.equal(pepper, winner);
  assert.equal(loadPepper({ env: {}, path }), winner);
  assert.deepEqual(readdirSync(join(dir, "race")), ["key-pepper"]);
});

test("authenticate keeps valid keys in memory: one store lookup per key while no key changes", async () => {
  const store = createMemoryStore();
  let lookups = 0;
  const counted = { ...store, keys: { ...store.keys, findByHash: (hash: string) => (lookups++, store.keys.findByHash(hash)) } };
  const keys = createApiKeyService({ store: counted, hasher: createApiKeyHasher("p".repeat(32)), randomBytes: seededBytes(3) });
  const { key } = await keys.create({ name: "a" });
  const { key: other } = await keys.create({ name: "b" });
  for (let i = 0; i < 5; i++) await keys.authenticate(key);
  assert.equal(lookups, 1);
  const record = await keys.authenticate(key);
  assert.ok(Object.isFrozen(record), "the cached record is shared, so it cannot be changed");
  await keys.authenticate(other);
  assert.equal(lookups, 2);
  for (let i = 0; i < 3; i++) await assert.rejects(keys.authenticate(`${key}x`), { code: "unauthorized" });
  assert.equal(lookups, 5, "unknown keys are not cached");
  await keys.revoke("a");
  await assert.rejects(keys.authenticate(key), { code: "unauthorized" }, "a revocation through the service takes effect at once");
  await keys.authenticate(other);
});

test("a key revoked by another process (another store on the same SQLite file) stops authenticating on the next request", async () => {
  const path = join(dir, "revocation.db");
  const gatewayStore = createSqliteStore({ path });
  const cliStore = createSqliteStore({ path });
  const hasher = createApiKeyHasher("p".repeat(32));
  const gatewayKeys = createApiKeyService({ store: gatewayStore, hasher });
  const cliKeys = createApiKeyService({ store: cliStore, hasher });
  try {
    const { key } = await cliKeys.create({ name: "ci" });
    await nextTurn();
    assert.equal((await gatewayKeys.authenticate(key)).name, "ci");
    assert.equal((await gatewayKeys.authenticate(key)).name, "ci", "served from memory");
    await cliKeys.revoke("ci");
    await nextTurn();
    await assert.rejects(gatewayKeys.authenticate(key), { code: "unauthorized" });
  } finally {
    await gatewayStore.close();
    await cliStore.close();
  }
});

test("stores without keys.revision(): a revocation made elsewhere takes effect within keyCacheMs", async () => {
  const store = createMemoryStore();
  const { revision: _revision, ...keysWithoutRevision } = store.keys;
  let clock = 0;
  const keys = createApiKeyService({ store: { ...store, keys: keysWithoutRevision }, hasher: createApiKeyHasher("p".repeat(32)), now: () => clock, keyCacheMs: 1_000 });
  const { key, record } = await keys.create({ name: "a" });
  await keys.authenticate(key);
  await store.keys.revoke(record.id, clock);
  clock += 999;
  assert.equal((await keys.authenticate(key)).name, "a", "still cached: the bound is keyCacheMs");
  clock += 1;
  await assert.rejects(keys.authenticate(key), { code: "unauthorized" });
});

function nextTurn(): Promise<void> {
  return new Promise((done) => setImmediate(done));
}
