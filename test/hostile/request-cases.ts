import type { HostileCase } from "./hostile-kit.js";

/** A valid routed request. */
export const valid = { model: "auto", messages: [{ role: "user", content: "hi" }] };
const withField = (field: string, value: unknown) => JSON.stringify({ ...valid, [field]: value });
const withMessage = (message: unknown) => JSON.stringify({ ...valid, messages: [message] });
const withParts = (...parts: unknown[]) => withMessage({ role: "user", content: parts });
const nest = (depth: number, open: string, close: string, inner = "1") => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const utf8 = (text: string) => new TextEncoder().encode(text);
const join = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))));
const json = { "content-type": "application/json", authorization: "Bearer KEY" };

/** Bodies that are not JSON at all: 400 `invalid_json`. */
const syntax: HostileCase[] = ["", " ", "{", "}", "[", "nul", "{'model': 'auto'}", '{"model": }', '{"model": "auto",}', '{"model": NaN}', '{"model": Infinity}', "undefined", '{"a": 1} // comment', '{"a": 1} {"b": 2}', '"\\ud800"x', "\u0000", '{"model": "auto", "messages": [}', '{"a":"\\x41"}', '{"a": 01}'].map(
  (body) => ({ name: `invalid JSON ${JSON.stringify(body)}`, body, status: 400, code: "invalid_json" }),
);

/** JSON that is not a request object: 400 `invalid_request`. */
const shapes: HostileCase[] = ["\ufeff{}", "[]", "1", '"text"', "null", "true", "[{}]", "{}", '{"messages": []}', '{"model": "auto"}', '{"messages": [{"role": "user", "content": "x"}]}'].map((body) => ({
  name: `not a request: ${body}`,
  body,
  status: 400,
  code: "invalid_request",
}));

/** Bytes that are not UTF-8 JSON: 400 `invalid_json`. */
const encodings: HostileCase[] = [
  ["0xff", [0xff]],
  ["overlong NUL", [0xc0, 0x80]],
  ["encoded surrogate", [0xed, 0xa0, 0x80]],
  ["truncated sequence", [0xe2, 0x82]],
  ["lone continuation byte", [0x80]],
  ["5-byte sequence", [0xf8, 0x88, 0x80, 0x80, 0x80]],
].map(([name, bytes]) => ({ name: `invalid UTF-8: ${String(name)}`, body: join('{"model": "auto", "messages": [{"role": "user", "content": "', bytes as number[], '"}]}'), status: 400, code: "invalid_json" }));
encodings.push({ name: "UTF-16 body", body: new Uint8Array(Buffer.from(JSON.stringify(valid), "utf16le")), status: 400, code: "invalid_json" });

/** Deep nesting, refused by the pre-scan before parsing (limit 64): 400 `invalid_json`; 64 itself passes. */
const deepCase = (name: string, body: string): HostileCase =>
  // Bodies over the 16 KiB limit are refused by size first; the rest by the depth pre-scan.
  Buffer.byteLength(body) > 16_384 ? { name, body, status: 413, code: "payload_too_large" } : { name, body, status: 400, code: "invalid_json" };
const depth: HostileCase[] = [65, 100, 5_000, 500_000].flatMap((levels) =>
  [
    ["arrays", "[", "]"],
    ["objects", '{"a":', "}"],
  ].flatMap(([kind, open, close]) => [
    deepCase(`${kind} nested ${levels} deep in an unknown field`, `{"model": "auto", "messages": [{"role": "user", "content": "x"}], "x": ${nest(levels - 1, open as string, close as string)}}`),
    deepCase(`${kind} nested ${levels} deep as content`, `{"model": "auto", "messages": [{"role": "user", "content": ${nest(levels - 3, open as string, close as string)}}]}`),
  ]),
);
depth.push(
  { name: "brackets inside strings do not count", body: JSON.stringify({ ...valid, metadata: { note: "[".repeat(500) + "{".repeat(500) } }), status: 200, code: null },
  { name: "escaped quotes inside strings do not end them", body: JSON.stringify({ ...valid, metadata: { note: `\\"${"[".repeat(200)}` } }), status: 200, code: null },
  { name: "nesting exactly at the limit (64) passes", body: `{"model": "auto", "messages": [{"role": "user", "content": "x"}], "metadata": ${nest(63, "[", "]")}}`, status: 200, code: null },
);

