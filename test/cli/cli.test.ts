import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const sample = join(root, "examples/demo/routerbench-sample.jsonl");

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, "bin/switchyard.js"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("usage errors exit 2 with one line and no stack trace", () => {
  for (const args of [["eval"], ["train", "--dataset", sample], ["eval", "--dataset", sample, "--seed", "abc"], ["nonsense"], ["route", "--artifact", "x"]]) {
    const result = cli(...args);
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }
});

test("garbage in JSON and number flags is a one-line usage error naming the flag", () => {
  const cases: Array<[string[], RegExp]> = [
    [["train", "--dataset", sample, "--out", "/tmp/x.json", "--params", "{nope"], /--params must be a JSON object/],
    [["train", "--dataset", sample, "--out", "/tmp/x.json", "--params", "[1,2]"], /--params must be a JSON object/],
    [["train", "--dataset", sample, "--out", "/tmp/x.json", "--embedder-options", "42"], /--embedder-options must be a JSON object/],
    [["eval", "--dataset", sample, "--router", "knn,,oracle"], /--router must be a comma-separated list/],
    [["eval", "--dataset", sample, "--train-fraction", "2"], /--train-fraction must be ≤ 0.99/],
    [["route", "--artifact", "x.json", "--prompt", "hi", "--quality", "7"], /--quality must be ≤ 1/],
    [["demo", "--port", "http"], /--port must be a number/],
  ];
  for (const [args, message] of cases) {
    const result = cli(...args);
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
});

test("an unknown router or embedder is a clear error listing the known ones", () => {
  const router = cli("eval", "--dataset", sample, "--router", "telepathy");
  assert.equal(router.status, 1);
  assert.match(router.stderr, /unknown router "telepathy" \(known: .*knn/);
  const embedder = cli("train", "--dataset", sample, "--out", "/tmp/x.json", "--embedder", "crystal-ball");
  assert.equal(embedder.status, 1);
  assert.match(embedder.stderr, /unknown embedder "crystal-ball" \(known: .*hashed-tfidf/);
});

test("--help works on every command", () => {
  for (const command of ["train", "eval", "route"]) {
    const result = cli(command, "--help");
    assert.equal(result.status, 0);
    assert.match(result.stdout, /Usage: switchyard/);
  }
});

test("a malformed dataset fails with file, line and field, exit 1", () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-cli-bad-"));
  const bad = join(directory, "score-out-of-range.jsonl");
  writeFileSync(bad, `${JSON.stringify({ id: "a", prompt: "p", outcomes: { m: { score: 0.5, costUsd: 1 } } })}\n${JSON.stringify({ id: "b", prompt: "q", outcomes: { m: { score: 7, costUsd: 1 } } })}\n`);
  const result = cli("eval", "--dataset", bad);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /score-out-of-range\.jsonl:\d+: outcomes\./);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test("train → route → eval on the bundled sample", () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-cli-"));
  const artifact = join(directory, "router.json");
  const trained = cli("train", "--dataset", sample, "--router", "knn", "--params", '{"k":20,"power":1,"priorWeight":1}', "--out", artifact);
  assert.equal(trained.status, 0, trained.stderr);
  assert.match(trained.stdout, /trained knn on 300 prompts × 11 models/);

  const routed = cli("route", "--artifact", artifact, "--prompt", "Write a python function to reverse a string.", "--quality", "0.9");
  assert.equal(routed.status, 0, routed.stderr);
  const decision = JSON.parse(routed.stdout);
  assert.equal(decision.router, "knn");
  assert.equal(decision.candidates.length, 11);
  assert.ok(decision.candidates.some((c: { model: string }) => c.model === decision.model));

  const explained = cli("route", "--artifact", artifact, "--prompt", "hi", "--explain", "--allowed-models", "gpt-4-1106-preview,mistralai/mistral-7b-chat");
  assert.equal(explained.status, 0, explained.stderr);
  assert.match(explained.stdout, /chose .* at willingness-to-pay/);
  assert.match(explained.stdout, /why: /);

  const reportDirectory = join(directory, "report");
  const decisions = join(directory, "decisions.jsonl");
  const evaluated = cli("eval", "--dataset", sample, "--router", "knn,best-single,oracle", "--params", '{"knn":{"k":20,"power":1,"priorWeight":1}}', "--report", reportDirectory, "--decisions", decisions);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /knn\s+0\.\d+/);
  assert.ok(existsSync(join(reportDirectory, "report.html")));
  assert.match(readFileSync(join(reportDirectory, "report.html"), "utf8"), /Decisions of <span class="router">knn<\/span>/, "the best-AIQ router's decisions by default");
  const report = JSON.parse(readFileSync(join(reportDirectory, "report.json"), "utf8"));
  assert.deepEqual(report.routers.map((r: { name: string }) => r.name), ["knn", "best-single", "oracle"]);
  const lines = readFileSync(decisions, "utf8").trim().split("\n");
  const first = JSON.parse(lines[0]!);
  assert.deepEqual(Object.keys(first), ["router", "point", "id", "model"]);
  const knnPoints = new Set(lines.map((line) => JSON.parse(line)).filter((row) => row.router === "knn").map((row) => row.point));
  assert.ok(knnPoints.size > 10, "knn is swept over many operating points");
  assert.equal(lines.filter((line) => line.includes('"router":"best-single"')).length, 100, "best-single: one point × 100 test prompts");
  const unknown = cli("eval", "--dataset", sample, "--router", "knn,oracle", "--report", reportDirectory, "--report-router", "best-single");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--report-router best-single: not one of the evaluated routers \(knn, oracle\)/);
});

test("train and route with the bundled sentence encoder; a bad option of it names the field", () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-cli-sentence-"));
  const env = { ...process.env, SWITCHYARD_CACHE_DIR: join(directory, "cache") };
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin/switchyard.js"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000, env });
  const artifact = join(directory, "router.json");
  const trained = run("train", "--dataset", sample, "--router", "knn", "--embedder", "sentence-encoder", "--out", artifact);
  assert.equal(trained.status, 0, trained.stderr);
  assert.equal(JSON.parse(readFileSync(artifact, "utf8")).embedder.kind, "sentence-encoder");
  assert.ok(existsSync(join(directory, "cache", "sentence-embeddings.sqlite")));
  const routed = run("route", "--artifact", artifact, "--prompt", "Write a python function to reverse a string.", "--explain");
  assert.equal(routed.status, 0, routed.stderr);
  assert.match(routed.stdout, /chose .* at willingness-to-pay/);

  const bad = run("train", "--dataset", sample, "--out", join(directory, "x.json"), "--embedder", "sentence-encoder", "--embedder-options", '{"part":"middle"}');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /sentence-encoder embedder option part/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});
