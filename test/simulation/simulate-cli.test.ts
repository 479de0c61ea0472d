import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const sample = join(root, "examples/demo/routerbench-sample.jsonl");
const work = mkdtempSync(join(tmpdir(), "switchyard-simulate-"));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, "bin/switchyard.js"), ...args], { cwd: root, encoding: "utf8", timeout: 600_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("simulate streams every non-history prompt once to each router, deterministically under a seed", () => {
  const args = (out: string) => ["simulate", "--dataset", sample, "--router", "linucb,thompson+cold", "--seed", "7", "--scenario", "drift", "--decisions", out];
  const first = cli(...args(join(work, "a.jsonl")), "--report", join(work, "report"));
  assert.equal(first.status, 0, first.stderr);
  const second = cli(...args(join(work, "b.jsonl")));
  assert.equal(second.status, 0, second.stderr);
  const text = readFileSync(join(work, "a.jsonl"), "utf8");
  assert.equal(text, readFileSync(join(work, "b.jsonl"), "utf8"));
  const lines = text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
  const routers = ["offline-knn", "linucb+warm", "linucb+cold", "thompson+cold"];
  assert.deepEqual([...new Set(lines.map((line) => line.router))], routers);
  const steps = lines.length / routers.length;
  assert.equal(steps, 400 - Math.round(400 * 0.3));
  for (const line of lines) {
    assert.deepEqual(Object.keys(line), ["router", "step", "id", "model", "propensity", "reward", "costUsd"]);
    assert.ok(typeof line.propensity === "number" && line.propensity > 0 && line.propensity <= 1);
  }
  for (const router of routers) {
    const ids = lines.filter((line) => line.router === router).map((line) => line.id);
    assert.equal(new Set(ids).size, steps, `${router}: every prompt streamed once`);
  }
  assert.ok(lines.filter((line) => line.router === "offline-knn").every((line) => line.propensity === 1));
  assert.match(first.stdout, /\| linucb\+warm \|/);
  for (const file of ["report.md", "report.json", "report.html"]) assert.ok(existsSync(join(work, "report", file)), file);
  assert.match(readFileSync(join(work, "report", "report.html"), "utf8"), /<svg[^>]*>.*Cumulative regret/s);
});

test("a budget run never spends more than the budget (its --decisions folder is created when missing)", () => {
  const out = join(work, "not-yet", "budget.jsonl");
  const result = cli("simulate", "--dataset", sample, "--router", "linucb+cold", "--seed", "3", "--budget-usd", "0.05", "--quality", "1", "--decisions", out);
  assert.equal(result.status, 0, result.stderr);
  const lines = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { router: string; costUsd: number });
  for (const router of ["offline-knn", "linucb+cold"]) {
    const spent = lines.filter((line) => line.router === router).reduce((sum, line) => sum + line.costUsd, 0);
    assert.ok(spent <= 0.05, `${router} spent ${spent}`);
  }
});

test("bad simulate flags are one-line errors naming the flag", () => {
  const out = join(work, "bad.jsonl");
  const cases: Array<[string[], number, RegExp]> = [
    [["--router", "linucb", "--scenario", "earthquake"], 1, /--scenario must be one of stationary, drift, price-change, price-cut, new-model/],
    [["--router", "telepathy"], 1, /--router: unknown router "telepathy"/],
    [["--router", "linucb+lukewarm"], 1, /--router: "linucb\+lukewarm"/],
    [["--router", "linucb", "--params", "{nope"], 2, /--params must be a JSON object/],
    [["--router", "linucb", "--params", '{"discount":7}'], 1, /linucb parameter "discount"/],
    [["--router", "linucb", "--history", "1"], 2, /--history must be strictly between 0 and 1/],
    [["--router", "linucb", "--history", "0"], 2, /--history must be strictly between 0 and 1/],
    [["--router", "linucb", "--offline-router", "oracle"], 1, /--offline-router/],
    [["--router", "linucb", "--anchors", "20"], 1, /--anchors applies to --scenario new-model only/],
    [["--router", "linucb", "--scenario", "new-model", "--anchors", "5000"], 1, /--anchors: at most the 70 prompts streamed before the new model arrives, got 5000/],
    [["--router", "linucb", "--scenario", "new-model", "--anchors", "-3"], 2, /--anchors/],
  ];
  for (const [args, status, message] of cases) {
    const result = cli("simulate", "--dataset", sample, "--decisions", out, ...args);
    assert.equal(result.status, status, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
});

test("train --warm-start builds a bandit artifact on an offline one; another embedder is refused naming --warm-start", () => {
  const offline = join(work, "knn.json");
  assert.equal(cli("train", "--dataset", sample, "--router", "knn", "--out", offline).status, 0);
  const warm = join(work, "warm.json");
  const trained = cli("train", "--router", "linucb", "--warm-start", offline, "--out", warm);
  assert.equal(trained.status, 0, trained.stderr);
  const artifact = JSON.parse(readFileSync(warm, "utf8")) as { router: { kind: string; prior: { kind: string; router: { kind: string } } } };
  assert.equal(artifact.router.kind, "linucb");
  assert.equal(artifact.router.prior.router.kind, "knn");
  const routed = cli("route", "--artifact", warm, "--prompt", "What is 2 + 2?");
  assert.equal(routed.status, 0, routed.stderr);
  const other = cli("train", "--router", "linucb", "--warm-start", offline, "--embedder", "word-vectors", "--out", join(work, "x.json"));
  assert.equal(other.status, 1);
  assert.match(other.stderr, /--warm-start .* was trained with the hashed-tfidf embedder, not the requested word-vectors/);
  const noData = cli("train", "--router", "linucb", "--out", join(work, "y.json"));
  assert.equal(noData.status, 2);
  assert.match(noData.stderr, /--dataset or --log is required/);
});