/** Bodies over the limit (16 KiB here): 413 naming `server.maxBodyBytes`. */
async function* trickle(total: number): AsyncGenerator<Uint8Array> {
  const piece = utf8(" ".repeat(1_024));
  for (let sent = 0; sent < total; sent += piece.length) yield piece;
}
const namesMaxBody = (answer: { text: string }) => (/server\.maxBodyBytes/.test(answer.text) ? undefined : "the 413 does not name server.maxBodyBytes");
const sizes: HostileCase[] = [
  { name: "declared body over the limit", body: JSON.stringify({ ...valid, messages: [{ role: "user", content: "x".repeat(20_000) }] }), status: 413, code: "payload_too_large", check: namesMaxBody },
  { name: "many messages over the limit", body: JSON.stringify({ ...valid, messages: Array.from({ length: 2_000 }, () => ({ role: "user", content: "hello" })) }), status: 413, code: "payload_too_large", check: namesMaxBody },
  { name: "chunked body over the limit", body: trickle(40_000), status: 413, code: "payload_too_large", check: namesMaxBody },
  { name: "prompt over every context window", body: JSON.stringify({ ...valid, messages: [{ role: "user", content: "word ".repeat(3_000) }], max_tokens: 5_000 }), status: 422, code: "no_candidates" },
];

