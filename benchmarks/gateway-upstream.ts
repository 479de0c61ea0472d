/**
 * A fast OpenAI-compatible upstream for the gateway benchmarks: answers every chat completion with the
 * same small completion (or its SSE stream, usage chunk included when asked) as fast as Node can.
 * Run as a child process so it does not share an event loop with the gateway or the load generator:
 *   npx tsx benchmarks/gateway-upstream.ts [--port 0]   (prints `READY http://127.0.0.1:PORT`)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const portIndex = process.argv.indexOf("--port");
const port = portIndex >= 0 ? Number(process.argv[portIndex + 1]) : 0;
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

function events(model: string, includeUsage: boolean): string {
  const chunk = (choices: unknown[], usage?: unknown) =>
    `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model, choices, ...(includeUsage ? { usage: usage ?? null } : {}) })}\n\n`;
  const pieces = ["The answer ", "is 4. Two plus ", "two equals four."];
  let out = chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
  for (const piece of pieces) out += chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
  out += chunk([{ index: 0, delta: {}, finish_reason: "stop" }]);
  if (includeUsage) out += chunk([], { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 });
  return `${out}data: [DONE]\n\n`;
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
      response.end(events(model, body.stream_options?.include_usage === true));
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
