import assert from "node:assert/strict";
import { test } from "node:test";
import { clientRequestIdOf, requestIdOf, timeOrderedRequestId } from "../../src/gateway/request-id.js";

test("generated request ids are UUID v7: time-ordered, random after the timestamp", () => {
  const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const at = Date.UTC(2026, 10, 25, 18, 0, 0);
  const id = timeOrderedRequestId(at);
  assert.match(id, uuidV7);
  assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at, "the first 48 bits are the millisecond timestamp");
  assert.notEqual(timeOrderedRequestId(at), id);
  const ids = [at, at + 1, at + 1_000, at + 86_400_000].map((time) => timeOrderedRequestId(time));
  assert.deepEqual([...ids].sort(), ids, "later ids sort later");
  assert.match(requestIdOf(), uuidV7);
});

test("a plain client request id is kept as an attribute; anything else is dropped; the gateway id is always its own", () => {
  assert.equal(clientRequestIdOf("req_42:a@b.c-d"), "req_42:a@b.c-d");
  assert.equal(clientRequestIdOf("has space"), undefined);
  assert.equal(clientRequestIdOf("x".repeat(129)), undefined);
  assert.equal(clientRequestIdOf(null), undefined);
  assert.equal(requestIdOf(() => "fixed"), "fixed");
});
