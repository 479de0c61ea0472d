/**
 * The replay upstream over one routing dataset, as a child process for the rollout benchmark (so it does
 * not share an event loop with the gateway or the load generator). Answers prompts the dataset has no
 * recorded answer for with a fixed text. Prints `READY <url>`.
 *   npx tsx benchmarks/rollout-replay-upstream.ts --dataset ../shared/data/dcrouter/dataset.jsonl
 */
import { readRoutingJsonl } from "../src/data/read-routing-jsonl.js";
import { startReplayUpstream } from "../src/testing/index.js";

const datasetIndex = process.argv.indexOf("--dataset");
const path = process.argv[datasetIndex + 1];
if (datasetIndex < 0 || path === undefined) throw new Error("usage: rollout-replay-upstream.ts --dataset FILE");
const { examples } = await readRoutingJsonl(path);
const replay = await startReplayUpstream({ examples, fallback: { text: "The answer is 4." } });
process.stdout.write(`READY ${replay.url}\n`);
process.on("SIGTERM", () => void replay.close().then(() => process.exit(0)));
