import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { keyRecord, storeContract } from "./store-contract.js";

storeContract("memory store", createMemoryStore);

test("memory store: returned records are copies", async () => {
  const store = createMemoryStore();
  await store.keys.insert(keyRecord());
  const found = await store.keys.findById("key_1");
  found?.models?.push("evil");
  assert.deepEqual((await store.keys.findById("key_1"))?.models, ["m1", "m2"]);
});
