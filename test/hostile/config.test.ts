import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { loadConfig, parseConfig } from "../../src/gateway/config.js";
import { startGatewayFromConfig } from "../../src/gateway/start-gateway-from-config.js";
import { startHostileUpstream } from "./hostile-upstream.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const upstream = { name: "u", baseUrl: "https://api.example.com/v1" };
const target = { id: "m", inputUsdPerMTok: 1, outputUsdPerMTok: 2 };

/** Writes a config file (YAML) in a fresh directory; returns its path. */
function configFile(config: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), "switchyard-hostile-")), "switchyard.yaml");
  writeFileSync(path, stringify(config));
  return path;
}

/** Config files that must load (with what they resolve to) or fail naming the problem. */
const fileCases: Array<{ name: string; config: Record<string, unknown>; env: Record<string, string>; error?: RegExp; apiKey?: string }> = [
  { name: "${VAR} resolved", config: { upstreams: [{ ...upstream, apiKey: "${UPSTREAM_KEY}" }], targets: [target] }, env: { UPSTREAM_KEY: "sk-real" }, apiKey: "sk-real" },
  { name: "${VAR} inside a longer string", config: { upstreams: [{ ...upstream, apiKey: "prefix-${UPSTREAM_KEY}-suffix" }], targets: [target] }, env: { UPSTREAM_KEY: "k" }, apiKey: "prefix-k-suffix" },
  { name: "${VAR:-default} when unset", config: { upstreams: [{ ...upstream, apiKey: "${UPSTREAM_KEY:-sk-default}" }], targets: [target] }, env: {}, apiKey: "sk-default" },
  { name: "$${ is a literal", config: { upstreams: [{ ...upstream, apiKey: "$${NOT_A_VAR}" }], targets: [target] }, env: {}, apiKey: "${NOT_A_VAR}" },
  { name: "missing variable names it and the field", config: { upstreams: [{ ...upstream, apiKey: "${UPSTREAM_KEY}" }], targets: [target] }, env: {}, error: /upstreams\.0\.apiKey: the environment variable UPSTREAM_KEY is not set/ },
  { name: "empty variable counts as missing", config: { upstreams: [{ ...upstream, apiKey: "${UPSTREAM_KEY}" }], targets: [target] }, env: { UPSTREAM_KEY: "" }, error: /UPSTREAM_KEY is not set/ },
  { name: "invalid reference", config: { upstreams: [{ ...upstream, apiKey: "${ not valid }" }], targets: [target] }, env: {}, error: /upstreams\.0\.apiKey: .*not a valid environment reference/ },
  { name: "reference in a URL", config: { upstreams: [{ ...upstream, baseUrl: "${BASE}/v1" }], targets: [target] }, env: { BASE: "https://llm.internal.example" } },
  { name: "missing reference in a target field", config: { upstreams: [upstream], targets: [{ ...target, upstreamModel: "${MODEL_NAME}" }] }, env: {}, error: /targets\.0\.upstreamModel: the environment variable MODEL_NAME is not set/ },
  { name: "credentials in the base URL are refused", config: { upstreams: [{ ...upstream, baseUrl: "https://user:secret@api.example.com/v1" }], targets: [target] }, env: {}, error: /upstreams\.0\.baseUrl: credentials in the URL .* apiKeyEnv/ },
  { name: "a user name alone in the base URL is refused", config: { upstreams: [{ ...upstream, baseUrl: "https://user@api.example.com/v1" }], targets: [target] }, env: {}, error: /upstreams\.0\.baseUrl: credentials/ },
  { name: "response cap must be positive", config: { upstreams: [{ ...upstream, maxResponseBytes: 0 }], targets: [target] }, env: {}, error: /upstreams\.0\.maxResponseBytes/ },
  { name: "image URL schemes are checked", config: { server: { imageUrls: { allowedSchemes: ["file"] } }, upstreams: [upstream], targets: [target] }, env: {}, error: /server\.imageUrls\.allowedSchemes/ },
  { name: "rejected-trace sampling is a share", config: { traces: { sampleRejected: 2 }, upstreams: [upstream], targets: [target] }, env: {}, error: /traces\.sampleRejected/ },
];

