import { finishReasonOf, usageOf } from "./anthropic-fields.js";
import type { ResponseContext, StreamTranslator } from "./provider-adapter.js";
import { createSseEventParser } from "./sse-event-parser.js";
import type { Mutable } from "../core/mutable.js";

type Json = Record<string, unknown>;

/**
 * Translates an Anthropic Messages event stream into OpenAI chat-completion chunks, as the official
 * SDK parses them: `message_start` → a first chunk with `role: "assistant"`; `text_delta` →
 * `delta.content`; a `tool_use` block → `delta.tool_calls[i]` with id and name, its
 * `input_json_delta`s → `arguments` pieces; `message_delta` → `finish_reason`; `message_stop` → a
 * usage chunk (`choices: []`, as `stream_options.include_usage` gives) and `data: [DONE]`; an `error`
 * event → an OpenAI error event. Thinking blocks and pings are skipped.
 */
export function createAnthropicStreamTranslator(context: ResponseContext): StreamTranslator {
  const parser = createSseEventParser();
  const encoder = new TextEncoder();
  const created = Math.floor(context.now / 1000);
  let id = `chatcmpl-${context.now}`;
  let usage: Json = {};
  let failed = false;
  /** Content block index → OpenAI tool call index. */
  const toolIndexOfBlock = new Map<number, number>();

  const chunk = (delta: Json, finishReason: string | null = null) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: context.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;

  const translate = (event: string, data: string): string => {
    if (translator.completed || failed) return "";
    let payload: Json;
    try {
      payload = JSON.parse(data) as Json;
    } catch {
      return "";
    }
    const type = (payload.type as string | undefined) ?? event;
    switch (type) {
      case "message_start": {
        const message = (payload.message ?? {}) as Json;
        if (typeof message.id === "string") id = message.id;
        usage = { ...((message.usage as Json | undefined) ?? {}) };
        return chunk({ role: "assistant", content: "" });
      }
      case "content_block_start": {
        const block = (payload.content_block ?? {}) as Json;
        if (block.type === "tool_use") {
          const toolIndex = toolIndexOfBlock.size;
          toolIndexOfBlock.set(payload.index as number, toolIndex);
          return chunk({ tool_calls: [{ index: toolIndex, id: block.id, type: "function", function: { name: block.name, arguments: "" } }] });
        }
        if (block.type === "text" && typeof block.text === "string" && block.text !== "") return chunk({ content: block.text });
        return "";
      }
      case "content_block_delta": {
        const delta = (payload.delta ?? {}) as Json;
        if (delta.type === "text_delta" && typeof delta.text === "string") return chunk({ content: delta.text });
        if (delta.type === "input_json_delta" && typeof delta.partial_json === "string") {
          const toolIndex = toolIndexOfBlock.get(payload.index as number);
          if (toolIndex === undefined || delta.partial_json === "") return "";
          return chunk({ tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }] });
        }
        return "";
      }
      case "message_delta": {
        usage = { ...usage, ...((payload.usage as Json | undefined) ?? {}) };
        const stopReason = ((payload.delta ?? {}) as Json).stop_reason;
        return chunk({}, finishReasonOf(stopReason) ?? "stop");
      }
      case "message_stop": {
        translator.completed = true;
        const usageChunk = { id, object: "chat.completion.chunk", created, model: context.model, choices: [], usage: usageOf(usage) };
        return `data: ${JSON.stringify(usageChunk)}\n\ndata: [DONE]\n\n`;
      }
      case "error": {
        failed = true;
        const error = (payload.error ?? {}) as Json;
        const message = typeof error.message === "string" ? error.message : "The upstream stream failed";
        const body = { error: { message, type: typeof error.type === "string" ? error.type : "api_error", param: null, code: "upstream_error" } };
        return `data: ${JSON.stringify(body)}\n\n`;
      }
      default:
        return "";
    }
  };

  const emit = (events: Array<{ event: string; data: string }>): Uint8Array | undefined => {
    let out = "";
    for (const event of events) out += translate(event.event, event.data);
    return out === "" ? undefined : encoder.encode(out);
  };

  // `completed` is a data property, not a getter (no accessor pairs on per-stream objects).
  const translator: Mutable<StreamTranslator> = {
    push: (bytes) => emit(parser.push(bytes)),
    flush: () => emit(parser.flush()),
    completed: false,
  };
  return translator;
}
