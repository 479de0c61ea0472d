import type { SwitchyardError } from "../core/errors.js";
import { errorBodyOf, toSwitchyardError } from "./error-response.js";
import type { SseStreamTap } from "./sse-stream-tap.js";

/** Options for {@link sseResponseStream}. */
export interface SseResponseStreamOptions {
  /** Upstream bytes. Ending the iteration early (client gone) closes the upstream response. */
  chunks: AsyncIterable<Uint8Array>;
  tap: SseStreamTap;
  /** Maps a failure midway (upstream reset, body timeout) to the error sent as a final SSE event. */
  toError?: (error: unknown) => SwitchyardError;
  /** Called once when a failure midway ends the stream (for the log). */
  onError?: (error: SwitchyardError) => void;
  /** Called once after the upstream ended normally and the last bytes were queued. */
  onComplete?: () => void;
}

const encoder = new TextEncoder();

/**
 * A pull-driven `ReadableStream` of the upstream's SSE bytes through a usage tap: back-pressure from the
 * client reaches the upstream socket, and cancelling (client disconnect) closes the upstream response.
 * Headers are already sent when the upstream fails midway, so the failure goes out as a last
 * `data: {"error": …}` event, which the OpenAI SDKs raise as an `APIError`.
 */
export function sseResponseStream(options: SseResponseStreamOptions): ReadableStream<Uint8Array> {
  const iterator = options.chunks[Symbol.asyncIterator]();
  const toError = options.toError ?? toSwitchyardError;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done === true) {
            const rest = options.tap.flush();
            if (rest !== undefined) controller.enqueue(rest);
            controller.close();
            options.onComplete?.();
            return;
          }
          const out = options.tap.push(next.value);
          if (out !== undefined) {
            controller.enqueue(out);
            return;
          }
        }
      } catch (error) {
        if (cancelled) return; // the client left first; nobody is there to tell
        const switchyardError = toError(error);
        options.onError?.(switchyardError);
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(errorBodyOf(switchyardError))}\n\n`));
        controller.close();
      }
    },
    async cancel() {
      cancelled = true;
      await iterator.return?.();
    },
  });
}
