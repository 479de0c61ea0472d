import { connect } from "node:net";
import { Readable } from "node:stream";
import { request } from "undici";
import { parseConfig } from "../../src/gateway/config.js";
import type { GatewayConfig } from "../../src/gateway/config.js";
import type { GatewayLogger } from "../../src/gateway/gateway-logger.js";
import { startGateway } from "../../src/gateway/serve.js";
import type { GatewayServer } from "../../src/gateway/serve.js";
import { createAdminKey } from "../../src/limits/admin-key.js";
import { orderedEngine } from "../gateway-production/scripted-upstream.js";
import { startHostileUpstream, type HostileUpstream } from "./hostile-upstream.js";

/** The admin key of the hostile gateway. */
export const adminSecret = "hostile-admin-key-0123456789abcdef";

/** One hostile request and what the gateway must answer. */
export interface HostileCase {
  name: string;
  method?: string;
  path?: string;
  /** Default: JSON content type and the `KEY` key. Values starting with KEY, LIMITED, REVOKED or ADMIN get that secret. */
  headers?: Record<string, string>;
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
  /** Raw bytes on a fresh socket instead of an HTTP client request. */
  raw?: string | Uint8Array;
  /** Expected HTTP status. */
  status: number;
  /** Expected `error.code` (an OpenAI-shaped JSON error body is then required); null: a success body. */
  code: string | null;
  /** Expected `error.param`, when it matters. */
  param?: string;
  /** Further checks on the answer; return a problem, or undefined. */
  check?: (answer: HostileAnswer) => string | undefined | Promise<string | undefined>;
}

/** What came back. */
export interface HostileAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A line the recording logger saw. */
export interface LoggedLine {
  level: "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

/** The hostile gateway: two hostile upstreams `a` (cheaper, first choice) and `b`, keys, a recording logger. */
export interface HostileGateway {
  gateway: GatewayServer;
  config: GatewayConfig;
  upstreams: { a: HostileUpstream; b: HostileUpstream };
  secrets: Record<string, string>;
  lines: LoggedLine[];
  close(): Promise<void>;
}

/** Starts the gateway the hostile suites share; `extra` is merged into its config. */
export async function startHostileGateway(extra: Record<string, unknown> = {}, upstreamExtra: Record<string, unknown> = {}): Promise<HostileGateway> {
  const upstreams = { a: await startHostileUpstream(), b: await startHostileUpstream() };
  const { server: serverExtra, ...rest } = extra as { server?: Record<string, unknown> };
  const config = parseConfig(
    {
      server: { maxBodyBytes: 16_384, headersTimeoutMs: 400, requestTimeoutMs: 800, ...serverExtra },
      upstreams: Object.entries(upstreams).map(([name, upstream]) => ({ name, baseUrl: upstream.baseUrl, timeoutMs: 300, connectTimeoutMs: 500, totalTimeoutMs: 2_000, maxResponseBytes: 65_536, ...upstreamExtra })),
      targets: [
        { id: "a", upstream: "a", inputUsdPerMTok: 1, outputUsdPerMTok: 2, contextWindow: 8_000 },
        { id: "b", upstream: "b", inputUsdPerMTok: 5, outputUsdPerMTok: 10, contextWindow: 8_000 },
      ],
      resilience: {
        retry: { retriesPerTarget: 1, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 50, maxAttempts: 6 },
        // A hostile upstream fails on purpose case after case: the breakers must not change later cases.
        breaker: { failureThreshold: 100_000, failureRate: 1, windowMs: 1_000, cooldownMs: 1, maxCooldownMs: 1, syncIntervalMs: 60_000 },
      },
      traces: { flushIntervalMs: 20 },
      ...rest,
    },
    "hostile-test.yaml",
  );
  const lines: LoggedLine[] = [];
  const record = (level: LoggedLine["level"]) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  const logger: GatewayLogger = { info: record("info"), warn: record("warn"), error: record("error") };
  const gateway = await startGateway({
    config,
    engine: orderedEngine(config.targets, { predictedCostUsd: (target) => (target.id === "a" ? 0.001 : 0.005) }),
    port: 0,
    logger,
    logRequests: false,
    adminKey: createAdminKey({ env: { SWITCHYARD_ADMIN_KEY: adminSecret } }),
  });
  const secrets: Record<string, string> = { ADMIN: adminSecret };
  secrets.KEY = (await gateway.services.keys.create({ name: "hostile" })).key;
  secrets.LIMITED = (await gateway.services.keys.create({ name: "limited", models: ["a"] })).key;
  const revoked = await gateway.services.keys.create({ name: "revoked" });
  await gateway.services.keys.revoke("revoked");
  secrets.REVOKED = revoked.key;
  return {
    gateway,
    config,
    upstreams,
    secrets,
    lines,
    async close() {
      await gateway.close();
      await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
    },
  };
}

/** `{ ...headers }` with the KEY / LIMITED / REVOKED / ADMIN placeholders replaced by secrets. */
export function withSecrets(headers: Record<string, string>, secrets: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    let replaced = value;
    for (const [placeholder, secret] of Object.entries(secrets)) replaced = replaced.replace(new RegExp(`\\b${placeholder}\\b`), secret);
    out[name] = replaced;
  }
  return out;
}

