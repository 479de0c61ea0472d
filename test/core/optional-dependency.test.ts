import assert from "node:assert/strict";
import { test } from "node:test";
import { isSwitchyardError } from "../../src/core/errors.js";
import { importOptional, requireOptional } from "../../src/core/optional-dependency.js";

const absent = "switchyard-test-package-that-is-not-installed";

test("a missing optional package is a missing_dependency error naming it and the install command", async () => {
  await assert.rejects(
    importOptional([absent], "The test feature", () => import(absent)),
    (error: unknown) => isSwitchyardError(error) && error.code === "missing_dependency" && error.status === 500 && error.message.includes(`npm install ${absent}`) && error.message.startsWith("The test feature needs"),
  );
  assert.throws(
    () => requireOptional(absent, "The sync feature", "or use the other one"),
    (error: unknown) => isSwitchyardError(error) && error.code === "missing_dependency" && /npm install switchyard-test-package-that-is-not-installed`, or use the other one$/.test(error.message),
  );
});

test("an installed package loads, and other failures are not reported as a missing package", async () => {
  const yaml = await importOptional(["yaml"], "YAML", () => import("yaml"));
  assert.equal(typeof yaml.parse, "function");
  assert.equal(typeof requireOptional<{ parse: unknown }>("yaml", "YAML").parse, "function");
  const broken = new Error("the native binding failed to load");
  await assert.rejects(importOptional(["yaml"], "YAML", () => Promise.reject(broken)), (error: unknown) => error === broken);
  // A missing module that is not the optional package itself (a broken install of it) is not disguised.
  const transitive = Object.assign(new Error("Cannot find package 'some-transitive-dependency' imported from /x"), { code: "ERR_MODULE_NOT_FOUND" });
  await assert.rejects(importOptional(["yaml"], "YAML", () => Promise.reject(transitive)), (error: unknown) => error === transitive);
});
