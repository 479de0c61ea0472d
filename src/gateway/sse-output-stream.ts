import type { SseOutput } from "./sse-response-stream.js";

/** A pull-driven `ReadableStream` over an {@link SseOutput} (cancelling it cancels the output). */
export function sseOutputStream(output: SseOutput): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const bytes = await output.next();
        if (bytes === undefined) {
          output.afterEnd();
          controller.close();
          return;
        }
        if (bytes.byteLength > 0) {
          controller.enqueue(bytes);
          return;
        }
      }
    },
    cancel: () => output.cancel(),
  });
}
