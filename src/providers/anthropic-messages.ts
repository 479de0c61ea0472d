import { SwitchyardError } from "../core/errors.js";
import { finishReasonOf, usageOf } from "./anthropic-fields.js";
import { createAnthropicStreamTranslator } from "./anthropic-stream.js";
import type { ProviderAdapter, ResponseContext } from "./provider-adapter.js";
import { UpstreamFailure } from "./upstream-failure.js";

/** The Messages API version this adapter speaks. */
export const anthropicVersion = "2023-06-01";

type Json = Record<string, unknown>;
type Block = Json;

/** OpenAI parameters with no Anthropic counterpart: dropped rather than rejected by the upstream. */
const openAIOnlyFields = new Set([
  "frequency_penalty", "presence_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "store", "service_tier",
  "modalities", "audio", "prediction", "reasoning_effort", "web_search_options", "verbosity", "prompt_cache_key", "safety_identifier",
]);
/** Fields this adapter translates itself. */
const translatedFields = new Set([
  "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream", "stream_options", "user",
  "tools", "tool_choice", "parallel_tool_calls", "functions", "function_call", "response_format", "n",
]);

const invalid = (param: string, message: string) => new SwitchyardError("invalid_request", `Invalid request for an Anthropic target: ${param}: ${message}`, { param });

function textOf(content: unknown, param: string): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part, index) => {
        const { type, text } = (part ?? {}) as Json;
        if (type !== "text" || typeof text !== "string") throw invalid(`${param}[${index}]`, "only text parts are allowed here");
        return text;
      })
      .join("\n");
  }
  throw invalid(param, "expected a string or an array of content parts");
}

function imageBlock(part: Json, param: string): Block {
  const imageUrl = part.image_url as Json | string | undefined;
  const url = typeof imageUrl === "string" ? imageUrl : imageUrl?.url;
  if (typeof url !== "string") throw invalid(`${param}.image_url.url`, "expected a URL string");
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: "image", source: { type: "base64", media_type: data[1], data: data[2] } };
  if (/^https?:\/\//.test(url)) return { type: "image", source: { type: "url", url } };
  throw invalid(`${param}.image_url.url`, "expected an http(s) URL or a base64 data URL");
}

function contentBlocks(content: unknown, param: string): Block[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw invalid(param, "expected a string or an array of content parts");
  return content.map((part, index) => {
    const value = (part ?? {}) as Json;
    const where = `${param}[${index}]`;
    if (value.type === "text" && typeof value.text === "string") return { type: "text", text: value.text };
    if (value.type === "image_url") return imageBlock(value, where);
    if (value.type === "refusal" && typeof value.refusal === "string") return { type: "text", text: value.refusal };
    throw invalid(where, `content part type "${String(value.type)}" is not supported`);
  });
}

function toolUseBlocks(toolCalls: unknown, param: string): Block[] {
  if (toolCalls === undefined || toolCalls === null) return [];
  if (!Array.isArray(toolCalls)) throw invalid(param, "expected an array");
  return toolCalls.map((call, index) => {
    const value = (call ?? {}) as Json;
    const fn = (value.function ?? {}) as Json;
    const where = `${param}[${index}]`;
    if (typeof value.id !== "string" || typeof fn.name !== "string") throw invalid(where, "expected { id, function: { name, arguments } }");
    let input: unknown = {};
    if (typeof fn.arguments === "string" && fn.arguments.trim() !== "") {
      try {
        input = JSON.parse(fn.arguments);
      } catch {
        throw invalid(`${where}.function.arguments`, "is not valid JSON");
      }
    }
    return { type: "tool_use", id: value.id, name: fn.name, input };
  });
}

