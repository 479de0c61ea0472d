import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { parseConfig } from "../../src/gateway/config.js";
import { startGateway, type RunningServer } from "../../src/gateway/serve.js";
import { trainOutOfDomainDetector } from "../../src/guard/out-of-domain-detector.js";
import { toyExamples, toyOutOfDomain } from "../guard/toy-domains.js";
import { priciestEngine, scriptedServer } from "./gateway-strategies-kit.js";
import { decisionOf } from "../../src/dashboard/decisions-data.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import type { Store } from "../../src/stores/store.js";

describe("guard stage in the production gateway (out-of-domain detector trained on toy domains)", () => {
  const servers: RunningServer[] = [];
  const upstreamSeen: string[] = [];
  let directory: string;
  let client: OpenAI;
  let rerouting: OpenAI;
  let routedOnly: OpenAI;
  let reroutingStore: Store;
  let flushRerouting: () => Promise<void>;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "switchyard-guard-"));
    const detector = await trainOutOfDomainDetector(toyExamples, toyOutOfDomain.slice(0, 4), { seed: 3, hiddenUnits: 32, epochs: 40, hashing: { dimension: 1 << 14 } });
    await writeFile(join(directory, "domain.json"), JSON.stringify(detector.toArtifact()));
    const upstream = await scriptedServer((content) => `answer to: ${content}`, upstreamSeen);
    servers.push(upstream);
    const config = parseConfig(
      {
        upstreams: [{ name: "echo", baseUrl: `${upstream.url}/v1` }],
        targets: [
          { id: "big", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
          { id: "small", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1 },
        ],
        // A relative artifact path is resolved against the config file's directory.
        guard: { outOfDomain: { artifact: "domain.json", threshold: 0.5, onOutOfDomain: { action: "refuse", message: "This assistant only answers banking, travel and cooking questions." } } },
      },
      join(directory, "switchyard.yaml"),
    );
    const gateway = await startGateway({ config, engine: priciestEngine(config.targets), port: 0 });
    servers.push(gateway);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });

    const reroutingConfig = parseConfig(
      { ...config, guard: { outOfDomain: { artifact: join(directory, "domain.json"), threshold: 0.5, onOutOfDomain: { action: "reroute", model: "small" } } } },
      join(directory, "rerouting.yaml"),
    );
    reroutingStore = createMemoryStore();
    const reroutingGateway = await startGateway({ config: reroutingConfig, engine: priciestEngine(reroutingConfig.targets), port: 0, store: reroutingStore });
    flushRerouting = () => reroutingGateway.services.flush();
    servers.push(reroutingGateway);
    rerouting = new OpenAI({ baseURL: `${reroutingGateway.url}/v1`, apiKey: "test", maxRetries: 0 });

    const routedOnlyConfig = parseConfig({ ...config, guard: { ...config.guard, appliesTo: "routed" } }, join(directory, "routed-only.yaml"));
    const routedOnlyGateway = await startGateway({ config: routedOnlyConfig, engine: priciestEngine(routedOnlyConfig.targets), port: 0 });
    servers.push(routedOnlyGateway);
    routedOnly = new OpenAI({ baseURL: `${routedOnlyGateway.url}/v1`, apiKey: "test", maxRetries: 0 });
  });

  after(async () => {
    for (const server of servers.reverse()) await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  test("an out-of-domain prompt gets an OpenAI-shaped 400 with code out_of_domain and reaches no upstream", async () => {
    const before = upstreamSeen.length;
    const error = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "who painted the mona lisa" }] }).then(
      () => assert.fail("expected a refusal"),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.code, "out_of_domain");
    assert.equal(error.type, "invalid_request_error");
    assert.match(error.message, /only answers banking, travel and cooking/);
    assert.equal(error.headers?.get("x-switchyard-guard"), "refuse");
    assert.equal(upstreamSeen.length, before);
  });

  test("an in-domain prompt is allowed and routed", async () => {
    const { data, response } = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "book a flight to rome" }] }).withResponse();
    assert.equal(response.headers.get("x-switchyard-guard"), "allow");
    assert.equal(response.headers.get("x-switchyard-model"), "big");
    assert.equal(data.choices[0]?.message.content, "answer to: book a flight to rome");
  });

  test("with action reroute, an out-of-domain prompt is served by the designated model without routing", async () => {
    const outside = await rerouting.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "who painted the mona lisa" }] }).withResponse();
    assert.equal(outside.response.headers.get("x-switchyard-guard"), "reroute");
    assert.equal(outside.response.headers.get("x-switchyard-model"), "small");
    const inside = await rerouting.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "freeze my bank account" }] }).withResponse();
    assert.equal(inside.response.headers.get("x-switchyard-guard"), "allow");
    assert.equal(inside.response.headers.get("x-switchyard-model"), "big");
  });

  test("naming a model or a strategy does not bypass the guard (appliesTo: every-request, the default)", async () => {
    const before = upstreamSeen.length;
    for (const model of ["small", "big"]) {
      const error = await client.chat.completions.create({ model, messages: [{ role: "user", content: "who painted the mona lisa" }] }).then(
        () => assert.fail("an out-of-domain prompt to a named model was served"),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.code, "out_of_domain");
      assert.equal(error.headers?.get("x-switchyard-guard"), "refuse");
    }
    assert.equal(upstreamSeen.length, before);
    const inside = await client.chat.completions.create({ model: "small", messages: [{ role: "user", content: "freeze my bank account" }] }).withResponse();
    assert.equal(inside.response.headers.get("x-switchyard-guard"), "allow");
    assert.equal(inside.response.headers.get("x-switchyard-model"), "small");
    // A reroute applies to named models too: the designated model serves instead of the named one.
    const rerouted = await rerouting.chat.completions.create({ model: "big", messages: [{ role: "user", content: "who painted the mona lisa" }] }).withResponse();
    assert.equal(rerouted.response.headers.get("x-switchyard-guard"), "reroute");
    assert.equal(rerouted.response.headers.get("x-switchyard-model"), "small");
  });

  test("with appliesTo: routed, a named model skips the guard and auto is still guarded", async () => {
    const { response } = await routedOnly.chat.completions.create({ model: "small", messages: [{ role: "user", content: "who painted the mona lisa" }] }).withResponse();
    assert.equal(response.headers.get("x-switchyard-guard"), null);
    assert.equal(response.headers.get("x-switchyard-model"), "small");
    const error = await routedOnly.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "who painted the mona lisa" }] }).then(
      () => assert.fail("auto was not guarded"),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(error.code, "out_of_domain");
  });

  test("each trace keeps the guard's verdict, and the dashboard's decision view shows it (allowed, rerouted, refused)", async () => {
    const asked = async (content: string) => {
      const { response } = await rerouting.chat.completions.create({ model: "auto", messages: [{ role: "user", content }] }).withResponse();
      return response.headers.get("x-request-id") as string;
    };
    const reroutedId = await asked("who painted the mona lisa");
    const allowedId = await asked("freeze my bank account");
    await flushRerouting();
    const rerouted = await reroutingStore.traces.get(reroutedId);
    const allowed = await reroutingStore.traces.get(allowedId);
    assert.deepEqual(rerouted?.stages, { guard: "reroute" });
    assert.deepEqual(allowed?.stages, { guard: "allow" });
    assert.equal((await decisionOf(reroutingStore, reroutedId)).guard, "rerouted to small");
    assert.equal((await decisionOf(reroutingStore, allowedId)).guard, "allowed");
    const unguarded = createMemoryStore();
    await unguarded.traces.insertMany([{ ...(allowed as NonNullable<typeof allowed>), id: "plain", stages: undefined }]);
    assert.equal((await decisionOf(unguarded, "plain")).guard, null, "no guard ran: nothing claimed");
  });
});