/** Content types other than JSON: 415. */
const contentTypes: HostileCase[] = [undefined, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json", "application/jsonx", "", "application/json-patch", "*/*"].map((type): HostileCase => ({
  name: `content-type ${JSON.stringify(type)}`,
  headers: type === undefined ? { authorization: "Bearer KEY" } : ({ "content-type": type, authorization: "Bearer KEY" } as Record<string, string>),
  body: JSON.stringify(valid),
  status: 415,
  code: "unsupported_media_type",
}));
contentTypes.push({ name: "gzip-encoded JSON (not decoded by the gateway)", headers: { ...json, "content-encoding": "gzip" }, body: JSON.stringify(valid), status: 415, code: "unsupported_media_type" });

/** Fields of the API with a wrong type or range: 400 `invalid_request` naming the field. */
const wrongTypes: HostileCase[] = (
  [
    ["model", 42], ["model", null], ["model", ["auto"]], ["model", { id: "auto" }], ["model", ""], ["model", "m".repeat(300)],
    ["messages", "hi"], ["messages", { role: "user" }], ["messages", []], ["messages", [1]], ["messages", [null]], ["messages", [[]]],
    ["stream", "true"], ["stream", 1], ["stream_options", "x"], ["stream_options", { include_usage: "yes" }],
    ["temperature", "hot"], ["temperature", -1], ["temperature", 3], ["top_p", 2], ["top_p", -0.1],
    ["n", 0], ["n", -1], ["n", 1.5], ["n", 1_000],
    ["max_tokens", -1], ["max_tokens", 0], ["max_tokens", 1.5], ["max_tokens", "100"], ["max_completion_tokens", -5],
    ["presence_penalty", 5], ["frequency_penalty", -3], ["stop", 7], ["stop", ["a", "b", "c", "d", "e"]], ["stop", [1]],
    ["tools", "x"], ["tools", [1]], ["tools", [{}]], ["tools", [{ type: "function" }]], ["tools", [{ type: "function", function: {} }]], ["tools", [{ type: "function", function: { name: "f", parameters: "x" } }]],
    ["tool_choice", 1], ["tool_choice", "sometimes"], ["tool_choice", {}],
    ["response_format", "json"], ["response_format", { type: 1 }], ["response_format", {}],
    ["logit_bias", "x"], ["logit_bias", { "1": 500 }], ["seed", "x"], ["seed", 1.5], ["user", 1], ["user", "u".repeat(600)],
    ["logprobs", "x"], ["top_logprobs", 50], ["parallel_tool_calls", "x"],
    ["quality", "x"], ["quality", -1], ["quality", 2], ["allowed_models", "x"], ["allowed_models", [1]],
  ] as Array<[string, unknown]>
).map(([field, value]) => ({ name: `${field} = ${JSON.stringify(value).slice(0, 40)}`, body: withField(field, value), status: 400, code: "invalid_request" }));

/** Malformed messages: 400 `invalid_request`. */
const badMessages: HostileCase[] = [
  {}, { role: 7, content: "x" }, { role: "wizard", content: "x" }, { role: "", content: "x" }, { role: "SYSTEM", content: "x" }, { content: "no role" },
  { role: "user", content: 7 }, { role: "user", content: { text: "x" } }, { role: "user", content: true }, { role: "user", content: [1] },
  { role: "user", content: [{ text: "no type" }] }, { role: "user", content: [{ type: 5 }] }, { role: "user", content: [null] },
  { role: "assistant", tool_calls: "x" }, { role: "assistant", tool_calls: [{ function: { arguments: "{}" } }] }, { role: "user", content: "x", name: 5 },
].map((message) => ({ name: `message ${JSON.stringify(message).slice(0, 60)}`, body: withMessage(message), status: 400, code: "invalid_request" }));

/** Content parts validated per type; the param names the part. */
const part = (param: string, ...parts: unknown[]): HostileCase => ({ name: `content part ${JSON.stringify(parts.at(-1)).slice(0, 70)}`, body: withParts(...parts), status: 400, code: "invalid_request", param });
const text = { type: "text", text: "what is this?" };
const contentParts: HostileCase[] = [
  part("messages[0].content[0].text", { type: "text" }),
  part("messages[0].content[0].text", { type: "text", text: 5 }),
  part("messages[0].content[0].text", { type: "text", text: null }),
  part("messages[0].content[0].text", { type: "text", text: ["a"] }),
  part("messages[0].content[1].image_url.url", text, { type: "image_url" }),
  part("messages[0].content[1].image_url.url", text, { type: "image_url", image_url: "https://example.com/cat.png" }),
  part("messages[0].content[1].image_url.url", text, { type: "image_url", image_url: { url: 5 } }),
  part("messages[0].content[1].image_url.url", text, { type: "image_url", image_url: {} }),
  part("messages[0].content[1].image_url.detail", text, { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "ultra" } }),
  ...["video", "image", "input_image", "TEXT", "", "text ", "__proto__", "image_url\u0000"].map((type) => part("messages[0].content[1].type", text, { type, text: "x" })),
  part("messages[0].content[0].input_audio", { type: "input_audio" }),
  part("messages[0].content[0].input_audio", { type: "input_audio", input_audio: { data: "AAAA" } }),
  part("messages[0].content[0].file", { type: "file", file: {} }),
  part("messages[0].content[0].file", { type: "file" }),
  part("messages[0].content[0].refusal", { type: "refusal" }),
];
/** Image URLs outside the default policy (https and data only, no private hosts): 400 naming the URL's path. */
const imageUrls: HostileCase[] = [
  "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://example.com/cat.png", "http://example.com/cat.png", "javascript:alert(1)", "ws://example.com/x", "not a url", "//example.com/cat.png",
  "https://169.254.169.254/latest/meta-data/", "https://127.0.0.1/x.png", "https://127.1/x.png", "https://2130706433/x.png", "https://0x7f000001/x.png", "https://[::1]/x.png", "https://[fe80::1]/x.png",
  "https://[::ffff:127.0.0.1]/x.png", "https://[::ffff:169.254.169.254]/x", "https://10.0.0.1/x.png", "https://192.168.1.1/x.png", "https://172.16.0.1/x.png", "https://100.64.0.1/x.png", "https://0.0.0.0/x.png",
  "https://[fd00::1]/x.png", "https://localhost/x.png", "https://api.localhost/x.png", "https://metadata.google.internal/computeMetadata/v1/", "https://printer.local/x.png", "https://user:pass@example.com/cat.png",
  "data:text/html;base64,PHNjcmlwdD4=", "data:image/png,not-base64", "data:;base64,AAAA",
].map((url) => part("messages[0].content[1].image_url.url", text, { type: "image_url", image_url: { url } }));
/** Parts that are valid pass (200). */
const validParts: HostileCase[] = [
  [text],
  [text, { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } }],
  [text, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }],
  [{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }],
  [{ type: "file", file: { file_id: "file-abc" } }],
  [text, { type: "image_url", image_url: { url: "https://8.8.8.8/cat.png" } }],
].map((parts) => ({ name: `valid parts ${parts.map((item) => (item as { type: string }).type).join("+")}`, body: withParts(...parts), status: 200, code: null }));
validParts.push({ name: "assistant refusal part", body: JSON.stringify({ ...valid, messages: [{ role: "assistant", content: [{ type: "refusal", refusal: "no" }] }, { role: "user", content: "hi" }] }), status: 200, code: null });

