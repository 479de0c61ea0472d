import type { HostileCase } from "./hostile-kit.js";

const body = JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] });
/** A raw request: request line, headers (Host and the KEY added unless `bare`), blank line, body. */
export function rawRequest(lines: string[], payload = "", options: { bare?: boolean } = {}): string {
  const headers = options.bare ? lines : [lines[0] as string, "host: gateway", "authorization: Bearer KEY", "connection: close", ...lines.slice(1)];
  return `${headers.join("\r\n")}\r\n\r\n${payload}`;
}
const post = (extra: string[], payload = body) => rawRequest(["POST /v1/chat/completions HTTP/1.1", "content-type: application/json", ...extra], payload);
const malformed = (name: string, raw: string, status = 400, code = "invalid_request"): HostileCase => ({ name: `raw: ${name}`, raw, status, code });

/** Malformed HTTP: Node's parser refuses it, the gateway answers in JSON. */
const malformedHttp: HostileCase[] = [
  malformed("garbage request line", "GARBAGE\r\n\r\n"),
  malformed("bad HTTP version", "POST /v1/chat/completions HTTP/9.9\r\nhost: x\r\n\r\n"),
  malformed("HTTP/2 preface on HTTP/1", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
  malformed("TLS hello on the plain port", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"),
  malformed("lower-case method", rawRequest(["post /v1/chat/completions HTTP/1.1"])),
  malformed("unknown method", rawRequest(["FROB /v1/chat/completions HTTP/1.1"])),
  malformed("space in the path", rawRequest(["GET /v1/mod els HTTP/1.1"])),
  malformed("header without colon", rawRequest(["POST /v1/chat/completions HTTP/1.1", "no-colon-here"])),
  malformed("CR inside a header value", rawRequest(["POST /v1/chat/completions HTTP/1.1", "x-request-id: a\rinjected: 1"])),
  malformed("LF inside a header value", rawRequest(["POST /v1/chat/completions HTTP/1.1", "x-request-id: a\ninjected: 1"])),
  malformed("NUL in a header value", rawRequest(["POST /v1/chat/completions HTTP/1.1", "x-request-id: a\u0000b"])),
  malformed("space before the colon", rawRequest(["POST /v1/chat/completions HTTP/1.1", "content-type : application/json"])),
  malformed("obsolete line folding", rawRequest(["POST /v1/chat/completions HTTP/1.1", "x-a: 1", " folded: 2"])),
  malformed("content-length and chunked (smuggling)", post(["content-length: 4", "transfer-encoding: chunked"], "0\r\n\r\n")),
  malformed("two different content-lengths", post(["content-length: 4", "content-length: 5"], "abcd")),
  malformed("negative content-length", post(["content-length: -1"], "")),
  malformed("non-numeric content-length", post(["content-length: abc"], "")),
  malformed("content-length with a plus sign", post(["content-length: +5"], "abcde")),
  malformed("invalid chunk size", post(["transfer-encoding: chunked"], "zz\r\n{}\r\n0\r\n\r\n")),
  malformed("transfer-encoding not ending in chunked", post(["transfer-encoding: gzip"], "")),
  malformed("chunk size overflow", post(["transfer-encoding: chunked"], "ffffffffffffffffffff\r\nx\r\n0\r\n\r\n")),
  malformed("oversized headers", rawRequest(["GET /v1/models HTTP/1.1", `x-big: ${"a".repeat(20_000)}`]), 431, "headers_too_large"),
  malformed("oversized request line", rawRequest([`GET /v1/${"a".repeat(20_000)} HTTP/1.1`]), 431, "headers_too_large"),
  malformed("many small headers", rawRequest(["GET /v1/models HTTP/1.1", ...Array.from({ length: 3_000 }, (_, index) => `x-h${index}: v`)]), 431, "headers_too_large"),
  malformed("HTTP/1.1 without Host", rawRequest(["GET /healthz HTTP/1.1", "connection: close"], "", { bare: true })),
];

/** `Expect`: 100-continue works, anything else is a JSON 417. */
const expectations: HostileCase[] = [
  { name: "raw: expect 100-continue is honoured", raw: post(["expect: 100-continue", `content-length: ${body.length}`]), status: 200, code: null },
  ...["foo", "200-ok", "101-switching", "x".repeat(100)].map((value): HostileCase => ({ name: `raw: expect ${value.slice(0, 20)}`, raw: post([`expect: ${value}`, `content-length: ${body.length}`]), status: 417, code: "expectation_failed" })),
];

/** Valid but unusual framing: served. */
const framing: HostileCase[] = [
  { name: "raw: chunked body", raw: post(["transfer-encoding: chunked"], `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`), status: 200, code: null },
  { name: "raw: chunked body in one-byte chunks with extensions", raw: post(["transfer-encoding: chunked"], `${[...body].map((char) => `1;ext=1\r\n${char}\r\n`).join("")}0\r\n\r\n`), status: 200, code: null },
  { name: "raw: chunked body with a trailer", raw: post(["transfer-encoding: chunked"], `${body.length.toString(16)}\r\n${body}\r\n0\r\nx-trailer: 1\r\n\r\n`), status: 200, code: null },
  { name: "raw: HTTP/1.0 without Host", raw: rawRequest(["GET /healthz HTTP/1.0"], "", { bare: true }), status: 200, code: null },
  { name: "raw: declared length over the limit, body never sent", raw: post(["content-length: 99999999999"], ""), status: 413, code: "payload_too_large" },
  { name: "raw: absolute-form request target", raw: rawRequest(["GET http://gateway/healthz HTTP/1.1"]), status: 200, code: null },
  // Two credentials are ambiguous: refused, whichever one is valid.
  { name: "raw: duplicate authorization headers", raw: rawRequest(["GET /v1/models HTTP/1.1", "authorization: Bearer other"]), status: 401, code: "unauthorized" },
];

/** Every protocol-level case. */
export const protocolCases: HostileCase[] = [...malformedHttp, ...expectations, ...framing];
