import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Command } from "commander";
import OpenAI from "openai";
import { stringify as toYaml } from "yaml";
import { saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { registerTraces } from "../../src/cli/commands/traces.js";
import type { RunningServer } from "../../src/gateway/serve.js";
import { startGatewayFromConfig, type GatewayFromConfig } from "../../src/gateway/start-gateway-from-config.js";
import type { TraceRecord } from "../../src/stores/trace-record.js";
import { startReplayUpstream } from "../../src/testing/replay-upstream.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { replayAnswers, replayExamples, replayPrompts } from "../fixtures/replay-examples.js";
import { scriptedServer } from "./gateway-strategies-kit.js";

const cheapId = "mistralai/mistral-7b-chat";
const strongId = "gpt-4-1106-preview";

/** `switchyard traces show <id> --config <path>`, printing into an array. */
async function showTrace(configPath: string, requestId: string): Promise<TraceRecord> {
  const lines: string[] = [];
  const program = new Command().exitOverride();
  registerTraces(program, { print: (line) => lines.push(line), env: {} });
  for (const command of program.commands) command.exitOverride();
  await program.parseAsync(["traces", "show", requestId, "--config", configPath], { from: "user" });
  return JSON.parse(lines.join("\n")) as TraceRecord;
}

type TracedBody = { switchyard: { costUsd: number; stoppedBecause: string; trace: Array<{ role: string; model: string; costUsd: number; score?: number }> } };

describe("learned cascade scorer through `switchyard serve` (knn artifact → openai client → replay upstream; traces in SQLite)", () => {
  const servers: RunningServer[] = [];
  let directory: string;
  let configPath: string;
  let gateway: GatewayFromConfig;
  let client: OpenAI;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "switchyard-learned-cascade-"));
    // k = 1 without a prior: the predicted quality of a recorded prompt is its recorded score, so the
    // cheap model is predicted to fail the ARC question (score 0) and to pass the MBPP one (score 1).
    const artifact = await trainRouterArtifact({ examples: replayExamples, models: [cheapId, strongId], router: "knn", dataset: "replay-fixture", split: "train", params: { k: 1, power: 1, priorWeight: 0 }, now: () => new Date(0) });
    await saveRouterArtifact(join(directory, "router.json"), artifact);
    const replay = await startReplayUpstream({ examples: replayExamples });
    const judge = await scriptedServer((content) => (/### Answer\nA\n/.test(content) ? "2" : "9"));
    servers.push(replay, judge);
    configPath = join(directory, "switchyard.yaml");
    await writeFile(
      configPath,
      toYaml({
        server: { host: "127.0.0.1", port: 0 },
        router: { artifact: "./router.json" },
        store: { path: "./data/switchyard.db" },
        traces: { flushIntervalMs: 50 },
        logging: { level: "silent", requests: false },
        upstreams: [
          { name: "replay", baseUrl: `${replay.url}/v1` },
          { name: "judge", baseUrl: `${judge.url}/v1` },
        ],
        targets: [
          { id: cheapId, upstream: "replay", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
          { id: strongId, upstream: "replay", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
          { id: "judge-model", upstream: "judge", inputUsdPerMTok: 0.5, outputUsdPerMTok: 0.5 },
        ],
        strategies: {
          cascade: { ladder: [{ target: cheapId, threshold: 0.5 }, { target: strongId }], scorer: { kind: "learned" } },
          fanOut: { models: [cheapId, strongId], mode: "best", judge: { target: "judge-model" } },
        },
      }),
    );
    gateway = await startGatewayFromConfig({ configPath, env: { SWITCHYARD_KEY_PEPPER: "test-pepper-for-learned-cascade-0123456789" } });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
  });

  after(async () => {
    await gateway?.shutdown(0);
    for (const server of servers.reverse()) await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  test("the config with scorer kind learned is accepted and served from the gateway's router artifact", () => {
    assert.equal(gateway.config.strategies.cascade?.scorer.kind, "learned");
    assert.equal(gateway.engine.routerName, "knn");
  });

  test("a prompt the cheap model is predicted to fail escalates; one it is predicted to pass stops at the cheap model", async () => {
    const escalated = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.arc }] }).withResponse();
    assert.equal(escalated.data.choices[0]?.message.content, replayAnswers.arcStrong);
    assert.equal(escalated.data.model, strongId);
    const escalatedBody = escalated.data as unknown as TracedBody;
    assert.equal(escalatedBody.switchyard.stoppedBecause, "last-step");
    assert.deepEqual(
      escalatedBody.switchyard.trace.map((call) => [call.role, call.model, call.score ?? null]),
      [
        ["answer", cheapId, 0],
        ["score", cheapId, 0],
        ["answer", strongId, null],
      ],
    );

    const kept = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.mbpp }] }).withResponse();
    assert.equal(kept.data.choices[0]?.message.content, replayAnswers.mbppCheap);
    assert.equal(kept.data.model, cheapId);
    const keptBody = kept.data as unknown as TracedBody;
    assert.equal(keptBody.switchyard.stoppedBecause, "accepted");
    assert.deepEqual(keptBody.switchyard.trace.map((call) => [call.role, call.score ?? null]), [["answer", 1], ["score", 1]]);
    assert.equal(keptBody.switchyard.trace[1]?.costUsd, 0, "the learned scorer makes no call and costs nothing");
  });

  test("the stored trace (SQLite, read with `switchyard traces show`) records every sub-call with its cost", async () => {
    const cascade = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.arc }] }).withResponse();
    const fanOut = await client.chat.completions.create({ model: "fan-out", messages: [{ role: "user", content: replayPrompts.arc }] }).withResponse();
    await gateway.services.flush();

    const cascadeTrace = await showTrace(configPath, cascade.response.headers.get("x-request-id") ?? "");
    assert.equal(cascadeTrace.requestedModel, "cascade");
    assert.equal(cascadeTrace.servedModel, strongId);
    assert.deepEqual(
      cascadeTrace.attempts.map((attempt) => [attempt.role, attempt.target, attempt.outcome]),
      [
        ["answer", cheapId, "ok"],
        ["score", `learned:${cheapId}`, "ok"],
        ["answer", strongId, "ok"],
      ],
    );
    const cascadeCalls = (cascade.data as unknown as TracedBody).switchyard.trace;
    assert.deepEqual(cascadeTrace.attempts.map((attempt) => attempt.costUsd), cascadeCalls.map((call) => call.costUsd));
    assert.ok((cascadeTrace.attempts[0]?.costUsd ?? 0) > 0 && (cascadeTrace.attempts[2]?.costUsd ?? 0) > (cascadeTrace.attempts[0]?.costUsd ?? 0));
    const cascadeSum = cascadeTrace.attempts.reduce((sum, attempt) => sum + (attempt.costUsd ?? 0), 0);
    assert.ok(Math.abs(cascadeSum - (cascadeTrace.costUsd ?? -1)) < 1e-12, `${cascadeSum} vs ${cascadeTrace.costUsd}`);
    assert.equal(Number(cascade.response.headers.get("x-switchyard-cost-usd")), cascadeTrace.costUsd);

    const fanOutTrace = await showTrace(configPath, fanOut.response.headers.get("x-request-id") ?? "");
    assert.equal(fanOutTrace.requestedModel, "fan-out");
    assert.deepEqual(fanOutTrace.attempts.map((attempt) => attempt.role).sort(), ["answer", "answer", "score", "score"]);
    assert.ok(fanOutTrace.attempts.every((attempt) => typeof attempt.costUsd === "number" && attempt.costUsd > 0), "answers and judge grades all cost something");
    const fanOutSum = fanOutTrace.attempts.reduce((sum, attempt) => sum + (attempt.costUsd ?? 0), 0);
    assert.ok(Math.abs(fanOutSum - (fanOutTrace.costUsd ?? -1)) < 1e-12, `${fanOutSum} vs ${fanOutTrace.costUsd}`);
    assert.ok(fanOutTrace.attempts.filter((attempt) => attempt.role === "score").every((attempt) => typeof attempt.score === "number"));
  });
});
