import type { Command } from "commander";
import { loadDataset } from "../../data/load-dataset.js";
import { startReplayUpstream } from "../../testing/replay-upstream.js";
import { parseNumberOption } from "../usage-error.js";

/**
 * `switchyard replay --dataset FILE [--port P]`: serves a routing dataset's recorded answers as an
 * OpenAI-compatible upstream until SIGINT/SIGTERM, so a gateway (or any OpenAI client) can be tried
 * against real models' answers without API keys.
 */
export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("serve the recorded answers of a routing dataset as an OpenAI-compatible upstream (no API keys; for trials and tests)")
    .requiredOption("--dataset <file>", "routing dataset with recorded responses (JSONL, RouterBench CSV or a directory)")
    .option("--port <n>", "port (0 = any free port)", "8081")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--latency-ms <n>", "simulated upstream latency per request", "0")
    .option("--fallback-text <text>", "answer unknown prompts with this text instead of a 404 unknown_prompt error")
    .action(async (options: Record<string, string | undefined>) => {
      const port = parseNumberOption("--port", String(options.port), { min: 0, max: 65_535, integer: true });
      const latencyMs = parseNumberOption("--latency-ms", String(options.latencyMs), { min: 0, max: 600_000 });
      const dataset = await loadDataset(String(options.dataset));
      const withAnswers = dataset.examples.filter((example) => Object.values(example.outcomes).some((outcome) => typeof outcome.response === "string")).length;
      const replay = await startReplayUpstream({
        examples: dataset.examples,
        port,
        host: String(options.host),
        latencyMs,
        ...(options.fallbackText === undefined ? {} : { fallback: { text: options.fallbackText } }),
      });
      process.stdout.write(
        [
          `switchyard replay upstream listening on ${replay.url} (OpenAI base URL ${replay.url}/v1)`,
          `${dataset.models.length} models, ${dataset.examples.length} prompts (${withAnswers} with recorded answers) from ${dataset.source}`,
          `in switchyard.yaml: upstreams: [{ name: replay, baseUrl: "${replay.url}/v1" }]; target ids: ${dataset.models.join(", ")}`,
          "",
        ].join("\n"),
      );
      await new Promise<void>((done) => {
        const stop = (): void => void replay.close().then(done, done);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
