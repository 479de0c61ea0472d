import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the hostile upstream answers to one request. */
export interface UpstreamAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** Whole body (default: a valid completion). */
  body?: string | Buffer;
  /** Body written piece by piece, `chunkDelayMs` apart (a stream). */
  chunks?: Array<string | Buffer>;
  chunkDelayMs?: number;
  /** Wait this long before the status line. */
  delayMs?: number;
  /** Reset the connection instead of answering (after `chunks`, when given). */
  destroy?: boolean;
}

/** A request the upstream saw. */
export interface SeenUpstreamRequest {
  path: string;
  body: Record<string, unknown>;
}

/** A loopback upstream whose answer each test case scripts (`answer`), recording what it saw. */
export interface HostileUpstream {
  baseUrl: string;
  seen: SeenUpstreamRequest[];
  /** Answer of the next requests (default {@link okAnswer}). */
  answer: (body: Record<string, unknown>) => UpstreamAnswer;
  close(): Promise<void>;
}

/** A valid chat completion for `body` with the given usage. */
export function completionText(body: Record<string, unknown>, usage: unknown = { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 }): string {
  return JSON.stringify({
    id: "chatcmpl-hostile",
    object: "chat.completion",
    created: 1_700_000_000,
    model: body.model,
    choices: [{ index: 0, message: { role: "assistant", content: "fine", refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage,
  });
}

/** One SSE chunk of a streamed completion. */
export function sseChunk(body: Record<string, unknown>, content: string): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-hostile", object: "chat.completion.chunk", created: 1_700_000_000, model: body.model, choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }] })}\n\n`;
}

/** A complete, valid SSE stream for `body`. */
export function sseStream(body: Record<string, unknown>, pieces: string[] = ["fi", "ne"], usage: unknown = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }): string[] {
  return [
    ...pieces.map((piece) => sseChunk(body, piece)),
    `data: ${JSON.stringify({ id: "chatcmpl-hostile", object: "chat.completion.chunk", created: 1_700_000_000, model: body.model, choices: [], usage })}\n\n`,
    "data: [DONE]\n\n",
  ];
}

/** The default answer: a valid completion (streamed when asked). */
export function okAnswer(body: Record<string, unknown>): UpstreamAnswer {
  return body.stream === true ? { headers: { "content-type": "text/event-stream" }, chunks: sseStream(body) } : { body: completionText(body) };
}

/** Starts a hostile upstream on 127.0.0.1:0. */
export async function startHostileUpstream(): Promise<HostileUpstream> {
  const open = new Set<ServerResponse>();
  const upstream = { seen: [] as SeenUpstreamRequest[], answer: okAnswer } as HostileUpstream;
  const respond = async (request: IncomingMessage, response: ServerResponse, body: Record<string, unknown>) => {
    const answer = upstream.answer(body);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (response.destroyed) return;
    if (answer.destroy && answer.chunks === undefined) {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
    if (answer.chunks === undefined) {
      response.end(answer.body ?? completionText(body));
      return;
    }
    for (const chunk of answer.chunks) {
      if (response.destroyed) return;
      response.write(chunk);
      if (answer.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, answer.chunkDelayMs));
    }
    if (answer.destroy) request.socket.destroy();
    else response.end();
  };
  const server: Server = createServer((request, response) => {
    open.add(response);
    response.on("close", () => open.delete(response));
    const parts: Buffer[] = [];
    request.on("data", (chunk: Buffer) => parts.push(chunk));
    request.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(parts).toString("utf8")) as Record<string, unknown>;
      } catch {
        body = {};
      }
      upstream.seen.push({ path: request.url ?? "", body });
      respond(request, response, body).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  upstream.close = async () => {
    for (const response of open) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return upstream;
}
