import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import OpenAI from "openai";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { root, rolloutFixture } from "./rollout-kit.js";

const adminKey = "admin-key-for-sighup-test-0123456789";

function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["bin/switchyard.js", ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("exit", (status) => done({ status, stdout, stderr }));
  });
}

test("`switchyard serve` reloads router.artifact on SIGHUP (and keeps running); `switchyard reload` rolls back", { timeout: 90_000 }, async () => {
  const fixture = await rolloutFixture();
  const routerPath = join(fixture.directory, "router.json");
  await copyFile(fixture.cheapPath, routerPath);
  const replay = await startReplayUpstream({ examples: fixture.dataset.examples });
  const configPath = await fixture.writeConfig(`${replay.url}/v1`, { admin: { keyEnv: "SWITCHYARD_TEST_ADMIN_KEY" } });
  const env = { SWITCHYARD_TEST_ADMIN_KEY: adminKey, SWITCHYARD_KEY_PEPPER: "pepper-for-tests-0123456789abcdef" };
  const child = spawn(process.execPath, ["bin/switchyard.js", "serve", "--config", configPath], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const waitFor = (pattern: RegExp, what: () => string) =>
    new Promise<void>((done, fail) => {
      const deadline = Date.now() + 30_000;
      const poll = () => (pattern.test(what()) ? done() : Date.now() > deadline ? fail(new Error(`timed out waiting for ${pattern}: ${what()}`)) : setTimeout(poll, 20));
      poll();
    });
  try {
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        const match = /listening on (http:\/\/\S+) /.exec(stdout);
        if (match?.[1]) done(match[1]);
      });
      child.once("exit", (code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    const prompt = normalizePromptText(fixture.dataset.examples[0]!.prompt);
    const routed = async () => (await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: prompt }] }).withResponse()).response.headers.get("x-switchyard-model");
    assert.equal(await routed(), fixture.cheapModel);

    await copyFile(fixture.bestPath, routerPath);
    child.kill("SIGHUP");
    await waitFor(/SIGHUP: reloaded .*best-single/, () => stderr);
    assert.equal(child.exitCode, null, "SIGHUP does not stop the gateway");
    assert.equal(await routed(), fixture.bestModel);

    const rolledBack = await runCli(["reload", "--url", url, "--rollback", "--admin-key-env", "SWITCHYARD_TEST_ADMIN_KEY"], env);
    assert.equal(rolledBack.status, 0, rolledBack.stderr);
    assert.match(rolledBack.stdout, /^rolled back: serving .*cheapest/);
    assert.equal(await routed(), fixture.cheapModel);

    const wrongKey = await runCli(["reload", "--url", url, "--artifact", fixture.bestPath, "--admin-key-env", "WRONG_KEY"], { WRONG_KEY: "not-the-admin-key-0123456789" });
    assert.equal(wrongKey.status, 1);
    assert.match(wrongKey.stderr, /^error: The key presented is not the admin key\n$/);

    const viaCli = await runCli(["reload", "--url", url, "--artifact", fixture.bestPath, "--admin-key-env", "SWITCHYARD_TEST_ADMIN_KEY"], env);
    assert.equal(viaCli.status, 0, viaCli.stderr);
    assert.equal(await routed(), fixture.bestModel);

    await copyFile(join(root, "package.json"), routerPath);
    child.kill("SIGHUP");
    await waitFor(/SIGHUP: reload failed, still serving [0-9a-f]{16} /, () => stderr);
    assert.equal(await routed(), fixture.bestModel, "a failed SIGHUP reload keeps the artifact that served");
  } finally {
    child.kill("SIGKILL");
    await replay.close();
    await rm(fixture.directory, { recursive: true, force: true });
  }
});
