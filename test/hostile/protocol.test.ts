import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { request } from "undici";
import { runCases, sendRaw, startHostileGateway, type HostileGateway } from "./hostile-kit.js";
import { protocolCases, rawRequest } from "./protocol-cases.js";

/** Opens a socket, writes `payload`, then calls `then` with it (to trickle, pause or reset). */
function openSocket(url: string): Promise<import("node:net").Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on("error", reject);
  });
}

/** Collects what the server sends until it closes the socket (or `timeoutMs`). */
function readUntilClosed(socket: import("node:net").Socket, timeoutMs: number): Promise<{ text: string; closedByServer: boolean; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer: false, elapsedMs: Date.now() - started });
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closedByServer: true, elapsedMs: Date.now() - started });
    });
  });
}

const body = JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] });

describe("hostile protocol and connections: malformed HTTP, Expect, framing, slow and vanishing clients", { timeout: 60_000 }, () => {
  let hostile: HostileGateway;
  before(async () => {
    hostile = await startHostileGateway();
  });
  after(() => hostile.close());

  test(`${protocolCases.length} raw-socket cases`, async () => {
    assert.deepEqual(await runCases(hostile, protocolCases), []);
  });

  test("slow headers: 408 request_timeout in JSON after server.headersTimeoutMs, then the socket is closed", async () => {
    const socket = await openSocket(hostile.gateway.url);
    socket.write("POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\n");
    const answer = await readUntilClosed(socket, 5_000);
    assert.ok(answer.closedByServer, "the server closed the slow connection");
    assert.match(answer.text, /^HTTP\/1\.1 408 /);
    assert.match(answer.text, /"code":"request_timeout"/);
    assert.ok(answer.elapsedMs < 2_500, `closed after ${answer.elapsedMs} ms (headersTimeoutMs 400)`);
  });

  test("slow body: the request is cut after server.requestTimeoutMs, logged as client_closed, never a 500", async () => {
    const socket = await openSocket(hostile.gateway.url);
    socket.write(rawRequest(["POST /v1/chat/completions HTTP/1.1", "content-type: application/json", `content-length: ${body.length}`], body.slice(0, 10)).replace(/\bBearer KEY\b/, `Bearer ${hostile.secrets.KEY}`));
    const trickle = setInterval(() => socket.writable && socket.write(" "), 100);
    const answer = await readUntilClosed(socket, 5_000);
    clearInterval(trickle);
    assert.ok(answer.closedByServer);
    assert.ok(answer.elapsedMs < 3_000, `closed after ${answer.elapsedMs} ms (requestTimeoutMs 800)`);
    assert.match(answer.text, /^HTTP\/1\.1 408 /);
    assert.doesNotMatch(answer.text, / 500 /);
  });

  test("a client that disconnects mid-body or mid-headers: client_closed at info, no 500, no stack, nothing stored", async () => {
    const closedCount = async () => {
      const text = await (await fetch(`${hostile.gateway.url}/metrics`, { headers: { authorization: `Bearer ${hostile.secrets.ADMIN}` } })).text();
      return Number(/switchyard_rejected_requests_total\{endpoint="\/v1\/chat\/completions",code="client_closed"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closedBefore = await closedCount();
    await hostile.gateway.services.flush();
    const tracesBefore = (await hostile.gateway.services.store.traces.list()).length;
    const before = hostile.lines.length;
    for (let round = 0; round < 5; round++) {
      const socket = await openSocket(hostile.gateway.url);
      socket.write(rawRequest(["POST /v1/chat/completions HTTP/1.1", "content-type: application/json", "content-length: 1000"], body.slice(0, 20)).replace(/\bBearer KEY\b/, `Bearer ${hostile.secrets.KEY}`));
      await new Promise((resolve) => setTimeout(resolve, 30));
      socket.destroy();
      const half = await openSocket(hostile.gateway.url);
      half.write("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-");
      await new Promise((resolve) => setTimeout(resolve, 10));
      half.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = hostile.lines.slice(before);
    assert.deepEqual(lines.filter((line) => line.level !== "info"), [], "no warning or error");
    assert.equal(lines.filter((line) => line.message === "client_closed").length, 5);
    assert.ok(lines.every((line) => !JSON.stringify(line.fields).includes("stack")));
    assert.equal((await closedCount()) - closedBefore, 5, "each counted once as client_closed");
    const metrics = await (await fetch(`${hostile.gateway.url}/metrics`, { headers: { authorization: `Bearer ${hostile.secrets.ADMIN}` } })).text();
    assert.doesNotMatch(metrics, /status="500"/);
    await hostile.gateway.services.flush();
    assert.equal((await hostile.gateway.services.store.traces.list()).length, tracesBefore, "no trace stored");
  });

  test("a client that goes away mid-stream: the upstream call is cancelled and the trace says 499", async () => {
    hostile.upstreams.a.answer = (request) => ({ headers: { "content-type": "text/event-stream" }, chunks: Array.from({ length: 50 }, (_, index) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: request.model, choices: [{ index: 0, delta: { content: `p${index}` }, finish_reason: null }] })}\n\n`), chunkDelayMs: 20 });
    try {
      const response = await request(`${hostile.gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${hostile.secrets.KEY}`, "x-request-id": "mid-stream-leaver" },
        body: JSON.stringify({ model: "a", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      assert.equal(response.statusCode, 200);
      for await (const _chunk of response.body) break;
      response.body.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await hostile.gateway.services.flush();
      const trace = (await hostile.gateway.services.store.traces.list()).find((item) => item.clientRequestId === "mid-stream-leaver");
      assert.equal(trace?.status, 499);
    } finally {
      hostile.upstreams.a.answer = (await import("./hostile-upstream.js")).okAnswer;
    }
  });

  test("after all of it the gateway still serves, pipelined requests included", async () => {
    const two = `${rawRequest(["GET /healthz HTTP/1.1"], "", { bare: true }).replace("\r\n\r\n", "\r\nhost: x\r\n\r\n")}${rawRequest(["GET /healthz HTTP/1.1", "host: x", "connection: close"], "", { bare: true })}`;
    const answer = await sendRaw(hostile.gateway.url, two);
    assert.equal(answer.status, 200);
    const ok = await request(`${hostile.gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${hostile.secrets.KEY}` }, body });
    assert.equal(ok.statusCode, 200);
    await ok.body.dump();
    assert.deepEqual(hostile.lines.filter((line) => line.level === "error"), []);
  });
});
