import assert from "node:assert/strict";
import { copyFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import { parseConfig } from "../../src/gateway/config.js";
import type { RunningServer } from "../../src/gateway/serve.js";
import { startGatewayFromConfig, type GatewayFromConfig } from "../../src/gateway/start-gateway-from-config.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { rolloutFixture, type RolloutFixture } from "./rollout-kit.js";

const adminKey = "admin-key-for-tests-0123456789";
const env = { SWITCHYARD_TEST_ADMIN_KEY: adminKey, SWITCHYARD_KEY_PEPPER: "pepper-for-tests-0123456789abcdef" };

describe("reloading the router artifact of a running gateway", () => {
  let fixture: RolloutFixture;
  let replay: RunningServer;
  let gateway: GatewayFromConfig;
  let client: OpenAI;
  let prompts: string[];

  before(async () => {
    fixture = await rolloutFixture();
    await copyFile(fixture.cheapPath, join(fixture.directory, "router.json"));
    replay = await startReplayUpstream({ examples: fixture.dataset.examples });
    const configPath = await fixture.writeConfig(`${replay.url}/v1`, { admin: { keyEnv: "SWITCHYARD_TEST_ADMIN_KEY" } });
    gateway = await startGatewayFromConfig({ configPath, env });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "unused", maxRetries: 0 });
    prompts = fixture.dataset.examples.slice(0, 8).map((example) => normalizePromptText(example.prompt));
  });
  after(async () => {
    await gateway?.close();
    await replay?.close();
    if (fixture) await rm(fixture.directory, { recursive: true, force: true });
  });

  const admin = (body: unknown, key: string | null = adminKey, path = "/admin/reload") =>
    fetch(`${gateway.url}${path}`, {
      method: path === "/admin/reload" ? "POST" : "GET",
      headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
      ...(path === "/admin/reload" ? { body: JSON.stringify(body) } : {}),
    });
  const routedModel = async (prompt: string) => {
    const { response } = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: prompt }] }).withResponse();
    return response.headers.get("x-switchyard-model");
  };

  test("the admin endpoint rejects a missing (401) or wrong (403) admin key without echoing anything", async () => {
    const missing = await admin({ artifact: fixture.bestPath }, null);
    assert.equal(missing.status, 401);
    const wrong = await admin({ artifact: fixture.bestPath }, "not-the-admin-key-at-all");
    assert.equal(wrong.status, 403);
    const text = await wrong.text();
    assert.doesNotMatch(text, /admin-key-for-tests|not-the-admin-key|best-single|\.json/);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, "forbidden");
    assert.equal(await routedModel(prompts[0]!), fixture.cheapModel, "nothing was reloaded");
  });

  test("a reload under concurrent requests fails none of them, and later decisions use the new artifact", async () => {
    let stop = false;
    const failures: unknown[] = [];
    const served: string[] = [];
    const worker = async (offset: number) => {
      for (let i = 0; !stop && i < 200; i++) {
        try {
          served.push((await routedModel(prompts[(offset + i) % prompts.length]!)) ?? "");
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, index) => worker(index));
    for (let round = 0; round < 4; round++) {
      await new Promise((done) => setTimeout(done, 30));
      const response = await admin({ artifact: round % 2 === 0 ? fixture.bestPath : fixture.cheapPath });
      assert.equal(response.status, 200, await response.clone().text());
    }
    const final = await admin({ artifact: fixture.bestPath });
    const status = (await final.json()) as { artifact: { path: string; version: string; router: string }; previous: { path: string } };
    stop = true;
    await Promise.all(workers);
    assert.deepEqual(failures, []);
    assert.ok(served.length >= 12, `requests were served during the reloads (${served.length})`);
    assert.ok(served.every((model) => model === fixture.cheapModel || model === fixture.bestModel));
    assert.equal(status.artifact.router, "best-single");
    assert.match(status.artifact.version, /^[0-9a-f]{16}$/);
    assert.equal(status.previous.path, fixture.cheapPath);
    for (const prompt of prompts.slice(0, 3)) assert.equal(await routedModel(prompt), fixture.bestModel);
  });

  test("a bad artifact is refused with reload_failed and the gateway keeps serving the old one", async () => {
    const bad = join(fixture.directory, "corrupt.json");
    await writeFile(bad, "{ not json");
    const response = await admin({ artifact: bad });
    assert.equal(response.status, 422);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "reload_failed");
    assert.match(body.error.message, /corrupt/);
    assert.match(body.error.message, /still serving [0-9a-f]{16} /);
    const missing = await admin({ artifact: join(fixture.directory, "missing.json") });
    assert.equal(missing.status, 422);
    const unknownField = await admin({ artefact: fixture.cheapPath });
    assert.equal(unknownField.status, 400);
    assert.match(((await unknownField.json()) as { error: { message: string } }).error.message, /unknown field "artefact"/);
    assert.equal(await routedModel(prompts[0]!), fixture.bestModel);
  });

  test("rollback restores the previous artifact in one call, and rolling back again returns", async () => {
    const back = await admin({ rollback: true });
    assert.equal(back.status, 200);
    assert.equal(((await back.json()) as { artifact: { router: string } }).artifact.router, "cheapest");
    assert.equal(await routedModel(prompts[1]!), fixture.cheapModel);
    const forth = await admin({ rollback: true });
    assert.equal(((await forth.json()) as { artifact: { router: string } }).artifact.router, "best-single");
    assert.equal(await routedModel(prompts[1]!), fixture.bestModel);
  });

  test("shadow mode: the candidate's decision is logged beside the served one; stopping it stops the logging", async () => {
    const started = await admin({ shadow: fixture.cheapPath });
    assert.equal(started.status, 200);
    const status = (await started.json()) as { artifact: { router: string }; shadow: { version: string } };
    assert.equal(status.artifact.router, "best-single", "the served artifact is unchanged");
    const { response } = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: prompts[2]! }] }).withResponse();
    assert.equal(response.headers.get("x-switchyard-model"), fixture.bestModel, "the shadow does not serve");
    const requestId = response.headers.get("x-request-id")!;
    // The shadow worker answers in order: once a later probe's shadow is decided, the request's is too.
    const probe = await gateway.rollout!.engine.decide({ messages: [{ role: "user", content: prompts[4]! }] });
    for (let waited = 0; probe.shadow?.status === "pending" && waited < 10_000; waited += 10) await new Promise((done) => setTimeout(done, 10));
    assert.equal(probe.shadow?.status, "decided");
    await gateway.services.traces?.flush();
    const trace = await gateway.services.store.traces.get(requestId);
    assert.equal(trace?.servedModel, fixture.bestModel);
    assert.equal(trace?.decision?.shadow?.status, "decided");
    assert.equal(trace?.decision?.shadow?.model, fixture.cheapModel);
    assert.equal(trace?.decision?.shadow?.artifact, status.shadow.version);
    assert.equal(typeof trace?.decision?.shadow?.predictedCostUsd, "number");
    assert.notEqual(trace?.decision?.artifact, status.shadow.version);
    const counted = (await (await fetch(`${gateway.url}/admin/rollout`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as { shadow: { decided: number; skipped: number; pending: number } };
    assert.ok(counted.shadow.decided >= 2, "the request's and the probe's shadow decisions are counted");
    assert.equal(counted.shadow.skipped, 0);
    await admin({ shadow: null });
    const { response: after } = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: prompts[3]! }] }).withResponse();
    await gateway.services.traces?.flush();
    const plain = await gateway.services.store.traces.get(after.headers.get("x-request-id")!);
    assert.equal(plain?.decision?.shadow, undefined);
  });

  test("canary: a seeded share is served by the candidate, each trace says which arm and the mixture propensity", async () => {
    const started = await admin({ canary: { artifact: fixture.cheapPath, share: 0.3 } });
    assert.equal(started.status, 200);
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const { response } = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: prompts[i % prompts.length]! }] }).withResponse();
      ids.push(response.headers.get("x-request-id")!);
    }
    await gateway.services.traces?.flush();
    let canary = 0;
    for (const id of ids) {
      const trace = await gateway.services.store.traces.get(id);
      const decision = trace!.decision!;
      if (decision.arm === "canary") {
        canary++;
        assert.equal(trace!.servedModel, fixture.cheapModel);
        assert.ok(Math.abs(decision.propensity! - 0.3) < 1e-12, `canary propensity ${decision.propensity}`);
      } else {
        assert.equal(decision.arm, "primary");
        assert.equal(trace!.servedModel, fixture.bestModel);
        assert.ok(Math.abs(decision.propensity! - 0.7) < 1e-12, `primary propensity ${decision.propensity}`);
      }
    }
    // 120 draws at 0.3: mean 36, standard deviation 5; the bounds are about 3 deviations out.
    assert.ok(canary >= 21 && canary <= 51, `canary served ${canary} of 120`);
    await admin({ canary: null });
  });

  test("GET /admin/rollout reports what serves", async () => {
    const response = await admin(undefined, adminKey, "/admin/rollout");
    assert.equal(response.status, 200);
    const status = (await response.json()) as { object: string; canary: unknown; shadow: unknown; reloads: number };
    assert.equal(status.object, "rollout");
    assert.equal(status.canary, null);
    assert.equal(status.shadow, null);
    assert.ok(status.reloads >= 5);
  });
});

