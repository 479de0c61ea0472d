import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { parseConfig } from "../../src/gateway/config.js";
import { postgresSettingsOf, redactPostgresUrl } from "../../src/stores/postgres/postgres-url.js";

const base = {
  upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:1/v1" }],
  targets: [{ id: "m", inputUsdPerMTok: 1, outputUsdPerMTok: 2 }],
};
const parse = (store: unknown) => parseConfig({ ...base, ...(store === undefined ? {} : { store }) }, "switchyard.yaml", { baseDir: "/srv/sy" });
const secret = "Sup3r-s3cret";

test("store: the default, the object forms and the URL forms", () => {
  assert.deepEqual(parse(undefined).store, { kind: "sqlite", path: "/srv/sy/switchyard-data/switchyard.db" });
  assert.deepEqual(parse({ path: "./db.sqlite" }).store, { kind: "sqlite", path: "/srv/sy/db.sqlite" });
  assert.deepEqual(parse({ kind: "sqlite", path: ":memory:" }).store, { kind: "sqlite", path: ":memory:" });
  assert.deepEqual(parse({ kind: "memory" }).store, { kind: "memory" });
  assert.deepEqual(parse("memory://").store, { kind: "memory" });
  assert.deepEqual(parse("sqlite://./data/sy.db").store, { kind: "sqlite", path: "/srv/sy/data/sy.db" });
  assert.deepEqual(parse("sqlite:///var/lib/sy.db").store, { kind: "sqlite", path: "/var/lib/sy.db" });
  assert.deepEqual(parse(`postgres://app:${secret}@db.internal:6543/sw`).store, {
    kind: "postgres",
    url: `postgres://app:${secret}@db.internal:6543/sw`,
    poolSize: 10,
    connectTimeoutMs: 5000,
    spoolDir: resolve("/srv/sy", "switchyard-data/trace-spool"),
    spoolMaxBytes: 256 * 1024 * 1024,
  });
  const object = parse({ kind: "postgres", url: "postgresql://app@db/sw?sslmode=require", poolSize: 4, spoolDir: "/var/spool/sy", spoolMaxBytes: 1024 }).store;
  assert.deepEqual(object, { kind: "postgres", url: "postgresql://app@db/sw?sslmode=require", poolSize: 4, connectTimeoutMs: 5000, spoolDir: "/var/spool/sy", spoolMaxBytes: 1024 });
});

test("store: a postgres URL is taken apart with its password decoded, and redacted for messages", () => {
  const url = `postgres://app:${encodeURIComponent("p@ss:w/rd")}@[::1]:6543/switch%20yard?sslmode=verify-full&application_name=sy-1`;
  assert.deepEqual(postgresSettingsOf(url), { host: "::1", port: 6543, user: "app", password: "p@ss:w/rd", database: "switch yard", ssl: { rejectUnauthorized: true }, applicationName: "sy-1" });
  assert.equal(redactPostgresUrl(url), "postgres://app:***@[::1]:6543/switch%20yard?sslmode=verify-full&application_name=sy-1");
  assert.deepEqual(postgresSettingsOf("postgres://db"), { host: "db", port: 5432, user: undefined, password: undefined, database: undefined, ssl: false, applicationName: undefined });
});

test("store: malformed values fail naming the field, and never echo the password", () => {
  const cases: Array<[unknown, RegExp]> = [
    [`mysql://app:${secret}@db/sw`, /^switchyard\.yaml: store: expected sqlite:\/\/PATH, postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE or memory:\/\/ \(got a "mysql:\/\/" URL\)/],
    [`app:${secret}@db/sw`, /^switchyard\.yaml: store: expected sqlite:\/\/PATH.* \(got a string without a scheme\)/],
    [`postgres://app:${secret}@db:notaport/sw`, /^switchyard\.yaml: store: not a valid URL/],
    [`postgres://app:${secret}@/sw`, /^switchyard\.yaml: store: (the URL names no host|not a valid URL)/],
    [`postgres://app:${secret}@db/sw?sslmode=maybe`, /^switchyard\.yaml: store: sslmode must be one of/],
    [`postgres://app:${secret}@db/sw?password=x`, /^switchyard\.yaml: store: unknown URL parameter "password"/],
    [`postgres://app:${secret}@db/a/b`, /^switchyard\.yaml: store: the database name may not contain \//],
    ["sqlite://", /^switchyard\.yaml: store: sqlite:\/\/ needs a file path/],
    ["memory://x", /^switchyard\.yaml: store: memory:\/\/ takes nothing after the scheme/],
    [{ kind: "postgres", url: `postgres://app:${secret}@db:99999/sw` }, /^switchyard\.yaml: store\.url: not a valid URL/],
    [{ kind: "postgres", url: `postgres://app:${secret}@db/sw`, poolSize: 0 }, /^switchyard\.yaml: store\.poolSize: /],
    [{ kind: "postgres", url: `postgres://app:${secret}@db/sw`, pool: 3 }, /^switchyard\.yaml: store: unknown field "pool"/],
    [{ kind: "redis", url: `redis://:${secret}@cache` }, /^switchyard\.yaml: store\.kind: /],
    [{ path: "./x.db", url: `postgres://app:${secret}@db/sw` }, /^switchyard\.yaml: store: unknown field "url"/],
  ];
  for (const [store, message] of cases) {
    assert.throws(
      () => parse(store),
      (error: unknown) => {
        assert.ok(error instanceof SwitchyardError);
        assert.equal(error.code, "invalid_config");
        assert.match(error.message, message);
        assert.ok(!error.message.includes(secret), `the password is not echoed: ${error.message}`);
        return true;
      },
      JSON.stringify(store).replace(secret, "***"),
    );
  }
});
