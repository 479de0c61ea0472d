/**
 * A fast OpenAI-compatible upstream for the gateway benchmarks: answers every chat completion with the
 * same small completion (or its SSE stream, usage chunk included when asked) as fast as Node can.
 * Run as a child process so it does not share an event loop with the gateway or the load generator:
 *   npx tsx benchmarks/gateway-upstream.ts [--port 0] [--events N]   (prints `READY http://127.0.0.1:PORT`)
 * With `--events N` (N ≥ 3) a stream has N data events (role, N − 2 content pieces, finish; plus the usage
 * chunk when asked) and each is written separately, as a real upstream's tokens arrive; without it the
 * 6-event stream is written in one piece.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const portIndex = process.argv.indexOf("--port");
const port = portIndex >= 0 ? Number(process.argv[portIndex + 1]) : 0;
const eventsIndex = process.argv.indexOf("--events");
const eventCount = eventsIndex >= 0 ? Math.max(3, Number(process.argv[eventsIndex + 1])) : 0;
const text = "The answer is 4. Two plus two equals four.";

function completion(model: string): string {
  return JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
    system_fingerprint: null,
  });
}

function events(model: string, includeUsage: boolean): string[] {
  const chunk = (choices: unknown[], usage?: unknown) =>
    `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model, choices, ...(includeUsage ? { usage: usage ?? null } : {}) })}\n\n`;
  const pieces = eventCount > 0 ? Array.from({ length: eventCount - 2 }, (_, i) => `${text.split(" ")[i % 9]} `) : ["The answer ", "is 4. Two plus ", "two equals four."];
  const out = [chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }])];
  for (const piece of pieces) out.push(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
  out.push(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
  if (includeUsage) out.push(chunk([], { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 }));
  out.push("data: [DONE]\n\n");
  return out;
}

/** Writes the events one by one, each after the previous one has been handed to the socket (a real upstream's pacing, without sleeps). */
function writeSeparately(response: import("node:http").ServerResponse, parts: string[]): void {
  let next = 0;
  const writeNext = (): void => {
    if (next === parts.length - 1) {
      response.end(parts[next]);
      return;
    }
    response.write(parts[next++] as string, () => setImmediate(writeNext));
  };
  writeNext();
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    let body: { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
    } catch {
      response.writeHead(400, { "content-type": "application/json" });
      response.end('{"error":{"message":"bad json","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }
    const model = body.model ?? "unknown";
    if (body.stream === true) {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const parts = events(model, body.stream_options?.include_usage === true);
      if (eventCount > 0) writeSeparately(response, parts);
      else response.end(parts.join(""));
      return;
    }
    const payload = completion(model);
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
    response.end(payload);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
