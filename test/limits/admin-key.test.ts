import assert from "node:assert/strict";
import { test } from "node:test";
import { createAdminKey } from "../../src/limits/admin-key.js";

const secret = "an-admin-key-of-32-characters-xx";
const header = (value: string | undefined) => (name: string) => (name === "authorization" ? value : undefined);

test("the admin key is read from its environment variable and matched exactly", () => {
  const admin = createAdminKey({ keyEnv: "ADMIN_FOR_TEST", env: { ADMIN_FOR_TEST: secret } });
  assert.equal(admin.configured, true);
  assert.equal(admin.matches(header(`Bearer ${secret}`)), true);
  for (const wrong of [undefined, "Bearer", `Bearer ${secret}x`, `Bearer ${secret.slice(0, -1)}`, `Basic ${secret}`, secret]) assert.equal(admin.matches(header(wrong)), false, String(wrong));
  assert.doesNotThrow(() => admin.assert(header(`Bearer ${secret}`), "GET /metrics"));
  assert.throws(() => admin.assert(header("Bearer nope"), "GET /metrics"), (error: Error & { code?: string }) => error.code === "unauthorized" && !error.message.includes(secret));
});

test("without the variable nothing matches, and the refusal says how to set one", () => {
  const admin = createAdminKey({ keyEnv: "ADMIN_FOR_TEST", env: {} });
  assert.equal(admin.configured, false);
  assert.equal(admin.matches(header("Bearer anything-at-all-here")), false);
  assert.throws(() => admin.assert(header(undefined), "GET /metrics"), /set the environment variable ADMIN_FOR_TEST/);
});

test("a short admin key is refused at start-up", () => {
  assert.throws(() => createAdminKey({ keyEnv: "ADMIN_FOR_TEST", env: { ADMIN_FOR_TEST: "short" } }), /shorter than 16 characters/);
});
