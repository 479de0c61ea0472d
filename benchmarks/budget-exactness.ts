/**
 * Budget exactness at scale: 10,000 randomized requests, 64 at a time, against keys with small budgets,
 * through a real gateway (SQLite store with its journal) over an upstream that bills whatever each
 * request allows — or, for 30% of them, misbehaves (reports 1.5× that, negative, non-numeric, absurd or
 * no usage).
 *
 *   npx tsx benchmarks/budget-exactness.ts [--requests 10000] [--keys 50] [--concurrency 64] [--seed 7]
 *
 * Per key: spend ≤ budget + tolerance, where the tolerance is what upstreams reported above the
 * request's worst case (the gateway never bills less than an upstream reports); the ledger equals the
 * sum of the key's trace costs; no negative or NaN usage stored.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "../src/core/random.js";
import { createSqliteStore } from "../src/stores/sqlite/sqlite-store.js";
import { checkLedger, randomRequest, send, startBillingGateway, startBillingUpstream, type ClientOutcome } from "../test/gateway-production/billing-harness.js";

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const total = argument("requests", 10_000);
const keyCount = argument("keys", 50);
const concurrency = argument("concurrency", 64);
const random = createRandom(argument("seed", 7));

const directory = await mkdtemp(join(tmpdir(), "switchyard-budget-"));
const upstream = await startBillingUpstream();
const store = createSqliteStore({ path: join(directory, "switchyard.db"), journal: true });
const { gateway, config } = await startBillingGateway(upstream.baseUrl, store);
const keys = await Promise.all(
  Array.from({ length: keyCount }, async (_, index) => {
    const budgetUsd = Number((0.005 + random() * 0.5).toFixed(6));
    const created = await gateway.services.keys.create({ name: `budget-${index}`, budgetUsd, budgetPeriod: "total" });
    return { ...created, budgetUsd, outcomes: [] as ClientOutcome[] };
  }),
);
const requests = Array.from({ length: total }, () => ({ key: keys[Math.floor(random() * keys.length)] as (typeof keys)[number], request: randomRequest(random) }));
const started = performance.now();
let next = 0;
let failures = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const { key, request } = requests[next++] as (typeof requests)[number];
      const outcome = await send(gateway.url, key.key, request);
      if (outcome.status !== 200 && outcome.status !== 429) failures++;
      key.outcomes.push(outcome);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
let overspent = 0;
let worstOverspend = 0;
let served = 0;
let refused = 0;
let spent = 0;
let budget = 0;
let tolerance = 0;
let ledgerGap = 0;
let invalid = 0;
for (const key of keys) {
  const check = await checkLedger(gateway, config, key.record.id, key.budgetUsd, key.outcomes);
  if (check.overspendUsd > 0) overspent++;
  worstOverspend = Math.max(worstOverspend, check.overspendUsd);
  served += check.served;
  refused += check.refused;
  spent += check.spentUsd;
  budget += check.budgetUsd;
  tolerance += check.toleranceUsd;
  ledgerGap = Math.max(ledgerGap, check.ledgerVsTracesUsd);
  invalid += check.invalidRecords;
}
await gateway.close();
await store.close();
await upstream.close();
await rm(directory, { recursive: true, force: true });

const modes = new Map<string, number>();
for (const { request } of requests) modes.set(request.mode, (modes.get(request.mode) ?? 0) + 1);
console.log(`budget exactness — ${total} randomized requests, ${concurrency} concurrent, ${keyCount} keys (budgets $0.005–$0.505), SQLite store, Node ${process.version}, ${seconds.toFixed(1)} s`);
console.log(`upstream billing: ${[...modes].map(([mode, count]) => `${mode} ${count}`).join(", ")}`);
console.log("| keys over budget + tolerance | largest overspend beyond tolerance | served | refused (429 budget_exceeded) | other statuses | Σ spent | Σ budgets | Σ tolerance (over-reported above worst case) | max |ledger − Σ trace costs| | negative/NaN records |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
console.log(`| ${overspent} / ${keyCount} | $${worstOverspend.toFixed(9)} | ${served} | ${refused} | ${failures} | $${spent.toFixed(6)} | $${budget.toFixed(6)} | $${tolerance.toFixed(6)} | $${ledgerGap.toExponential(2)} | ${invalid} |`);