/** Feedback with bad fields: 400; too large: 413 naming the feedback limit, not server.maxBodyBytes. */
const feedback: HostileCase[] = [
  ...[
    { request_id: "r", score: 0.5, extra: true }, { request_id: "r", score: 2 }, { request_id: "r", score: -0.1 }, { request_id: "r" }, { score: 1 },
    { request_id: 5, score: 1 }, { request_id: "r", score: "1" }, { request_id: "r", score: 1, label: 5 }, { request_id: "r".repeat(200), score: 1 },
  ].map((body): HostileCase => ({ name: `feedback ${JSON.stringify(body).slice(0, 60)}`, path: "/v1/feedback", body: JSON.stringify(body), status: 400, code: "invalid_request" })),
  { name: "feedback on an unknown request", path: "/v1/feedback", body: JSON.stringify({ request_id: "never-seen", score: 1 }), status: 404, code: "trace_not_found" },
  {
    name: "feedback body over its limit",
    path: "/v1/feedback",
    body: JSON.stringify({ request_id: "r", score: 1, label: "x".repeat(70_000) }),
    status: 413,
    code: "payload_too_large",
    check: (answer) => (/feedback/.test(answer.text) && !/server\.maxBodyBytes/.test(answer.text) ? undefined : "the 413 does not name the feedback limit"),
  },
];

/** Embeddings with bad fields. */
const embeddings: HostileCase[] = [
  ...[{ model: "a", input: 1 }, { model: "a", input: [] }, { model: "a", input: [[]] }, { model: "a", input: "x", encoding_format: "hex" }, { model: 5, input: "x" }, { model: "a", input: "x", dimensions: -1 }, { input: "x" }].map(
    (body): HostileCase => ({ name: `embeddings ${JSON.stringify(body)}`, path: "/v1/embeddings", body: JSON.stringify(body), status: 400, code: "invalid_request" }),
  ),
  ...[{ model: "nope", input: "x" }, { model: "auto", input: "x" }].map((body): HostileCase => ({ name: `embeddings ${JSON.stringify(body)}`, path: "/v1/embeddings", body: JSON.stringify(body), status: 404, code: "model_not_found" })),
];

/** Routes and methods. */
const routes: HostileCase[] = [
  { name: "GET chat completions", method: "GET", status: 405, code: "method_not_allowed" },
  { name: "PUT chat completions", method: "PUT", body: JSON.stringify(valid), status: 405, code: "method_not_allowed" },
  { name: "DELETE models", method: "DELETE", path: "/v1/models", status: 405, code: "method_not_allowed" },
  { name: "GET embeddings", method: "GET", path: "/v1/embeddings", status: 405, code: "method_not_allowed" },
  { name: "GET feedback", method: "GET", path: "/v1/feedback", status: 405, code: "method_not_allowed" },
  { name: "unknown route", path: "/v1/completions", body: JSON.stringify(valid), status: 404, code: "not_found" },
  { name: "path traversal", path: "/v1/../../etc/passwd", method: "GET", status: 404, code: "not_found" },
  { name: "encoded NUL in path", path: "/v1/chat%00/completions", body: JSON.stringify(valid), status: 404, code: "not_found" },
  { name: "very long path", path: `/v1/${"a".repeat(4_000)}`, method: "GET", status: 404, code: "not_found" },
  { name: "unknown model", body: withField("model", "gpt-9"), status: 404, code: "model_not_found", param: "model" },
  { name: "model id with slashes", method: "GET", path: "/v1/models/..%2F..%2Fetc", status: 404, code: "model_not_found" },
  { name: "empty allowed_models", body: withField("allowed_models", []), status: 422, code: "no_candidates" },
  { name: "query string on chat completions", path: "/v1/chat/completions?x=1", body: JSON.stringify(valid), status: 200, code: null },
];