describe("hostile configuration: env references, URL credentials, store paths, plain gateway, busy ports", { timeout: 60_000 }, () => {
  for (const item of fileCases) {
    test(`config file: ${item.name}`, async () => {
      const loading = loadConfig(configFile(item.config), { env: item.env });
      if (item.error !== undefined) {
        await assert.rejects(loading, (error: Error & { code?: string }) => {
          assert.equal(error.code, "invalid_config");
          assert.match(error.message, item.error as RegExp);
          assert.doesNotMatch(error.message, /secret/, "no credential echoed");
          return true;
        });
        return;
      }
      const config = await loading;
      if (item.apiKey !== undefined) assert.equal(config.upstreams[0]?.apiKey, item.apiKey);
    });
  }

  test("an unresolved ${VAR} given inline is refused, pointing to apiKeyEnv", () => {
    assert.throws(() => parseConfig({ upstreams: [{ ...upstream, apiKey: "${UPSTREAM_KEY}" }], targets: [target] }, "inline"), /upstreams\.0\.apiKey: .*apiKeyEnv/);
  });

  test("an unwritable store path fails at once, naming it", async () => {
    const path = configFile({ store: { path: "/proc/switchyard/none/store.db" }, upstreams: [upstream], targets: [target] });
    const started = Date.now();
    await assert.rejects(startGatewayFromConfig({ configPath: path, port: 0, env: {} }), /Cannot open the store at \/proc\/switchyard\/none\/store\.db/);
    assert.ok(Date.now() - started < 2_000);
    const file = join(mkdtempSync(join(tmpdir(), "switchyard-hostile-")), "a-file");
    writeFileSync(file, "x");
    await assert.rejects(startGatewayFromConfig({ configPath: configFile({ store: { path: `${file}/store.db` }, upstreams: [upstream], targets: [target] }), port: 0, env: {} }), /is not a directory/);
  });

  test("serve without router.artifact is a plain gateway: named models work, auto is 400 router_not_configured", async () => {
    const fake = await startHostileUpstream();
    const directory = mkdtempSync(join(tmpdir(), "switchyard-hostile-"));
    const path = join(directory, "switchyard.yaml");
    writeFileSync(path, stringify({ store: { path: join(directory, "store.db") }, upstreams: [{ name: "u", baseUrl: fake.baseUrl }], targets: [target] }));
    const gateway = await startGatewayFromConfig({ configPath: path, port: 0, env: {}, logger: { info() {}, warn() {}, error() {} } });
    try {
      const ask = (model: string) => fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) });
      assert.equal((await ask("m")).status, 200);
      const auto = await ask("auto");
      assert.equal(auto.status, 400);
      const body = (await auto.json()) as { error: { code: string; param: string; message: string } };
      assert.equal(body.error.code, "router_not_configured");
      assert.equal(body.error.param, "model");
      assert.match(body.error.message, /router\.artifact/);
      const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
      assert.deepEqual(models.data.map((entry) => entry.id), ["m"]);
    } finally {
      await gateway.shutdown(0);
      await fake.close();
    }
  });

  test("a busy port is a one-line error naming --port; the demo checks it before training", async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const path = configFile({ store: { kind: "memory" }, upstreams: [upstream], targets: [target] });
      await assert.rejects(startGatewayFromConfig({ configPath: path, port, env: {} }), /Port \d+ on 127\.0\.0\.1 is already in use; choose another with --port/);
      const started = Date.now();
      const demo = spawnSync(process.execPath, [join(root, "bin/switchyard.js"), "demo", "--port", String(port), "--exit-after-check"], { cwd: root, encoding: "utf8", timeout: 60_000 });
      assert.equal(demo.status, 1, demo.stderr);
      assert.match(demo.stderr, /^error: Port \d+ on 127\.0\.0\.1 is already in use; choose another with --port/);
      assert.doesNotMatch(demo.stderr, /unexpected failure|training/);
      assert.ok(Date.now() - started < 30_000);
    } finally {
      blocker.close();
    }
  });
});
