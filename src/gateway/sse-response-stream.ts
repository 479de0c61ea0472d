import type { SwitchyardError } from "../core/errors.js";
import { errorBodyOf, toSwitchyardError } from "./error-response.js";
import { sseOutputStream } from "./sse-output-stream.js";
import type { SseStreamTap } from "./sse-stream-tap.js";

/** Options for {@link createSseOutput} and {@link sseResponseStream}. */
export interface SseResponseStreamOptions {
  /** Upstream bytes. Ending the iteration early (client gone) closes the upstream response. */
  chunks: AsyncIterable<Uint8Array>;
  tap: SseStreamTap;
  /** Maps a failure midway (upstream reset, body timeout) to the error sent as a final SSE event. */
  toError?: (error: unknown) => SwitchyardError;
  /** Called once when a failure midway ends the stream (for the log). */
  onError?: (error: SwitchyardError) => void;
  /**
   * Called once after the upstream ended normally: when the transport reports the last bytes written
   * (`SseOutput.afterEnd`), else at the event loop's next check phase — so the request's bookkeeping
   * does not delay the stream's last bytes.
   */
  onComplete?: () => void;
  /**
   * Called once when the upstream ended normally and before the last bytes are handed to the
   * transport: the request's durable bookkeeping (`RequestScope.record`) goes here, so a client that
   * received the whole stream finds its trace and spend stored. A returned promise (the journal's
   * group write) is waited for before the last bytes are given out.
   */
  beforeEnd?: () => Promise<void> | undefined | void;
  /** Called once when the client went away before the end (the upstream response is closed). */
  onCancel?: () => void;
}

/** A pull-based SSE body: `next()` gives the next bytes to send, undefined at the end. */
export interface SseOutput {
  next(): Promise<Uint8Array | undefined>;
  /** The client went away: close the upstream response. */
  cancel(): Promise<void>;
  /** The transport wrote the last bytes: run `onComplete` now if it is pending. */
  afterEnd(): void;
}

const encoder = new TextEncoder();

/**
 * The upstream's SSE bytes through a usage tap, one pull at a time, for any transport: back-pressure
 * reaches the upstream socket because nothing is read ahead, and `cancel()` (client disconnect)
 * closes the upstream response. Headers are already sent when the upstream fails midway, so the
 * failure goes out as a last `data: {"error": …}` event, which the OpenAI SDKs raise as an `APIError`.
 */
export function createSseOutput(options: SseResponseStreamOptions): SseOutput {
  const iterator = options.chunks[Symbol.asyncIterator]();
  const toError = options.toError ?? toSwitchyardError;
  let finished = false;
  let cancelled = false;
  let completePending = false;
  const complete = () => {
    if (!completePending) return;
    completePending = false;
    options.onComplete?.();
  };
  return {
    async next() {
      if (finished) return undefined;
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done === true) {
            finished = true;
            const rest = options.tap.flush();
            const written = options.beforeEnd?.();
            if (written !== undefined) await written;
            completePending = true;
            setImmediate(complete);
            return rest;
          }
          const out = options.tap.push(next.value);
          if (out !== undefined) return out;
        }
      } catch (error) {
        finished = true;
        if (cancelled) return undefined; // the client left first; nobody is there to tell
        const switchyardError = toError(error);
        options.onError?.(switchyardError);
        return encoder.encode(`data: ${JSON.stringify(errorBodyOf(switchyardError))}\n\n`);
      }
    },
    async cancel() {
      if (cancelled || finished) return;
      cancelled = true;
      finished = true;
      options.onCancel?.();
      await iterator.return?.();
    },
    afterEnd: complete,
  };
}

/**
 * A pull-driven `ReadableStream` over {@link createSseOutput}, for fetch-style servers (hono's
 * `app.request`, the Node adapter's general path).
 */
export function sseResponseStream(options: SseResponseStreamOptions): ReadableStream<Uint8Array> {
  return sseOutputStream(createSseOutput(options));
}