/** Headers: keys, the quality header, request ids. */
const headerCases: HostileCase[] = [
  ...["NaN", "2", "-0.5", "1e309", "high", "0.5; drop table"].map((quality): HostileCase => ({ name: `x-switchyard-quality ${quality}`, headers: { ...json, "x-switchyard-quality": quality }, body: JSON.stringify(valid), status: 400, code: "invalid_request", param: "x-switchyard-quality" })),
  ...[
    ["no key", {}],
    ["Bearer without token", { authorization: "Bearer" }],
    ["wrong key", { authorization: "Bearer sy-wrongwrongwrongwrongwrongwrongwr" }],
    ["Basic auth", { authorization: "Basic c3k6eA==" }],
    ["key with trailing junk", { authorization: "Bearer KEY; x" }],
    ["wrong x-api-key", { "x-api-key": "sy-nope" }],
    ["SQL in key", { authorization: "Bearer ' OR 1=1 --" }],
    ["revoked key", { authorization: "Bearer REVOKED" }],
    ["admin key as an API key", { authorization: "Bearer ADMIN" }],
    ["a 10 KB key", { authorization: `Bearer sy-${"k".repeat(10_000)}` }],
    ["key in the wrong case scheme and spaces", { authorization: "bearer   sy-nope  " }],
  ].map(([name, headers]): HostileCase => ({ name: `auth: ${String(name)}`, headers: { "content-type": "application/json", ...(headers as Record<string, string>) }, body: JSON.stringify(valid), status: 401, code: "unauthorized" })),
  { name: "model the key may not use", headers: { ...json, authorization: "Bearer LIMITED" }, body: withField("model", "b"), status: 403, code: "forbidden" },
  { name: "no key on models", method: "GET", path: "/v1/models", headers: {}, status: 401, code: "unauthorized" },
  {
    name: "hostile x-request-id is replaced, not echoed",
    headers: { ...json, "x-request-id": `<script>${"x".repeat(300)}` },
    body: JSON.stringify(valid),
    status: 200,
    code: null,
    check: (answer) => (String(answer.headers["x-request-id"]).includes("<script>") ? "the hostile request id was echoed" : undefined),
  },
];

/** `/metrics`, `/readyz` and `/v1/models` exposure with keys. */
const exposure: HostileCase[] = [
  { name: "metrics without the admin key", method: "GET", path: "/metrics", headers: {}, status: 401, code: "unauthorized" },
  { name: "metrics with an API key", method: "GET", path: "/metrics", headers: { authorization: "Bearer KEY" }, status: 401, code: "unauthorized" },
  { name: "metrics with a wrong admin key", method: "GET", path: "/metrics", headers: { authorization: "Bearer hostile-admin-key-0123456789abcdeX" }, status: 401, code: "unauthorized" },
  {
    name: "metrics with the admin key: no secrets",
    method: "GET",
    path: "/metrics",
    headers: { authorization: "Bearer ADMIN" },
    status: 200,
    code: null,
    check: (answer) => (!/switchyard_requests_total/.test(answer.text) ? "no metrics" : /sy-[A-Za-z0-9_-]{20,}/.test(answer.text) ? "a key secret in the metrics" : undefined),
  },
  { name: "readyz without the admin key shows the status only", method: "GET", path: "/readyz", headers: {}, status: 200, code: null, check: (answer) => (answer.text === '{"status":"ready"}' ? undefined : "readyz shows more than its status") },
  { name: "readyz with the admin key shows the targets", method: "GET", path: "/readyz", headers: { authorization: "Bearer ADMIN" }, status: 200, code: null, check: (answer) => (/"targets":\{"a":"closed","b":"closed"\}/.test(answer.text) ? undefined : "no target detail") },
  {
    name: "models lists only what a limited key may use",
    method: "GET",
    path: "/v1/models",
    headers: { authorization: "Bearer LIMITED" },
    status: 200,
    code: null,
    check: (answer) => {
      const ids = (JSON.parse(answer.text) as { data: Array<{ id: string }> }).data.map((entry) => entry.id).join(",");
      return ids === "auto,a" ? undefined : `listed ${ids}`;
    },
  },
  { name: "a model the key may not use does not exist for it", method: "GET", path: "/v1/models/b", headers: { authorization: "Bearer LIMITED" }, status: 404, code: "model_not_found" },
  { name: "a model the key may use", method: "GET", path: "/v1/models/a", headers: { authorization: "Bearer LIMITED" }, status: 200, code: null },
  { name: "models with a full key lists everything", method: "GET", path: "/v1/models", headers: { authorization: "Bearer KEY" }, status: 200, code: null, check: (answer) => ((JSON.parse(answer.text) as { data: unknown[] }).data.length === 3 ? undefined : "not all models") },
];

/** Every request-level case (bodies, headers, routes, exposure). */
export const requestCases: HostileCase[] = [
  ...syntax, ...shapes, ...encodings, ...depth, ...sizes, ...contentTypes, ...wrongTypes, ...badMessages, ...contentParts, ...imageUrls, ...validParts, ...feedback, ...embeddings, ...routes, ...headerCases, ...exposure,
];
