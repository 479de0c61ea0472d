import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { sha256Hex } from "../../src/util/sha256-hex.js";
import { closeAll, productionConfig, scriptedUpstreams, startProductionGateway } from "../gateway-production/production-kit.js";

test("with traces.storeText off, a routed trace keeps the decision log and the prompt's hash, never the text", async () => {
  const upstreams = await scriptedUpstreams("a", "b");
  const config = productionConfig(upstreams, { traces: { storeText: false } });
  const store = createMemoryStore();
  const { gateway, client } = await startProductionGateway(config, { store });
  try {
    const prompt = "what is the capital of France?";
    const { response } = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: prompt }], max_tokens: 5 }).withResponse();
    const named = await client.chat.completions.create({ model: config.targets[1]!.id, messages: [{ role: "user", content: prompt }], max_tokens: 5 }).withResponse();
    await gateway.services.traces!.flush();
    const trace = await store.traces.get(response.headers.get("x-request-id")!);
    assert.equal(trace?.prompt, undefined);
    assert.equal(trace?.response, undefined);
    assert.equal(trace?.promptHash, sha256Hex(prompt));
    assert.equal(trace?.decision?.model, trace?.servedModel);
    assert.equal(trace?.decision?.propensity, 1, "a deterministic router logs propensity 1");
    assert.equal(trace?.decision?.router, "ordered");
    const unrouted = await store.traces.get(named.response.headers.get("x-request-id")!);
    assert.equal(unrouted?.decision, null);
    assert.equal(unrouted?.promptHash, undefined, "only routed requests are hashed");
  } finally {
    await closeAll(gateway, upstreams);
  }
});
