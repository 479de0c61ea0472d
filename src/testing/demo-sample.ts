import { fileURLToPath } from "node:url";

/**
 * The sample the demo trains on, shipped with the package: 400 RouterBench prompts with 11 models'
 * recorded answers, scores and costs (source and licence in `examples/demo/NOTICE.md`).
 *
 * @example
 * const dataset = await loadDataset(demoSamplePath);
 */
// Two levels up from both src/testing and dist/testing is the package root.
export const demoSamplePath = fileURLToPath(new URL("../../examples/demo/routerbench-sample.jsonl", import.meta.url));