/** Converts OpenAI messages to Anthropic's `system` + alternating `messages`. */
function translateMessages(messages: unknown): { system: string[]; messages: Array<{ role: string; content: Block[] }> } {
  if (!Array.isArray(messages)) throw invalid("messages", "expected an array");
  const system: string[] = [];
  const turns: Array<{ role: string; content: Block[] }> = [];
  const append = (role: string, blocks: Block[]) => {
    const last = turns[turns.length - 1];
    // Anthropic wants user and assistant turns to alternate: consecutive same-role messages merge.
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  messages.forEach((message, index) => {
    const value = (message ?? {}) as Json;
    const param = `messages[${index}]`;
    switch (value.role) {
      case "system":
      case "developer":
        system.push(textOf(value.content, `${param}.content`));
        break;
      case "user":
        append("user", contentBlocks(value.content, `${param}.content`));
        break;
      case "assistant":
        append("assistant", [...contentBlocks(value.content, `${param}.content`), ...toolUseBlocks(value.tool_calls, `${param}.tool_calls`)]);
        break;
      case "tool":
        if (typeof value.tool_call_id !== "string") throw invalid(`${param}.tool_call_id`, "required for tool messages");
        append("user", [{ type: "tool_result", tool_use_id: value.tool_call_id, content: textOf(value.content, `${param}.content`) }]);
        break;
      default:
        throw invalid(`${param}.role`, `role "${String(value.role)}" is not supported`);
    }
  });
  for (const turn of turns) if (turn.content.length === 0) turn.content.push({ type: "text", text: "" });
  return { system, messages: turns };
}

function translateTools(body: Readonly<Json>): Json[] | undefined {
  const legacy = Array.isArray(body.functions) ? body.functions.map((fn) => ({ type: "function", function: fn })) : undefined;
  const tools = Array.isArray(body.tools) ? body.tools : legacy;
  if (tools === undefined) return undefined;
  return tools.map((tool, index) => {
    const fn = ((tool ?? {}) as Json).function as Json | undefined;
    if (!fn || typeof fn.name !== "string") throw invalid(`tools[${index}].function.name`, "required");
    const translated: Json = { name: fn.name, input_schema: fn.parameters ?? { type: "object", properties: {} } };
    if (typeof fn.description === "string") translated.description = fn.description;
    return translated;
  });
}

function translateToolChoice(body: Readonly<Json>): Json | undefined {
  const choice = body.tool_choice ?? body.function_call;
  const parallel = body.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === null) return body.parallel_tool_calls === false && body.tools ? { type: "auto", ...parallel } : undefined;
  if (choice === "none") return { type: "none" };
  if (choice === "auto") return { type: "auto", ...parallel };
  if (choice === "required") return { type: "any", ...parallel };
  const value = choice as Json;
  const name = ((value.function ?? {}) as Json).name ?? value.name;
  if (typeof name === "string") return { type: "tool", name, ...parallel };
  throw invalid("tool_choice", "expected none, auto, required or { type: function, function: { name } }");
}

/** A system instruction standing in for OpenAI's JSON mode, which the Messages API does not have. */
function jsonModeInstruction(responseFormat: unknown): string | undefined {
  const format = (responseFormat ?? {}) as Json;
  if (format.type === "json_object") return "Respond with a single valid JSON object and nothing else.";
  if (format.type === "json_schema") {
    const schema = ((format.json_schema ?? {}) as Json).schema;
    return `Respond with a single valid JSON object and nothing else. It must match this JSON schema: ${JSON.stringify(schema ?? {})}`;
  }
  return undefined;
}

/** Options for {@link createAnthropicMessagesAdapter}. */
export interface AnthropicAdapterOptions {
  /** `max_tokens` when the client gives none (the Messages API requires one). Default 4096. */
  defaultMaxTokens?: number;
}

/**
 * The chat-completion request in the Messages API's shape: system and developer messages become
 * `system`, tool calls and results become `tool_use` / `tool_result` blocks, images become image
 * blocks, `tools` / `tool_choice` / `parallel_tool_calls` / `stop` / `user` are mapped, temperature is
 * capped at 1 (Anthropic's range), JSON mode becomes a system instruction. Parameters OpenAI alone has
 * are dropped; unknown fields (e.g. Anthropic's own `top_k`, `thinking`) pass through.
 */
