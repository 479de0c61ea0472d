import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { stringify as toYaml } from "yaml";
import { redisSkip, startPrivateRedis, type PrivateRedis } from "../helpers/redis-server.js";
import { startScriptedUpstream, type ScriptedUpstream } from "./scripted-upstream.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("`switchyard serve --workers N` (node:cluster, one port)", { timeout: 90_000 }, () => {
  let directory = "";
  let upstream: ScriptedUpstream;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "switchyard-workers-"));
    upstream = await startScriptedUpstream();
  });
  after(async () => {
    await upstream?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });
  const writeConfig = async (name: string, extra: Record<string, unknown>) => {
    const path = join(directory, name);
    await writeFile(
      path,
      toYaml({
        server: { port: 0 },
        upstreams: [{ name: "scripted", baseUrl: upstream.baseUrl }],
        targets: [{ id: "a", inputUsdPerMTok: 1, outputUsdPerMTok: 2 }],
        store: { path: "./data/switchyard.db" },
        ...extra,
      }),
    );
    return path;
  };

  test("without coordination, --workers 2 is refused with the reason (exit 1, one line naming coordination)", async () => {
    const configPath = await writeConfig("alone.yaml", {});
    const result = spawnSync(process.execPath, ["bin/switchyard.js", "serve", "--config", configPath, "--workers", "2"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /--workers 2 needs shared coordination \(coordination: redis:\/\/…\)/);
    assert.equal(result.stdout, "");
  });

  describe("with Redis", { skip: redisSkip }, () => {
    let redis: PrivateRedis;
    before(async () => {
      redis = await startPrivateRedis();
    });
    after(async () => {
      await redis?.stop();
    });

    test("two workers answer on one port; /metrics counts the requests of both; SIGTERM stops all", async () => {
      const configPath = await writeConfig("workers.yaml", { coordination: { url: redis.url, prefix: "workers-test:" } });
      const child = spawn(process.execPath, ["bin/switchyard.js", "serve", "--config", configPath, "--workers", "2"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const exited = new Promise<number | null>((done) => child.once("exit", done));
      try {
        const url = await new Promise<string>((done, fail) => {
          child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString("utf8");
            const match = /listening on (http:\/\/\S+) .* with 2 workers \(pids (\d+), (\d+)\)/.exec(stdout);
            if (match?.[1] && /coordination: redis/.test(stdout)) done(match[1]);
          });
          child.once("exit", (code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
        });
        const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
        const requests = 40;
        // New connections each time, so the primary's round robin spreads them over both workers.
        for (let i = 0; i < requests; i++) {
          const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", connection: "close" }, body: JSON.stringify({ model: "a", messages: [{ role: "user", content: `hello ${i}` }], max_tokens: 5 }) });
          assert.equal(response.status, 200, await response.text());
        }
        await client.models.list();
        const metrics = await (await fetch(`${url}/metrics`)).text();
        const served = [...metrics.matchAll(/^switchyard_requests_total\{endpoint="\/v1\/chat\/completions",model="a",status="200"[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
        assert.equal(served, requests, "the counter sums both workers' requests");
        // Both workers answered the scrape: prom-client sums process_max_fds over workers (2 × this limit).
        const limits = await readFile("/proc/self/limits", "utf8").catch(() => undefined);
        const maxOpenFiles = limits === undefined ? undefined : Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1]);
        if (maxOpenFiles !== undefined && Number.isFinite(maxOpenFiles)) assert.equal(Number(/^switchyard_process_max_fds (\d+)/m.exec(metrics)?.[1]), 2 * maxOpenFiles);
        child.kill("SIGTERM");
        assert.equal(await exited, 0, stderr);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    });
  });
});
