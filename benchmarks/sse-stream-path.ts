/**
 * The gateway's own per-chunk work on a streamed answer, in-process and without the HTTP layers (issue 19,
 * item 4): the upstream client's `[DONE]` watch, the SSE tap (usage event, `model` field) and the
 * delivered-token counter, over OpenAI-shaped streams of N separately delivered events, with the target's
 * name equal to the upstream's (bytes forwarded as they came) and different (spliced by bytes). CPU time
 * per chunk should be small and not grow with the stream's length.
 *
 *   npx tsx benchmarks/sse-stream-path.ts [--streams 20000] [--events 20,200]
 */
import { createDeliveredTokenCounter } from "../src/gateway/delivered-token-counter.js";
import { createSseStreamTap } from "../src/gateway/sse-stream-tap.js";
import { createDoneMarkerWatch } from "../src/providers/done-marker-watch.js";

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const streams = Number(argument("--streams") ?? 20_000);
const eventCounts = (argument("--events") ?? "20,200").split(",").map(Number);

/** A stream as an upstream writes it: role, content pieces, finish, usage, [DONE] — one chunk each. */
function streamOf(events: number): Buffer[] {
  const chunk = (choices: string, extra = "") =>
    Buffer.from(`data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1733400000,"model":"gpt-4o-2024-08-06","choices":${choices}${extra}}\n\n`);
  const chunks = [chunk('[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]')];
  for (let i = 0; i < events - 2; i++) chunks.push(chunk(`[{"index":0,"delta":{"content":" w${i}"},"finish_reason":null}]`));
  chunks.push(chunk('[{"index":0,"delta":{},"finish_reason":"stop"}]'));
  chunks.push(chunk("[]", `,"usage":{"prompt_tokens":12,"completion_tokens":${events - 2},"total_tokens":${events + 10}}`));
  chunks.push(Buffer.from("data: [DONE]\n\n"));
  return chunks;
}

function cpuPerChunk(chunks: Buffer[], model: string): number {
  const started = process.cpuUsage();
  let forwarded = 0;
  for (let s = 0; s < streams; s++) {
    const done = createDoneMarkerWatch();
    const delivered = createDeliveredTokenCounter(undefined);
    const tap = createSseStreamTap({ dropUsageChunk: true, onUsage: () => undefined, model, onForwardBytes: delivered.seeBytes });
    for (const chunk of chunks) {
      done.see(chunk);
      forwarded += tap.push(chunk)?.byteLength ?? 0;
    }
    forwarded += tap.flush()?.byteLength ?? 0;
    if (!done.seen()) throw new Error("[DONE] not seen");
  }
  const used = process.cpuUsage(started);
  if (forwarded === 0) throw new Error("nothing forwarded");
  return (used.user + used.system) / streams / chunks.length;
}

process.stdout.write(`| chunks per stream (events + usage + [DONE]) | target named as upstream: CPU µs per chunk | target renamed: CPU µs per chunk |\n|---|---|---|\n`);
for (const events of eventCounts) {
  const chunks = streamOf(events);
  cpuPerChunk(chunks, "gpt-4o-2024-08-06"); // warm-up
  const same: number[] = [];
  const renamed: number[] = [];
  for (let round = 0; round < 3; round++) {
    same.push(cpuPerChunk(chunks, "gpt-4o-2024-08-06"));
    renamed.push(cpuPerChunk(chunks, "gpt-4o"));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[1]!;
  process.stdout.write(`| ${chunks.length} | ${median(same).toFixed(2)} | ${median(renamed).toFixed(2)} |\n`);
}
process.stdout.write(`(${streams} streams per cell, median of 3; Node ${process.version})\n`);
