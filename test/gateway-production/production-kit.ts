import OpenAI from "openai";
import { parseConfig } from "../../src/gateway/config.js";
import type { GatewayConfig } from "../../src/gateway/config.js";
import { startGateway } from "../../src/gateway/serve.js";
import type { GatewayServer, StartGatewayOptions } from "../../src/gateway/serve.js";
import { orderedEngine, startScriptedUpstream, type ScriptedUpstream } from "./scripted-upstream.js";

/** Small timeouts and fast retries so failure tests run in well under a second each. */
export const fastResilience = {
  retry: { retriesPerTarget: 1, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 500, maxAttempts: 10 },
  breaker: { failureThreshold: 3, failureRate: 0.5, windowMs: 10_000, cooldownMs: 1_000, maxCooldownMs: 4_000, syncIntervalMs: 60_000 },
};

/** A clock that is real time plus an offset tests can move forward (to end cooldowns without waiting). */
export function movableClock() {
  const clock = { offset: 0, now: () => Date.now() + clock.offset };
  return clock;
}

/** Gateway config over scripted upstreams: target `<name>` on upstream `<name>`, in the given order. */
export function productionConfig(upstreams: Record<string, ScriptedUpstream>, extra: Record<string, unknown> = {}, upstreamExtra: Record<string, unknown> = {}): GatewayConfig {
  return parseConfig(
    {
      upstreams: Object.entries(upstreams).map(([name, upstream]) => ({ name, baseUrl: upstream.baseUrl, timeoutMs: 300, connectTimeoutMs: 500, totalTimeoutMs: 3_000, ...upstreamExtra })),
      targets: Object.keys(upstreams).map((name, index) => ({ id: name, upstream: name, inputUsdPerMTok: 1 + index, outputUsdPerMTok: 2 + index, contextWindow: 8_000 })),
      resilience: fastResilience,
      traces: { flushIntervalMs: 20 },
      ...extra,
    },
    "production-test.yaml",
  );
}

/** Starts scripted upstreams by name. */
export async function scriptedUpstreams(...names: string[]): Promise<Record<string, ScriptedUpstream>> {
  const entries = await Promise.all(names.map(async (name) => [name, await startScriptedUpstream()] as const));
  return Object.fromEntries(entries);
}

/** A running gateway over `config` with an ordered engine, and an SDK client for it. */
export async function startProductionGateway(config: GatewayConfig, options: Partial<StartGatewayOptions> = {}, apiKey = "unused"): Promise<{ gateway: GatewayServer; client: OpenAI }> {
  const gateway = await startGateway({ config, engine: orderedEngine(config.targets), port: 0, ...options });
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0, timeout: 15_000 });
  return { gateway, client };
}

/** Closes everything a test started. */
export async function closeAll(gateway: GatewayServer | undefined, upstreams: Record<string, ScriptedUpstream>): Promise<void> {
  await gateway?.close();
  await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
}
