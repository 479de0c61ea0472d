import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { createRandom } from "../../src/core/random.js";
import { createRemoteEmbedderFactory, endpointOf, retryAfterMsOf, retryDelayMs, type RemoteFactoryOptions } from "../../src/embedders/remote/index.js";
import { fakeVector, startFakeEmbeddingsServer, type FakeEmbeddingsServer } from "./helpers/fake-embeddings-server.js";

const secret = "sk-test-secret-123";
let server: FakeEmbeddingsServer;
const cacheDir = mkdtempSync(join(tmpdir(), "switchyard-remote-"));
const factories: { close(): void }[] = [];

before(async () => {
  server = await startFakeEmbeddingsServer(8);
});
after(async () => {
  for (const factory of factories) factory.close();
  await server.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

function makeFactory(extra: RemoteFactoryOptions = {}) {
  const sleeps: number[] = [];
  const logs: string[] = [];
  const factory = createRemoteEmbedderFactory({
    cacheDir,
    env: { TEST_EMBEDDINGS_KEY: secret },
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
    },
    log: (line) => logs.push(line),
    random: createRandom(7),
    ...extra,
  });
  factories.push(factory);
  return { factory, sleeps, logs };
}

function expected(text: string, dimension = 8): number[] {
  const values = fakeVector(text, dimension);
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return values.map((value) => value / norm);
}

function assertVector(actual: Float32Array, text: string, dimension = 8): void {
  const wanted = expected(text, dimension);
  assert.equal(actual.length, wanted.length);
  for (let i = 0; i < wanted.length; i++) assert.ok(Math.abs(actual[i]! - wanted[i]!) < 1e-6, `${text}[${i}]`);
}

const texts = ["What is 2 + 2?", "Write a haiku about routers.", "Translate hello to French.", "Summarise this article.", "Explain TCP slow start."];

describe("remote embedder against a real HTTP server", () => {
  test("batches misses, retries a 429 after its retry-after, then serves everything from the cache", async () => {
    server.requests.length = 0;
    server.script.push({ status: 429, headers: { "retry-after": "2" } });
    const first = makeFactory();
    const options = { baseUrl: server.baseUrl, model: "fake-embed", apiKeyEnv: "TEST_EMBEDDINGS_KEY", batchSize: 2 };
    const embedder = await first.factory.fit(texts, options);
    assert.equal(embedder.dimension, 8);
    assert.deepEqual(first.sleeps, [2000], "waited exactly what retry-after asked");
    assert.match(first.logs[0]!, /HTTP 429.*retry 1\/5 in 2\.0 s/);
    assert.equal(server.requests.length, 2, "the 429 and its retry (the probe of the first text)");

    const vectors = await embedder.embed([...texts, texts[1]!, "", texts[0]!]);
    for (const [index, text] of texts.entries()) assertVector(vectors[index]!, text);
    assertVector(vectors[5]!, texts[1]!);
    assert.ok(vectors[6]!.every((value) => value === 0) && vectors[6]!.length === 8, "blank text → zeros");
    const inputs = server.requests.slice(2).map((request) => request.body.input);
    assert.deepEqual(inputs, [texts.slice(1, 3), texts.slice(3, 5)], "only misses, deduplicated, in batches of 2");
    for (const request of server.requests) {
      assert.equal(request.authorization, `Bearer ${secret}`);
      assert.equal(request.body.encoding_format, "float");
      assert.equal(request.body.model, "fake-embed");
    }

    const state = embedder.toState();
    const json = JSON.stringify(state);
    assert.ok(!json.includes(secret), "the key is not in the state");
    assert.ok(!first.logs.join("\n").includes(secret), "the key is not in the logs");
    assert.equal(state.apiKeyEnv, "TEST_EMBEDDINGS_KEY");

    const callsBefore = server.requests.length;
    const second = makeFactory();
    const restored = await second.factory.fromState(JSON.parse(json));
    const again = await restored.embed(texts);
    assert.equal(server.requests.length, callsBefore, "second run: 0 calls, all from the SQLite cache");
    assert.deepEqual(again, vectors.slice(0, 5));
    const refit = await second.factory.fit(texts, options);
    await refit.embed(texts);
    assert.equal(server.requests.length, callsBefore, "re-training does not re-embed");
  });

  test("accepts base64 answers and sends `dimensions`; the cache keeps models and dimensions apart", async () => {
    server.requests.length = 0;
    server.base64 = true;
    try {
      const { factory } = makeFactory();
      const embedder = await factory.fit(["base64 please"], { baseUrl: `${server.baseUrl}/`, model: "fake-embed", dimensions: 5 });
      assert.equal(embedder.dimension, 5);
      assertVector((await embedder.embed(["base64 please"]))[0]!, "base64 please", 5);
      assert.equal(server.requests[0]!.body.dimensions, 5);
      assert.equal(server.requests[0]!.authorization, undefined, "no key configured → no Authorization header");
      const other = await factory.fit(["base64 please"], { baseUrl: server.baseUrl, model: "other-model" });
      assert.equal(other.dimension, 8);
      assert.equal(server.requests.length, 2);
    } finally {
      server.base64 = false;
    }
  });

  test("5xx answers are retried with growing jittered backoff, then fail with upstream_error", async () => {
    server.requests.length = 0;
    server.script.push({ status: 503 }, { status: 502 }, { status: 500 }, { status: 500 });
    const { factory, sleeps } = makeFactory();
    await assert.rejects(
      factory.fit(["always failing"], { baseUrl: server.baseUrl, model: "fake-embed", maxRetries: 3, initialBackoffMs: 100, maxBackoffMs: 300 }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "upstream_error" && /HTTP 500: scripted 500/.test(error.message),
    );
    assert.equal(server.requests.length, 4);
    assert.equal(sleeps.length, 3);
    assert.ok(sleeps[0]! >= 50 && sleeps[0]! <= 100, `first backoff ${sleeps[0]}`);
    assert.ok(sleeps[1]! >= 100 && sleeps[1]! <= 200, `second backoff ${sleeps[1]}`);
    assert.ok(sleeps[2]! >= 150 && sleeps[2]! <= 300, `third backoff capped ${sleeps[2]}`);
  });

  test("a 4xx other than 408/409/429 fails at once with the server's message; retry-after-ms is honoured and capped", async () => {
    server.requests.length = 0;
    server.script.push({ status: 400, body: JSON.stringify({ error: { message: "input too long" } }) });
    const { factory, sleeps } = makeFactory();
    await assert.rejects(
      factory.fit(["too long"], { baseUrl: server.baseUrl, model: "fake-embed" }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "upstream_error" && /HTTP 400: input too long/.test(error.message) && !error.isRetryable,
    );
    assert.equal(server.requests.length, 1);
    server.script.push({ status: 429, headers: { "retry-after-ms": "150" } }, { status: 429, headers: { "retry-after": "3600" } });
    const embedder = await factory.fit(["rate limited twice"], { baseUrl: server.baseUrl, model: "fake-embed", maxRetryAfterMs: 5000 });
    assert.equal(embedder.dimension, 8);
    assert.deepEqual(sleeps, [150, 5000]);
  });

  test("a hanging server times out with upstream_timeout", async () => {
    server.script.push({ hang: true });
    const { factory } = makeFactory();
    await assert.rejects(
      factory.fit(["hangs"], { baseUrl: server.baseUrl, model: "fake-embed", timeoutMs: 50, maxRetries: 0, cache: false }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "upstream_timeout",
    );
  });

  test("a missing key variable and bad options are invalid_config; a direct key must be given again on reload", async () => {
    const { factory } = makeFactory({ env: {} });
    await assert.rejects(
      factory.fit(texts, { baseUrl: server.baseUrl, model: "fake-embed", apiKeyEnv: "MISSING_KEY_VAR" }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /MISSING_KEY_VAR/.test(error.message),
    );
    await assert.rejects(factory.fit(texts, { baseUrl: "not a url", model: "m" }), (error: unknown) => error instanceof SwitchyardError && /baseUrl/.test(error.message));
    await assert.rejects(factory.fit(texts, { baseUrl: server.baseUrl, model: "m", bogus: 1 }), (error: unknown) => error instanceof SwitchyardError && /bogus/.test(error.message));

    const direct = await factory.fit(texts, { baseUrl: server.baseUrl, model: "fake-embed", apiKey: secret });
    const state = direct.toState();
    assert.ok(!JSON.stringify(state).includes(secret));
    await assert.rejects(makeFactory({ env: {} }).factory.fromState(state), (error: unknown) => error instanceof SwitchyardError && /apiKey/.test(error.message));
    const withKey = await makeFactory({ env: {}, apiKey: secret }).factory.fromState(state);
    assert.equal(withKey.dimension, 8);
  });
});

describe("retry helpers", () => {
  test("retry-after parsing: milliseconds, seconds, HTTP dates, garbage", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    assert.equal(retryAfterMsOf(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now), 250);
    assert.equal(retryAfterMsOf(new Headers({ "retry-after": "1.5" }), now), 1500);
    assert.equal(retryAfterMsOf(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), now), 30_000);
    assert.equal(retryAfterMsOf(new Headers({ "retry-after": "soon" }), now), undefined);
    assert.equal(retryAfterMsOf(new Headers(), now), undefined);
  });

  test("backoff doubles, is jittered within [half, full] and capped", () => {
    const options = { initialBackoffMs: 100, maxBackoffMs: 1000, maxRetryAfterMs: 2000, random: createRandom(1) };
    for (let attempt = 0; attempt < 8; attempt++) {
      const full = Math.min(1000, 100 * 2 ** attempt);
      const delay = retryDelayMs(attempt, undefined, options);
      assert.ok(delay >= full / 2 && delay <= full, `attempt ${attempt}: ${delay}`);
    }
    assert.equal(retryDelayMs(0, 9999, options), 2000);
  });

  test("endpoint URL: /embeddings appended once", () => {
    assert.equal(endpointOf("https://api.openai.com/v1"), "https://api.openai.com/v1/embeddings");
    assert.equal(endpointOf("http://localhost:11434/v1/"), "http://localhost:11434/v1/embeddings");
    assert.equal(endpointOf("http://tei:8080/v1/embeddings"), "http://tei:8080/v1/embeddings");
  });
});
