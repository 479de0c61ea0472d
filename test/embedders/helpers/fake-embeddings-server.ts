import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake server received. */
export interface RecordedEmbeddingsRequest {
  authorization: string | undefined;
  body: { model?: string; input?: string[]; encoding_format?: string; dimensions?: number };
}

/** A scripted answer for the next request instead of the normal one. */
export type ScriptedAnswer =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { hang: true };

/** A real OpenAI-compatible `/v1/embeddings` server on 127.0.0.1 with deterministic vectors. */
export interface FakeEmbeddingsServer {
  baseUrl: string;
  requests: RecordedEmbeddingsRequest[];
  /** Answers to give, in order, before answering normally again. */
  script: ScriptedAnswer[];
  /** Answer with base64 embeddings whatever the client asked for. */
  base64: boolean;
  close(): Promise<void>;
}

/** The server's (unnormalised) vector of a text: `dimension` numbers derived from sha256(text). */
export function fakeVector(text: string, dimension: number): number[] {
  const digest = createHash("sha256").update(text).digest();
  return Array.from({ length: dimension }, (_, index) => (digest[index % digest.length]! - 127.5) / 10);
}

/** Starts the server on a free loopback port. */
export async function startFakeEmbeddingsServer(dimension = 8): Promise<FakeEmbeddingsServer> {
  const hanging = new Set<ServerResponse>();
  const state: Omit<FakeEmbeddingsServer, "baseUrl" | "close"> = { requests: [], script: [], base64: false };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RecordedEmbeddingsRequest["body"];
      state.requests.push({ authorization: request.headers.authorization, body });
      const scripted = state.script.shift();
      if (scripted && "hang" in scripted) {
        hanging.add(response);
        return;
      }
      if (scripted) {
        response.writeHead(scripted.status, { "content-type": "application/json", ...scripted.headers });
        response.end(scripted.body ?? JSON.stringify({ error: { message: `scripted ${scripted.status}`, type: "test" } }));
        return;
      }
      if (request.url !== "/v1/embeddings" || !Array.isArray(body.input)) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: `no route ${request.url}` } }));
        return;
      }
      const size = body.dimensions ?? dimension;
      // Answer in reverse order with explicit indices, as some servers do.
      const data = body.input
        .map((text, index) => {
          const values = fakeVector(text, size);
          const embedding = state.base64 ? Buffer.from(Float32Array.from(values).buffer).toString("base64") : values;
          return { object: "embedding", index, embedding };
        })
        .reverse();
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ object: "list", data, model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
