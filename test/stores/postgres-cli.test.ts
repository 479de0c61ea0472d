import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import pg from "pg";
import { newestPostgresSchemaVersion } from "../../src/stores/postgres/postgres-migrations.js";
import { startScriptedUpstream, type ScriptedUpstream } from "../gateway-production/scripted-upstream.js";
import { postgresSkipReason, startPostgresServer, type PostgresServer } from "../helpers/postgres-server.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const skip = postgresSkipReason();
let server: PostgresServer | undefined;
let upstream: ScriptedUpstream | undefined;
const dir = mkdtempSync(join(tmpdir(), "switchyard-pg-cli-"));
const children: ChildProcess[] = [];

before(async () => {
  if (skip !== undefined) return;
  [server, upstream] = await Promise.all([startPostgresServer(), startScriptedUpstream()]);
});
after(async () => {
  for (const child of children) child.kill("SIGKILL");
  await upstream?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a gateway config whose store is `store` (a YAML scalar), with the scripted upstream as target `a`. */
function config(name: string, store: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    [
      `store: "${store}"`,
      "upstreams:",
      `  - { name: up, baseUrl: "${upstream?.baseUrl}" }`,
      "targets:",
      "  - { id: a, inputUsdPerMTok: 1, outputUsdPerMTok: 2 }",
      "traces: { flushIntervalMs: 20 }",
      "auth: { pepperFile: ./key-pepper }",
    ].join("\n"),
  );
  return path;
}

/** Runs the real CLI; resolves with its exit status and output. */
function cli(args: string[], options: { until?: RegExp } = {}): Promise<{ status: number | null; stdout: string; stderr: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(root, "bin/switchyard.js"), ...args], { cwd: dir, env: { ...process.env, PGPASSWORD: "" } });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    if (options.until !== undefined) {
      const pattern = options.until;
      child.stdout.on("data", () => {
        if (pattern.test(stdout)) done({ status: null, stdout, stderr, child });
      });
    }
    child.on("exit", (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr, child });
    });
  });
}

test("switchyard migrate: dry run, then apply; keys and serve on PostgreSQL write traces there", { skip, timeout: 120_000 }, async () => {
  const running = server as PostgresServer;
  const url = await running.createDatabase("cli");
  const path = config("good", url);
  const dry = await cli(["migrate", "--config", path, "--dry-run"]);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`^store postgres://switchyard:\\*\\*\\*@127\\.0\\.0\\.1:${running.port}/cli: schema version 0; would apply:\\n  1: api keys`));
  const applied = await cli(["migrate", "--config", path]);
  assert.equal(applied.status, 0, applied.stderr);
  assert.match(applied.stdout, new RegExp(`schema version 0 → ${newestPostgresSchemaVersion}; applied:\\n  1: `));
  for (const result of [dry, applied]) assert.ok(!`${result.stdout}${result.stderr}`.includes(running.password));

  const created = await cli(["keys", "create", "--config", path, "--name", "ci"]);
  assert.equal(created.status, 0, created.stderr);
  const key = /sy-[A-Za-z0-9_-]+/.exec(created.stdout)?.[0] ?? "";
  assert.ok(key.length > 10, created.stdout);

  const serve = await cli(["serve", "--config", path, "--port", "0"], { until: /API key\(s\)/ });
  const base = /listening on (http:\/\/\S+) /.exec(serve.stdout)?.[1];
  assert.ok(base !== undefined, serve.stdout + serve.stderr);
  const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: "a", messages: [{ role: "user", content: "hi" }], max_tokens: 5 }).withResponse();
  const requestId = response.headers.get("x-request-id");
  serve.child.kill("SIGTERM");
  await new Promise((done) => serve.child.once("exit", done));
  const pool = new pg.Pool({ connectionString: url });
  try {
    const rows = (await pool.query<{ id: string; key_id: string }>("SELECT id, key_id FROM traces")).rows;
    assert.deepEqual(rows.map((row) => row.id), [requestId]);
    assert.ok(!`${serve.stdout}${serve.stderr}`.includes(running.password), "no log line holds the password");
  } finally {
    await pool.end();
  }
});

test("switchyard serve and migrate: wrong password, unreachable server, newer schema exit 1 with one line naming store, without the password", { skip, timeout: 120_000 }, async () => {
  const running = server as PostgresServer;
  const secret = "Wr0ng-pa55word";
  const future = await running.createDatabase("future");
  const pool = new pg.Pool({ connectionString: future });
  await pool.query("CREATE TABLE switchyard_schema (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
  await pool.query("INSERT INTO switchyard_schema (version, description) VALUES (99, 'from the future')");
  await pool.end();
  const cases: Array<[string, RegExp]> = [
    [`postgres://switchyard:${secret}@127.0.0.1:${running.port}/postgres`, /^error: store: PostgreSQL at postgres:\/\/switchyard:\*\*\*@127\.0\.0\.1:\d+\/postgres refused the credentials/],
    [`postgres://switchyard:${secret}@127.0.0.1:1/postgres`, /^error: store: cannot reach PostgreSQL at postgres:\/\/switchyard:\*\*\*@127\.0\.0\.1:1\/postgres/],
    [future, new RegExp(`^error: store: the PostgreSQL database has schema version 99, newer than this Switchyard knows \\(${newestPostgresSchemaVersion}\\)`)],
    [`postgres://switchyard:${secret}@127.0.0.1:${running.port}/x?sslmode=sometimes`, /^error: .*store: sslmode must be one of/],
  ];
  let index = 0;
  for (const [store, message] of cases) {
    const path = config(`bad-${index++}`, store);
    // Every case through serve; migrate shares its code path, so once (the newer schema) is enough.
    for (const command of [["serve", "--config", path, "--port", "0"], ...(store === future ? [["migrate", "--config", path]] : [])]) {
      const result = await cli(command);
      assert.equal(result.status, 1, `${command[0]}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, message, command[0]);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.ok(!`${result.stdout}${result.stderr}`.includes(secret), "the password is in no output line");
      assert.ok(!`${result.stdout}${result.stderr}`.includes(running.password), "the password is in no output line");
    }
  }
});