export function anthropicRequestOf(body: Readonly<Json>, model: string, options: AnthropicAdapterOptions = {}): Json {
  if (typeof body.n === "number" && body.n > 1) throw invalid("n", "only n = 1 is supported");
  const { system, messages } = translateMessages(body.messages);
  const jsonInstruction = jsonModeInstruction(body.response_format);
  if (jsonInstruction) system.push(jsonInstruction);
  const request: Json = {};
  for (const [key, value] of Object.entries(body)) {
    if (!translatedFields.has(key) && !openAIOnlyFields.has(key)) request[key] = value;
  }
  request.model = model;
  request.messages = messages;
  if (system.length > 0) request.system = system.join("\n\n");
  request.max_tokens = body.max_completion_tokens ?? body.max_tokens ?? options.defaultMaxTokens ?? 4096;
  if (typeof body.temperature === "number") request.temperature = Math.min(1, body.temperature);
  if (body.top_p !== undefined && body.top_p !== null) request.top_p = body.top_p;
  if (typeof body.stop === "string") request.stop_sequences = [body.stop];
  else if (Array.isArray(body.stop)) request.stop_sequences = body.stop;
  if (body.stream === true) request.stream = true;
  if (typeof body.user === "string") request.metadata = { ...((body.metadata as Json | undefined) ?? {}), user_id: body.user };
  const tools = translateTools(body);
  if (tools) request.tools = tools;
  const toolChoice = translateToolChoice(body);
  if (toolChoice) request.tool_choice = toolChoice;
  return request;
}

/** An Anthropic Messages answer as an OpenAI chat completion. */
export function chatCompletionOfAnthropic(value: unknown, context: ResponseContext): Json {
  const message = value as Json | null;
  if (message === null || typeof message !== "object" || !Array.isArray(message.content)) {
    throw new UpstreamFailure("malformed_response", context.upstreamName, `Upstream "${context.upstreamName}" answered with JSON that is not an Anthropic message`);
  }
  const texts: string[] = [];
  const toolCalls: Json[] = [];
  for (const block of message.content as Block[]) {
    if (block.type === "text" && typeof block.text === "string") texts.push(block.text);
    else if (block.type === "tool_use") {
      toolCalls.push({ id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const assistant: Json = { role: "assistant", content: texts.length > 0 ? texts.join("") : null, refusal: null };
  if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
  return {
    id: typeof message.id === "string" ? message.id : `chatcmpl-${context.now}`,
    object: "chat.completion",
    created: Math.floor(context.now / 1000),
    model: context.model,
    choices: [{ index: 0, message: assistant, logprobs: null, finish_reason: finishReasonOf(message.stop_reason) ?? "stop" }],
    usage: usageOf(message.usage),
  };
}

/**
 * Anthropic's Messages API behind the OpenAI chat-completions interface, both ways, streams and tool
 * calls included. Base URL e.g. `https://api.anthropic.com/v1`; the key goes in `x-api-key`.
 *
 * @example
 * const adapter = createAnthropicMessagesAdapter();
 * const call = adapter.chatRequest({ model: "claude", messages }, "claude-sonnet-4-5");
 */
export function createAnthropicMessagesAdapter(options: AnthropicAdapterOptions = {}): ProviderAdapter {
  return {
    kind: "anthropic",
    staticHeaders: { "anthropic-version": anthropicVersion },
    authHeaders: (apiKey) => ({ "x-api-key": apiKey }),
    chatRequest: (body, model) => ({ path: "/messages", body: anthropicRequestOf(body, model, options) }),
    chatResponse: chatCompletionOfAnthropic,
    createStreamTranslator: createAnthropicStreamTranslator,
  };
}
