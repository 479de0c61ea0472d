import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { parseConfig } from "../../src/gateway/config.js";

const base = { upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], targets: [{ id: "small", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.2 }] };
const messageOf = (value: unknown): string => {
  try {
    parseConfig(value, "switchyard.yaml");
  } catch (error) {
    assert.ok(error instanceof SwitchyardError && error.code === "invalid_config");
    return error.message;
  }
  return "accepted";
};

test("learning: defaults, and a bad field is named with its path", () => {
  const config = parseConfig(base, "switchyard.yaml");
  assert.equal(config.learning.enabled, true);
  assert.equal(config.learning.feedbackExpiryHours, 168);
  assert.deepEqual(config.learning.signals, []);
  assert.equal(messageOf({ ...base, learning: { feedbackExpiry: 3 } }), 'switchyard.yaml: learning: unknown field "feedbackExpiry"');
  assert.match(messageOf({ ...base, learning: { judge: { target: "small", sampleRate: 2 } } }), /^switchyard\.yaml: learning\.judge\.sampleRate: /);
  assert.match(messageOf({ ...base, learning: { judge: { target: "small", sampleRate: 0.1, rubrik: "x" } } }), /^switchyard\.yaml: learning\.judge: unknown field "rubrik"/);
  assert.match(messageOf({ ...base, learning: { signals: [{ kind: "regex" }] } }), /^switchyard\.yaml: learning\.signals\.0\.kind: /);
  assert.match(messageOf({ ...base, learning: { budget: { usd: 5, period: "total" } } }), /^switchyard\.yaml: learning\.budget\.period: /);
  assert.match(messageOf({ ...base, learning: { budget: { usd: -1 } } }), /^switchyard\.yaml: learning\.budget\.usd: /);
  assert.equal(messageOf({ ...base, learning: { judge: { target: "gpt-9", sampleRate: 0.1 } } }), 'switchyard.yaml: learning.judge.target: unknown target "gpt-9" (configured: small)');
});
