import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

const request = "switchyard:metrics-request";
const reply = "switchyard:metrics-reply";
const timeoutMs = 5_000;

interface MetricsMessage {
  type: string;
  id: number;
  text?: string;
  contentType?: string;
  error?: string;
}

/**
 * In the primary of `serve --workers N`: answers a worker's request for every worker's metrics with
 * prom-client's `AggregatorRegistry` (counters and histograms summed over workers, the breaker phase the
 * worst of them, process metrics as prom-client aggregates them), so whichever worker a scrape of
 * `/metrics` lands on answers for the whole server.
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: MetricsMessage) => {
    if (message?.type !== request) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: reply, id: message.id, text, contentType: aggregator.contentType }),
      (error: unknown) => worker.send({ type: reply, id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/**
 * In a worker: hands the gateway's registry to prom-client's cluster aggregation and returns the
 * `/metrics` renderer that asks the primary for every worker's metrics.
 */
export function clusterWorkerMetrics(registry: Registry): () => Promise<{ contentType: string; text: string }> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's worker-side listener (it answers the primary's collection).
  new AggregatorRegistry();
  let next = 0;
  const pending = new Map<number, { resolve: (value: { contentType: string; text: string }) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  process.on("message", (message: MetricsMessage) => {
    if (message?.type !== reply) return;
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.error !== undefined) waiting.reject(new Error(`metrics of the other workers: ${message.error}`));
    else waiting.resolve({ contentType: message.contentType ?? registry.contentType, text: message.text ?? "" });
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the primary did not send the workers' metrics within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      process.send?.({ type: request, id });
    });
}
