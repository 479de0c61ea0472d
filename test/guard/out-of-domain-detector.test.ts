import assert from "node:assert/strict";
import { test } from "node:test";
import { OutOfDomainDetector, trainOutOfDomainDetector } from "../../src/guard/out-of-domain-detector.js";
import { TextClassifier } from "../../src/guard/text-classifier.js";
import { toyExamples, toyOutOfDomain } from "./toy-domains.js";

const options = { seed: 3, hiddenUnits: 32, epochs: 40, hashing: { dimension: 1 << 14 } };

test("the detector routes in-domain utterances and gives out-of-domain ones low confidence", async () => {
  const detector = await trainOutOfDomainDetector(toyExamples, toyOutOfDomain.slice(0, 4), options);
  assert.deepEqual(detector.routes, ["banking", "cooking", "travel"]);
  const inDomain = await detector.classifyMany(["transfer money from my savings", "book a hotel in paris", "recipe for pancakes"]);
  assert.deepEqual(inDomain.map((verdict) => verdict.route), ["banking", "travel", "cooking"]);
  const outside = await detector.classifyMany(["who painted the mona lisa", "write a poem about the sea"]);
  for (const verdict of outside) assert.ok(verdict.score < Math.min(...inDomain.map((v) => v.score)), `${verdict.route} ${verdict.score}`);
  const strict = detector.withThresholds({ default: 0.5 });
  assert.equal((await strict.classify("book a flight to rome")).inDomain, true);
  assert.equal((await strict.classify("who painted the mona lisa")).inDomain, false);
});

test("the detector's artifact round-trips through JSON with its thresholds", async () => {
  const detector = (await trainOutOfDomainDetector(toyExamples, [], { ...options, epochs: 5 })).withThresholds({ perRoute: { travel: 0.7 }, default: 0.4 });
  const reloaded = await OutOfDomainDetector.fromArtifact(JSON.parse(JSON.stringify(detector.toArtifact())));
  assert.equal(reloaded.thresholdOf("travel"), 0.7);
  assert.equal(reloaded.thresholdOf("banking"), 0.4);
  const [a, b] = [await detector.classify("freeze my account"), await reloaded.classify("freeze my account")];
  assert.equal(a.route, b.route);
  assert.ok(Math.abs(a.score - b.score) < 1e-9);
});

test("bad artifacts and training data fail with clear errors", async () => {
  await assert.rejects(TextClassifier.fromArtifact({ format: "something-else" }), /text classifier artifact is invalid at format/);
  await assert.rejects(trainOutOfDomainDetector([{ text: "a b", route: "x", label: "i" }, { text: "c d", route: "y", label: "i" }]), /appears under two routes/);
});