test("without admin.keyEnv the admin endpoints do not exist (404)", async () => {
  const fixture = await rolloutFixture();
  await copyFile(fixture.cheapPath, join(fixture.directory, "router.json"));
  const replay = await startReplayUpstream({ examples: fixture.dataset.examples });
  const gateway = await startGatewayFromConfig({ configPath: await fixture.writeConfig(`${replay.url}/v1`), env });
  try {
    const response = await fetch(`${gateway.url}/admin/reload`, { method: "POST", headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(response.status, 404);
  } finally {
    await gateway.close();
    await replay.close();
    await rm(fixture.directory, { recursive: true, force: true });
  }
});

test("rollout config: a misspelt canary field and a missing admin key variable are named", async () => {
  const base = { upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], targets: [{ id: "m", inputUsdPerMTok: 1, outputUsdPerMTok: 1 }] };
  assert.throws(() => parseConfig({ ...base, router: { artifact: "r.json", canary: { artifact: "c.json", shares: 0.1 } } }, "x.yaml"), /router\.canary: unknown field "shares"/);
  assert.throws(() => parseConfig({ ...base, router: { canary: { artifact: "c.json", share: 1.5 } } }, "x.yaml"), /router\.canary\.share/);
  assert.throws(() => parseConfig({ ...base, admin: { key: "literal" } }, "x.yaml"), /admin: unknown field "key"/);
  // Shadow settings without an artifact apply to a shadow started later; they are checked like the rest.
  assert.equal(parseConfig({ ...base, router: { artifact: "r.json", shadow: { batchMs: 5, maxPending: 64 } } }, "x.yaml").router.shadow?.batchMs, 5);
  assert.throws(() => parseConfig({ ...base, router: { artifact: "r.json", shadow: { batchMS: 5 } } }, "x.yaml"), /router\.shadow: unknown field "batchMS"/);
  assert.throws(() => parseConfig({ ...base, router: { artifact: "r.json", shadow: { batchMs: -1 } } }, "x.yaml"), /router\.shadow\.batchMs/);
  // The dashboard's read placement (issue 18): only the two documented values.
  assert.equal(parseConfig({ ...base, ui: { reads: "serving-thread" } }, "x.yaml").ui.reads, "serving-thread");
  assert.throws(() => parseConfig({ ...base, ui: { reads: "thread" } }, "x.yaml"), /ui\.reads/);
  const fixture = await rolloutFixture();
  await copyFile(fixture.cheapPath, join(fixture.directory, "router.json"));
  try {
    const configPath = await fixture.writeConfig("http://127.0.0.1:9/v1", { admin: { keyEnv: "SWITCHYARD_UNSET_ADMIN_KEY" } });
    await assert.rejects(startGatewayFromConfig({ configPath, env: { SWITCHYARD_KEY_PEPPER: env.SWITCHYARD_KEY_PEPPER } }), /admin\.keyEnv: the environment variable SWITCHYARD_UNSET_ADMIN_KEY/);
  } finally {
    await rm(fixture.directory, { recursive: true, force: true });
  }
});