/** Sends raw bytes on a fresh connection; the answer is the last non-1xx response on it. */
export function sendRaw(url: string, payload: string | Uint8Array, options: { timeoutMs?: number } = {}): Promise<HostileAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const parts: Buffer[] = [];
    socket.setTimeout(options.timeoutMs ?? 3_000, () => socket.destroy());
    socket.on("data", (chunk: Buffer) => parts.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? undefined : reject(error)));
    socket.on("close", () => resolve(parseRawAnswer(Buffer.concat(parts).toString("latin1"))));
    socket.write(payload);
  });
}

/** Splits raw HTTP/1.1 output into its last final response (skipping `100 Continue`). */
export function parseRawAnswer(text: string): HostileAnswer {
  let rest = text;
  while (/^HTTP\/1\.1 1\d\d /.test(rest)) rest = rest.slice(rest.indexOf("\r\n\r\n") + 4);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(rest)?.[1] ?? 0);
  const end = rest.indexOf("\r\n\r\n");
  const headers: Record<string, string> = {};
  for (const line of rest.slice(0, end < 0 ? rest.length : end).split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = end < 0 ? "" : rest.slice(end + 4);
  if (headers["transfer-encoding"] === "chunked") body = body.replace(/(?:^|\r\n)[0-9a-f]+\r\n/gi, "").replace(/\r\n$/, "");
  return { status, headers, text: body };
}

/** Sends one case and checks the answer; resolves with the problems found (empty when it passed). */
export async function runCase(hostile: HostileGateway, item: HostileCase): Promise<string[]> {
  let answer: HostileAnswer;
  if (item.raw !== undefined) {
    answer = await sendRaw(hostile.gateway.url, typeof item.raw === "string" ? item.raw.replace(/\bBearer KEY\b/g, `Bearer ${hostile.secrets.KEY}`) : item.raw);
  } else {
    const headers = withSecrets(item.headers ?? { "content-type": "application/json", authorization: "Bearer KEY" }, hostile.secrets);
    const method = item.method ?? "POST";
    const response = await request(`${hostile.gateway.url}${item.path ?? "/v1/chat/completions"}`, {
      method: method as "POST",
      headers,
      body: method === "GET" || method === "HEAD" || method === "DELETE" ? undefined : typeof item.body === "string" || item.body instanceof Uint8Array || item.body === undefined ? item.body : Readable.from(item.body),
    });
    answer = { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  }
  const problems: string[] = [];
  const problem = (why: string) => problems.push(`${item.name}: ${why} (status ${answer.status}, body ${answer.text.slice(0, 200)})`);
  if (answer.status !== item.status) problem(`expected status ${item.status}`);
  if (item.code !== null) {
    let body: { error?: { message?: unknown; type?: unknown; param?: unknown; code?: unknown } } | undefined;
    try {
      body = JSON.parse(answer.text) as typeof body;
    } catch {
      problem("body is not JSON");
    }
    const error = body?.error;
    if (body !== undefined && (!error || typeof error.message !== "string" || typeof error.type !== "string" || !("param" in error) || !("code" in error))) problem("not OpenAI's error shape");
    else if (error !== undefined && error.code !== item.code) problem(`expected code ${item.code}, got ${String(error.code)}`);
    else if (error !== undefined && item.param !== undefined && error.param !== item.param) problem(`expected param ${item.param}, got ${String(error.param)}`);
  }
  if (/\n\s+at |node:internal/.test(answer.text)) problem("stack trace in the answer");
  for (const secret of Object.values(hostile.secrets)) if (answer.text.includes(secret)) problem("a secret in the answer");
  const extra = await item.check?.(answer);
  if (extra !== undefined) problem(extra);
  return problems;
}

/** Runs cases one after another; resolves with every problem found. */
export async function runCases(hostile: HostileGateway, cases: readonly HostileCase[], options: { before?: (item: HostileCase) => void } = {}): Promise<string[]> {
  const problems: string[] = [];
  for (const item of cases) {
    options.before?.(item);
    problems.push(...(await runCase(hostile, item)));
  }
  return problems;
}
