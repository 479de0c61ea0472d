import assert from "node:assert/strict";
import { test } from "node:test";
import { createGateway } from "../../src/gateway/create-gateway.js";
import { fakeUpstream, jsonAnswer, stubEngine, testConfig } from "./gateway-test-kit.js";

function app() {
  const config = testConfig();
  return createGateway(config, { engine: stubEngine(config), upstreamClient: fakeUpstream(() => jsonAnswer({})), now: () => 1_700_000_000_500 });
}

test("GET /v1/models lists auto and every target in OpenAI's list shape", async () => {
  const response = await app().request("/v1/models");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  assert.deepEqual(await response.json(), {
    object: "list",
    data: [
      { id: "auto", object: "model", created: 1_700_000_000, owned_by: "switchyard" },
      { id: "gpt-4-1106-preview", object: "model", created: 1_700_000_000, owned_by: "replay" },
      { id: "mistral-7b", object: "model", created: 1_700_000_000, owned_by: "replay" },
    ],
  });
});

test("GET /v1/models/:model retrieves one model, ids with slashes included; unknown ids are 404", async () => {
  const gateway = app();
  const found = await gateway.request("/v1/models/mistral-7b");
  assert.deepEqual(await found.json(), { id: "mistral-7b", object: "model", created: 1_700_000_000, owned_by: "replay" });
  const missing = await gateway.request("/v1/models/meta/llama-2-70b-chat");
  assert.equal(missing.status, 404);
  const body = (await missing.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, "model_not_found");
  assert.match(body.error.message, /meta\/llama-2-70b-chat/);
});

test("GET /healthz answers ok", async () => {
  const response = await app().request("/healthz");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: "ok" });
});
