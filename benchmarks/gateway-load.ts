import { Pool } from "undici";

/** One bounded load run against one HTTP endpoint (loopback only). */
export interface LoadOptions {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Bodies sent in turn (request i sends `bodies[i % length]`), e.g. one per test prompt; `body` when absent. */
  bodies?: readonly string[];
  /** Connections, each with one request in flight at a time. */
  concurrency: number;
  /** Requests to send in total (after `warmup` unmeasured ones). */
  requests: number;
  warmup?: number;
  /** Measure time to the first body byte (streams) instead of time to the whole body. */
  firstByte?: boolean;
  /** The status every answer must have (default 200); others count as errors. */
  expectStatus?: number;
  /** Called with each answer's body (only for the first few, to check them). */
  check?: (status: number, body: string, headers: Record<string, string | string[] | undefined>) => string | undefined;
}

/** What a load run measured. */
export interface LoadResult {
  /** Per-request latency in milliseconds, sorted ascending. */
  latenciesMs: number[];
  errors: number;
  /** First few error descriptions. */
  errorSamples: string[];
  elapsedMs: number;
  requestsPerSecond: number;
  /** Values of a response header, when asked for (e.g. the routing decision time). */
  headerValues: string[];
}

/** The value at quantile `q` of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * A small bounded load generator on undici: `concurrency` keep-alive connections, each sending the
 * next request as soon as its previous answer is fully read, for exactly `warmup + requests` requests.
 * Latency is taken to the last body byte, or to the first one with `firstByte` (time to first byte of
 * a stream); every answer is read to its end so connections are reused.
 */
export async function runLoad(options: LoadOptions & { collectHeader?: string }): Promise<LoadResult> {
  const pool = new Pool(options.url, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const warmup = options.warmup ?? 0;
  const total = warmup + options.requests;
  let issued = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const latencies: number[] = [];
  const headerValues: string[] = [];
  let measuredStart = 0;

  const worker = async () => {
    for (;;) {
      const index = issued++;
      if (index >= total) return;
      if (index === warmup) measuredStart = performance.now();
      const started = performance.now();
      let firstByteAt = 0;
      try {
        const response = await pool.request({ path: options.path, method: "POST", headers: options.headers, body: options.bodies?.[index % options.bodies.length] ?? options.body });
        const parts: Buffer[] = [];
        for await (const chunk of response.body) {
          if (firstByteAt === 0) firstByteAt = performance.now();
          if (index < warmup + 5 || options.check === undefined) parts.push(Buffer.from(chunk));
        }
        const endedAt = performance.now();
        const problem = response.statusCode !== (options.expectStatus ?? 200) ? `status ${response.statusCode}` : index < warmup + 5 ? options.check?.(response.statusCode, Buffer.concat(parts).toString("utf8"), response.headers) : undefined;
        if (problem !== undefined) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${problem}: ${Buffer.concat(parts).toString("utf8").slice(0, 200)}`);
          continue;
        }
        if (options.collectHeader !== undefined) {
          const value = response.headers[options.collectHeader];
          if (typeof value === "string") headerValues.push(value);
        }
        if (index >= warmup) latencies.push((options.firstByte ? firstByteAt : endedAt) - started);
      } catch (error) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - measuredStart;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { latenciesMs: latencies, errors, errorSamples, elapsedMs, requestsPerSecond: (options.requests / elapsedMs) * 1000, headerValues };
}
