import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { BreakerPhase } from "../stores/breaker-state.js";
import { createAggregatedCounter, createAggregatedHistogram } from "./aggregated-metrics.js";

/** Numeric value of each breaker phase in `switchyard_circuit_breaker_state`. */
export const breakerPhaseValue: Readonly<Record<BreakerPhase, number>> = { closed: 0, "half-open": 1, open: 2 };

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const decisionBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

/** One answered request, as the metrics see it. */
export interface RequestObservation {
  endpoint: string;
  /** Target that served the request, else the model asked for, else `none`. */
  model: string;
  status: number;
  /** API key name, or `open` when the gateway runs without keys. */
  key: string;
  stream: boolean;
  durationMs: number;
}

/** Prometheus metrics of the gateway. */
export interface GatewayMetrics {
  readonly registry: Registry;
  recordRequest(observation: RequestObservation): void;
  /** One upstream call (`outcome` as in traces: `ok`, `http_503`, `timeout_first_byte`, …). */
  recordAttempt(target: string, outcome: string, durationMs: number): void;
  recordFallback(from: string, to: string): void;
  recordDecision(router: string, durationMs: number): void;
  recordTimeToFirstByte(target: string, durationMs: number): void;
  recordUsage(usage: { model: string; key: string; inputTokens: number; outputTokens: number; costUsd: number }): void;
  setBreakerPhase(target: string, phase: BreakerPhase): void;
  /** A request refused before routing (no or bad key, malformed body, …), by error code; it is not traced. */
  recordRejected(endpoint: string, code: string): void;
  /** A connection refused at the protocol level (malformed HTTP, read timeout, reset), by Node's error code. */
  recordRejectedConnection(code: string): void;
  /** A request refused with `rate_limited`, by key name (the dashboard's keys page reads {@link GatewayMetrics.rateLimitHits}). */
  recordRateLimitHit?(key: string): void;
  /** Rate-limit refusals per key name since the process started. */
  rateLimitHits?(): ReadonlyMap<string, number>;
  /** Adds `delta` to the in-flight gauge. */
  inFlight(delta: number): void;
  /** The exposition text and its content type, for `GET /metrics`. */
  render(): Promise<{ contentType: string; text: string }>;
}

/**
 * The gateway's Prometheus metrics on a registry of their own (never prom-client's global one, so two
 * gateways in one process do not collide): requests by endpoint, model, status and key; latency
 * histograms of whole requests, upstream attempts, time to first byte and the routing decision;
 * tokens and USD spent by model and key; fallbacks; circuit-breaker phase per target; requests in flight.
 *
 * @example
 * const metrics = createGatewayMetrics();
 * app.get("/metrics", async () => { const { contentType, text } = await metrics.render(); return new Response(text, { headers: { "content-type": contentType } }); });
 */
