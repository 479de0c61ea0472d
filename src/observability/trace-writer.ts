import type { TraceRepository } from "../stores/store.js";
import type { TraceRecord } from "../stores/trace-record.js";
import { realTimers, type TimerFunctions } from "../resilience/timeouts.js";

/** Options for {@link createTraceWriter}. */
export interface TraceWriterOptions {
  repository: TraceRepository;
  /** Pending traces are written at least this often (default 500 ms). */
  flushIntervalMs?: number;
  /** A batch this large is written at once (default 500). */
  maxBatch?: number;
  /**
   * Traces per transaction (default 128). A batch is written in slices this large with a turn of the
   * event loop between them, so a large batch never blocks requests for more than about a millisecond.
   */
  maxSlice?: number;
  /**
   * The store journal's position (`StoreJournal.position`): read when a batch is taken and passed with
   * its last slice, so the store records which journaled traces reached the file.
   */
  journalPosition?: () => number;
  /**
   * Longest wait, per batch, for shadow decisions still pending in it (default 250 ms): a shadow decides
   * off the response path, a little after its request ends, and its decision belongs in the trace.
   */
  shadowWaitMs?: number;
  /** Called when a batch could not be written (the traces are dropped, the gateway keeps serving). */
  onError?: (error: unknown, dropped: number) => void;
  timers?: TimerFunctions;
}

/** Buffers traces and writes them in batches. */
export interface TraceWriter {
  /** Queues a trace (never blocks the request that produced it). */
  add(trace: TraceRecord): void;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Traces queued and not yet written. */
  readonly pending: number;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

/**
 * Writes traces off the request path: queued in memory, written every `flushIntervalMs` or when
 * `maxBatch` are waiting, and on `flush()` (feedback needs its trace stored; shutdown flushes before
 * exiting), one transaction per slice of `maxSlice` traces with the event loop served in between.
 * With a store journal (`StoreJournal`), each trace is also journaled before its response ends, so a
 * crash loses none; without one, a crash loses at most one interval of traces.
 *
 * @example
 * const traces = createTraceWriter({ repository: store.traces });
 * traces.add(record);
 */
export function createTraceWriter(options: TraceWriterOptions): TraceWriter {
  const timers = options.timers ?? realTimers;
  const interval = options.flushIntervalMs ?? 500;
  const maxBatch = options.maxBatch ?? 500;
  const maxSlice = options.maxSlice ?? 128;
  const shadowWaitMs = options.shadowWaitMs ?? 250;
  let queue: TraceRecord[] = [];
  let timer: unknown;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer !== undefined) {
      timers.clearTimeout(timer);
      timer = undefined;
    }
    if (queue.length === 0) return writing;
    const batch = queue;
    queue = [];
    const journalBytes = options.journalPosition?.();
    writing = writing.then(async () => {
      await shadowsSettled(batch, shadowWaitMs, timers);
      for (let start = 0; start < batch.length; start += maxSlice) {
        if (start > 0) await new Promise((done) => setImmediate(done));
        const slice = start === 0 && batch.length <= maxSlice ? batch : batch.slice(start, start + maxSlice);
        try {
          await options.repository.insertMany(slice, start + maxSlice >= batch.length ? journalBytes : undefined);
        } catch (error) {
          options.onError?.(error, slice.length);
        }
      }
    });
    return writing;
  };

  return {
    add(trace) {
      queue.push(trace);
      if (queue.length >= maxBatch) void flush();
      else if (timer === undefined) timer = timers.setTimeout(() => void flush(), interval);
    },
    flush,
    get pending() {
      return queue.length;
    },
    close: flush,
  };
}

/** Waits until no trace of `batch` has a pending shadow decision, or `waitMs` has passed. */
async function shadowsSettled(batch: readonly TraceRecord[], waitMs: number, timers: TimerFunctions): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const trace of batch) {
    const shadow = trace.decision?.shadow;
    if (shadow?.status === "pending" && shadow.whenSettled !== undefined) waits.push(shadow.whenSettled());
  }
  if (waits.length === 0 || waitMs <= 0) return;
  let timer: unknown;
  await Promise.race([Promise.all(waits), new Promise<void>((done) => (timer = timers.setTimeout(done, waitMs)))]);
  timers.clearTimeout(timer);
}
