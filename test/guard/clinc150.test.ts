import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { trainOutOfDomainDetector } from "../../src/guard/out-of-domain-detector.js";
import { sharedData } from "../helpers/shared-data.js";

const clinc = sharedData("guard/clinc150.json");
const domains = sharedData("guard/clinc150-domains.json");

test("CLINC150 as a router over its 10 domains: ≥ 0.90 domain accuracy on a test subset", { skip: clinc.skip || domains.skip }, async (t) => {
  const data = JSON.parse(readFileSync(clinc.path, "utf8")) as Record<string, [string, string][]>;
  const domainOf = new Map(Object.entries(JSON.parse(readFileSync(domains.path, "utf8")) as Record<string, string[]>).flatMap(([domain, intents]) => intents.map((intent) => [intent, domain] as const)));
  // A subset keeps this fast: 40 of the 100 training utterances per intent, every 5th test utterance.
  const perIntent = new Map<string, number>();
  const train = data.train!.filter(([, intent]) => {
    const seen = perIntent.get(intent) ?? 0;
    perIntent.set(intent, seen + 1);
    return seen < 40;
  });
  const detector = await trainOutOfDomainDetector(
    train.map(([text, intent]) => ({ text, route: domainOf.get(intent)!, label: intent })),
    [],
    { seed: 1, hiddenUnits: 64, epochs: 4, hashing: { dimension: 1 << 16 } },
  );
  assert.equal(detector.routes.length, 10);
  const testItems = data.test!.filter((_, index) => index % 5 === 0);
  const verdicts = await detector.classifyMany(testItems.map(([text]) => text));
  const accuracy = verdicts.filter((verdict, index) => verdict.route === domainOf.get(testItems[index]![1])).length / testItems.length;
  t.diagnostic(`domain accuracy ${accuracy.toFixed(3)}`);
  assert.ok(accuracy >= 0.9, `domain accuracy ${accuracy.toFixed(3)} < 0.90`);
});
