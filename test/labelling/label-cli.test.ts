import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { stringify as toYaml } from "yaml";
import { loadDataset } from "../../src/data/load-dataset.js";
import { normalizePromptText } from "../../src/data/prompt-text.js";
import { readRoutingJsonl } from "../../src/data/read-routing-jsonl.js";
import type { RoutingExample } from "../../src/data/routing-example.js";
import { listen, type RunningServer } from "../../src/gateway/serve.js";
import { createReplayUpstream, startScriptedJudgeUpstream, type ScriptedJudgeUpstream } from "../../src/testing/index.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const targets = ["gpt-3.5-turbo-1106", "claude-v2", "mistralai/mistral-7b-chat"];

function runCli(args: string[], options: { onStdout?: (text: string) => void } = {}): { done: Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }>; kill: (signal: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, ["bin/switchyard.js", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    options.onStdout?.(stdout);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return {
    done: new Promise((settle) => child.once("exit", (status, signal) => settle({ status, signal, stdout, stderr }))),
    kill: (signal) => child.kill(signal),
  };
}

describe("switchyard label through the replay upstream and a scripted judge", () => {
  let directory: string;
  let examples: RoutingExample[];
  let replay: RunningServer;
  let answerCalls = 0;
  let judge: ScriptedJudgeUpstream;
  let configPath: string;
  let promptsPath: string;
  const firstJudgeCall = new Set<string>();

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "switchyard-label-"));
    examples = (await loadDataset(join(root, "examples/demo/routerbench-sample.jsonl"))).examples.slice(0, 20);
    const app = createReplayUpstream({ examples, latencyMs: 5 });
    replay = await listen((request) => {
      answerCalls++;
      return app.fetch(request);
    }, 0, "127.0.0.1");
    const prompts = examples.map((example) => normalizePromptText(example.prompt));
    // The judge grades with the dataset's score of the graded answer (any model that gave this answer);
    // prompt 2 always gets an unparseable verdict, prompt 3 an unparseable one the first time per answer.
    judge = await startScriptedJudgeUpstream({
      reply: ({ text }) => {
        const index = prompts.findIndex((prompt) => text.includes(prompt));
        const answer = /### Answer\n([\s\S]*?)\n\nReply with/.exec(text)?.[1] ?? "";
        if (index === 2) return "I would rather not say";
        if (index === 3 && !firstJudgeCall.has(answer)) {
          firstJudgeCall.add(answer);
          return "hmm";
        }
        const outcome = Object.values(examples[index]!.outcomes).find((candidate) => normalizePromptText(candidate.response ?? "") === answer);
        return outcome === undefined ? "0" : String(outcome.score * 10);
      },
    });
    promptsPath = join(directory, "prompts.jsonl");
    await writeFile(promptsPath, prompts.map((prompt, index) => JSON.stringify({ id: examples[index]!.id, prompt, task: examples[index]!.task })).join("\n") + "\n");
    configPath = join(directory, "switchyard.yaml");
    const prices = JSON.parse(await readFile(join(root, "examples/demo/models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
    await writeFile(
      configPath,
      toYaml({
        upstreams: [
          { name: "replay", baseUrl: `${replay.url}/v1` },
          { name: "judge", baseUrl: `${judge.url}/v1` },
        ],
        targets: [
          ...prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok, upstream: "replay" })),
          { id: "judge-model", inputUsdPerMTok: 1, outputUsdPerMTok: 2, upstream: "judge" },
        ],
        store: { path: "./data/switchyard.db" },
      }),
    );
  });
  after(async () => {
    await replay?.close();
    await judge?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const labelArgs = (out: string, ...extra: string[]) => ["label", "--config", configPath, "--prompts", promptsPath, "--targets", targets.join(","), "--judge", "judge-model", "--out", out, "--concurrency", "2", ...extra];

  test("targets or a judge that are not configured are a clear error naming them, before any call", async () => {
    const before = answerCalls;
    const unknown = await runCli(["label", "--config", configPath, "--prompts", promptsPath, "--targets", "gpt-3.5-turbo-1106,nope-model,other-missing", "--judge", "judge-model", "--out", join(directory, "x.jsonl")]).done;
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^error: --targets: not configured in .*switchyard\.yaml: nope-model, other-missing \(configured targets: /);
    const noJudge = await runCli(["label", "--config", configPath, "--prompts", promptsPath, "--targets", targets.join(","), "--judge", "gpt-5-judge", "--out", join(directory, "x.jsonl")]).done;
    assert.equal(noJudge.status, 1);
    assert.match(noJudge.stderr, /^error: --judge: not configured in .*: gpt-5-judge/);
    const traces = await runCli(["label", "--config", configPath, "--from-traces", "--targets", targets.join(","), "--judge", "judge-model", "--out", join(directory, "x.jsonl")]).done;
    assert.equal(traces.status, 1);
    assert.match(traces.stderr, /traces\.storeText: false/);
    assert.equal(answerCalls, before, "nothing was sent");
  });

  test("killed mid-run, stopped at --max-usd, then resumed: every answer is paid for once; unparseable verdicts are retried once, then missing", async () => {
    const out = join(directory, "labelled.jsonl");
    const journalPath = `${out}.journal.jsonl`;
    const pairs = examples.length * targets.length;

    // 1. Killed (SIGKILL: no chance to clean up) after a few answers were journaled.
    const killed = runCli(labelArgs(out, "--concurrency", "1"));
    for (let waited = 0; waited < 30_000; waited += 20) {
      const journal = await readFile(journalPath, "utf8").catch(() => "");
      if ((journal.match(/"kind":"answer"/g) ?? []).length >= 6) break;
      await new Promise((done) => setTimeout(done, 20));
    }
    killed.kill("SIGKILL");
    assert.equal((await killed.done).signal, "SIGKILL");
    const afterKill = answerCalls;
    assert.ok(afterKill >= 6 && afterKill < pairs, `killed after ${afterKill} answers`);

    // 2. Resumed with a small budget over what the killed run spent: stops at --max-usd with what it has.
    const costsIn = async () =>
      (await readFile(journalPath, "utf8")).split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { costUsd?: number; judgeCostUsd?: number }).map((line) => line.costUsd ?? line.judgeCostUsd ?? 0);
    const spentBefore = (await costsIn()).reduce((sum, cost) => sum + cost, 0);
    const cap = spentBefore + 0.004;
    const budget = await runCli(labelArgs(out, "--max-usd", String(cap), "--json")).done;
    assert.equal(budget.status, 0, budget.stderr);
    const partial = JSON.parse(budget.stdout) as { stopped: string | null; totalCostUsd: number; linesWritten: number; settled: number; pairs: number; runCostUsd: number };
    assert.equal(partial.stopped, "budget");
    const dearest = Math.max(...(await costsIn()));
    // The cap is checked before each call with the calls in flight reserved: at most one call's worth over.
    assert.ok(partial.totalCostUsd <= cap + dearest, `spent ${partial.totalCostUsd} against a cap of ${cap}`);
    assert.ok(partial.runCostUsd > 0);
    assert.ok(partial.settled < partial.pairs);
    assert.ok(partial.linesWritten < examples.length);
    const answersJournaled = (await readFile(journalPath, "utf8")).match(/"kind":"answer"/g)?.length ?? 0;
    assert.ok(answerCalls <= answersJournaled + 1, `answers bought before the kill were not bought again (${answerCalls} calls, ${answersJournaled} journaled)`);

    // 3. Resumed without the cap: finishes.
    const done = await runCli(labelArgs(out, "--max-usd", "100", "--json")).done;
    assert.equal(done.status, 0, done.stderr);
    const summary = JSON.parse(done.stdout) as { stopped: string | null; settled: number; pairs: number; scored: number; missing: number; linesWritten: number; incompleteDropped: number; judgeCostUsd: number; answerCostUsd: number };
    assert.equal(summary.stopped, null);
    assert.equal(summary.settled, pairs);
    // At most the one call in flight when the process was killed is bought twice (concurrency 1).
    assert.ok(answerCalls <= pairs + 1, `${answerCalls} answer calls for ${pairs} pairs`);
    assert.equal(summary.missing, targets.length, "prompt 2's answers have no score");
    assert.equal(summary.scored, pairs - targets.length);
    assert.equal(summary.incompleteDropped, 1);
    assert.equal(summary.linesWritten, examples.length - 1);
    assert.ok(summary.judgeCostUsd > 0 && summary.answerCostUsd > 0);
    // Each pair was judged once, plus one retry for each unparseable verdict (prompt 2: twice, prompt 3: once),
    // plus what was in flight at the kill: one judge call, or two when the kill fell inside the retry of an
    // unparseable verdict (both are lost with the process and asked again on resume).
    const expectedJudgeCalls = pairs + 2 * targets.length - targets.length + new Set(firstJudgeCall).size;
    assert.ok(judge.calls >= expectedJudgeCalls && judge.calls <= expectedJudgeCalls + 2, `${judge.calls} judge calls, expected ${expectedJudgeCalls}`);

    const journal = (await readFile(journalPath, "utf8")).split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { kind: string; id: string; target: string });
    const answered = journal.filter((line) => line.kind === "answer").map((line) => `${line.id}|${line.target}`);
    assert.equal(new Set(answered).size, answered.length, "no answer journaled twice");

    // 4. The dataset is canonical routing JSONL that train reads: every target on every line.
    const dataset = await readRoutingJsonl(out);
    assert.deepEqual(dataset.models, targets);
    assert.deepEqual((dataset.warnings ?? []).filter((warning) => !/models\.json/.test(warning)), []);
    assert.ok(!dataset.examples.some((example) => example.id === examples[2]!.id), "the prompt with missing scores is left out");
    const line3 = dataset.examples.find((example) => example.id === examples[3]!.id)!;
    for (const model of targets) assert.equal(line3.outcomes[model]!.score, examples[3]!.outcomes[model]!.score, "retried verdicts are the judge's second answer");
    const raw = JSON.parse((await readFile(out, "utf8")).split("\n")[0]!) as { outcomes: Record<string, { judgeCostUsd: number }> };
    assert.ok(raw.outcomes[targets[0]!]!.judgeCostUsd > 0, "judge cost is kept per outcome");
    const artifact = await trainRouterArtifact({ examples: dataset.examples, models: dataset.models, router: "knn", dataset: out, split: "all", params: { k: 5, power: 1, priorWeight: 1 } });
    assert.deepEqual(artifact.models, targets);

    // 5. Run again: everything is in the journal, nothing is paid.
    const callsBefore = answerCalls;
    const judgeBefore = judge.calls;
    const again = await runCli(labelArgs(out, "--max-usd", "100")).done;
    assert.equal(again.status, 0, again.stderr);
    assert.equal(answerCalls, callsBefore);
    assert.equal(judge.calls, judgeBefore);
    assert.match(again.stdout, /labelled 19 prompts × 3 targets/);
    assert.match(again.stdout, /answers called 0, reused from the journal 60/);
  });

  test("exact match needs a reference on every prompt, named when one lacks it", async () => {
    const withReferences = join(directory, "references.jsonl");
    await writeFile(withReferences, [JSON.stringify({ id: "a", prompt: normalizePromptText(examples[0]!.prompt), reference: "C" }), JSON.stringify({ id: "b", prompt: normalizePromptText(examples[1]!.prompt) })].join("\n"));
    const result = await runCli(["label", "--config", configPath, "--prompts", withReferences, "--targets", targets[0]!, "--scorer", "exact", "--out", join(directory, "exact.jsonl")]).done;
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--scorer exact needs a "reference" on every prompt; prompt "b" has none/);
  });
});