export function createGatewayMetrics(options: { registry?: Registry; processMetrics?: boolean } = {}): GatewayMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: "switchyard_" });
  const registers = [registry];
  // Per-request families aggregate by label values themselves (no prom-client label validation and
  // hashing on every call); the gauges change rarely or are read at scrape time.
  const requests = createAggregatedCounter({ name: "switchyard_requests_total", help: "Requests answered, by endpoint, model, HTTP status and API key.", labelNames: ["endpoint", "model", "status", "key"], registry });
  const requestDuration = createAggregatedHistogram({ name: "switchyard_request_duration_seconds", help: "Whole request latency (streams: until the last byte).", labelNames: ["endpoint", "stream"], buckets: latencyBuckets, registry });
  const upstreamDuration = createAggregatedHistogram({ name: "switchyard_upstream_duration_seconds", help: "Latency of each upstream attempt until its answer (streams: first byte).", labelNames: ["target", "outcome"], buckets: latencyBuckets, registry });
  const firstByte = createAggregatedHistogram({ name: "switchyard_time_to_first_byte_seconds", help: "Streamed requests: time from arrival to the first upstream byte.", labelNames: ["target"], buckets: latencyBuckets, registry });
  const decision = createAggregatedHistogram({ name: "switchyard_routing_decision_duration_seconds", help: "Time the router spent deciding (embedding included).", labelNames: ["router"], buckets: decisionBuckets, registry });
  const fallbacks = createAggregatedCounter({ name: "switchyard_fallbacks_total", help: "Requests moved from a failed target to the next candidate.", labelNames: ["from", "to"], registry });
  const tokens = createAggregatedCounter({ name: "switchyard_tokens_total", help: "Tokens reported by upstreams, by model, API key and kind (prompt, completion).", labelNames: ["model", "key", "kind"], registry });
  const cost = createAggregatedCounter({ name: "switchyard_cost_usd_total", help: "USD spent, from upstream token usage and target prices.", labelNames: ["model", "key"], registry });
  const rejected = createAggregatedCounter({ name: "switchyard_rejected_requests_total", help: "Requests refused before routing (authentication, body, limits), by endpoint and error code; not stored as traces.", labelNames: ["endpoint", "code"], registry });
  const rateLimited = createAggregatedCounter({ name: "switchyard_rate_limit_hits_total", help: "Requests refused by a key's rate limit (rpm, tpm), by API key.", labelNames: ["key"], registry });
  const rateLimitHits = new Map<string, number>();
  const protocolErrors = createAggregatedCounter({ name: "switchyard_protocol_errors_total", help: "Connections refused by the HTTP layer (malformed HTTP, read timeouts, resets, unsupported Expect), by code.", labelNames: ["code"], registry });
  const breaker = new Gauge({ name: "switchyard_circuit_breaker_state", help: "Circuit-breaker phase per target: 0 closed, 1 half-open, 2 open.", labelNames: ["target"], registers, aggregator: "max" });
  let inFlightNow = 0;
  new Gauge({
    name: "switchyard_in_flight_requests",
    help: "Requests being served now.",
    registers,
    collect() {
      this.set(inFlightNow);
    },
  });

  return {
    registry,
    recordRequest(observation) {
      requests.inc([observation.endpoint, observation.model, String(observation.status), observation.key]);
      requestDuration.observe([observation.endpoint, observation.stream ? "true" : "false"], observation.durationMs / 1000);
    },
    recordAttempt(target, outcome, durationMs) {
      upstreamDuration.observe([target, outcome], durationMs / 1000);
    },
    recordFallback(from, to) {
      fallbacks.inc([from, to]);
    },
    recordDecision(router, durationMs) {
      decision.observe([router], durationMs / 1000);
    },
    recordTimeToFirstByte(target, durationMs) {
      firstByte.observe([target], durationMs / 1000);
    },
    recordUsage(usage) {
      if (usage.inputTokens > 0) tokens.inc([usage.model, usage.key, "prompt"], usage.inputTokens);
      if (usage.outputTokens > 0) tokens.inc([usage.model, usage.key, "completion"], usage.outputTokens);
      if (usage.costUsd > 0) cost.inc([usage.model, usage.key], usage.costUsd);
    },
    setBreakerPhase(target, phase) {
      breaker.set({ target }, breakerPhaseValue[phase]);
    },
    recordRejected(endpoint, code) {
      rejected.inc([endpoint, code]);
    },
    recordRateLimitHit(key) {
      rateLimitHits.set(key, (rateLimitHits.get(key) ?? 0) + 1);
      rateLimited.inc([key]);
    },
    rateLimitHits: () => rateLimitHits,
    recordRejectedConnection(code) {
      // Node's codes are a small fixed set; anything else is folded so a label cannot grow without bound.
      protocolErrors.inc([/^(?:HPE_[A-Z_]+|ERR_HTTP_[A-Z_]+|E[A-Z]+|expectation_failed|missing_host)$/.test(code) ? code : "other"]);
    },
    inFlight(delta) {
      inFlightNow += delta;
    },
    async render() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
