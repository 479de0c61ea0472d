import type { IncomingMessage, ServerResponse } from "node:http";
import { SwitchyardError } from "../core/errors.js";
import { errorBodyOf } from "./error-response.js";
import type { GatewayLogger } from "./gateway-logger.js";
import type { GatewayServices } from "./gateway-services.js";

/** Options of {@link createKeylessRefusal}. */
export interface KeylessRefusalOptions {
  services: GatewayServices;
  endpoint: string;
  /** Refusals are logged as one summary line at most this often (default 10 s), not one line each. */
  summaryIntervalMs?: number;
  /** `traces.sampleRejected` > 0: refused requests must go the full way (some are stored); no fast refusal. */
  sampled: boolean;
  logger?: GatewayLogger;
  now?: () => number;
}

/**
 * The cheapest possible answer to a request that presents no API key at all once keys exist: a
 * prebuilt 401 written straight to Node's response before the body is read — no request scope, no
 * request id, no error mapping, no log line per request (a summary line at most every
 * `summaryIntervalMs`), only the metrics every refusal gets. A flood of keyless requests then costs
 * the event loop what Node's HTTP parser costs and little more, so well-behaved clients keep their
 * latency. Returns false (the request goes the normal way) when keys are not known to exist yet,
 * while draining, or when refused requests are sampled into traces.
 */
export function createKeylessRefusal(options: KeylessRefusalOptions): (request: IncomingMessage, response: ServerResponse) => boolean {
  const { services, endpoint, logger } = options;
  const now = options.now ?? Date.now;
  const summaryIntervalMs = options.summaryIntervalMs ?? 10_000;
  const body = Buffer.from(JSON.stringify(errorBodyOf(new SwitchyardError("unauthorized", "Missing API key: send `Authorization: Bearer sy-…`"))));
  const headers = { "content-type": "application/json", "content-length": String(body.length) };
  let refused = 0;
  let summaryAt = now() + summaryIntervalMs;
  return (request, response) => {
    if (options.sampled || services.lifecycle.draining || !services.keysKnownToExist()) return false;
    const presented = request.headers;
    if (presented.authorization !== undefined || presented["x-api-key"] !== undefined || presented["api-key"] !== undefined) return false;
    response.writeHead(401, headers);
    response.end(body);
    services.metrics.recordRejected(endpoint, "unauthorized");
    services.metrics.recordRequest({ endpoint, model: "none", status: 401, key: "none", stream: false, durationMs: 0 });
    refused++;
    const at = now();
    if (at >= summaryAt) {
      logger?.warn({ endpoint, refused, intervalMs: summaryIntervalMs }, "requests without an API key refused");
      refused = 0;
      summaryAt = at + summaryIntervalMs;
    }
    return true;
  };
}
