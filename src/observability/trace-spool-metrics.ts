import { Counter, Gauge, type Registry } from "prom-client";
import type { TraceSpoolStats } from "../stores/postgres/trace-spool.js";

/**
 * Registers the PostgreSQL store's trace-spool metrics, read from `stats()` at each scrape:
 * `switchyard_trace_spool_traces` / `_bytes` (waiting on disk now), `switchyard_trace_spool_written_total`
 * (traces that went to the spool), `switchyard_trace_spool_dropped_total` (dropped because it was full)
 * and `switchyard_store_up` (1 while PostgreSQL is reachable).
 */
export function registerTraceSpoolMetrics(registry: Registry, source: { spoolStats(): TraceSpoolStats; isDown(): boolean }): void {
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge("switchyard_trace_spool_traces", "Traces waiting in the on-disk spool for PostgreSQL.", () => source.spoolStats().traces);
  gauge("switchyard_trace_spool_bytes", "Bytes of the on-disk trace spool.", () => source.spoolStats().bytes);
  gauge("switchyard_store_up", "1 while the PostgreSQL store is reachable, 0 during an outage.", () => (source.isDown() ? 0 : 1));
  const counter = (name: string, help: string, read: (stats: TraceSpoolStats) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        // prom-client counters only go up by inc(): set the running total by resetting first.
        this.reset();
        this.inc(read(source.spoolStats()));
      },
    });
  counter("switchyard_trace_spool_written_total", "Traces written to the on-disk spool while PostgreSQL was unreachable.", (stats) => stats.spooledTotal);
  counter("switchyard_trace_spool_dropped_total", "Traces dropped because the spool was full (PostgreSQL unreachable for too long).", (stats) => stats.droppedTotal);
}
