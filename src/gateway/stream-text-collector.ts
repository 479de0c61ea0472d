import { createSseEventParser } from "../providers/sse-event-parser.js";

/**
 * Collects the answer text of an OpenAI chat-completion SSE stream as it passes (for traces that keep
 * text; only built when `traces.storeText` is on, since it parses every chunk).
 */
export function streamTextCollector(): { see(bytes: Uint8Array | undefined): Uint8Array | undefined; text(): string } {
  const parser = createSseEventParser();
  const parts: string[] = [];
  return {
    see(bytes) {
      if (bytes === undefined) return bytes;
      for (const event of parser.push(bytes)) {
        if (event.data === "[DONE]") continue;
        try {
          const chunk = JSON.parse(event.data) as { choices?: Array<{ delta?: { content?: unknown } }> };
          const content = chunk.choices?.[0]?.delta?.content;
          if (typeof content === "string") parts.push(content);
        } catch {
          // Not JSON: nothing to collect.
        }
      }
      return bytes;
    },
    text: () => parts.join(""),
  };
}
