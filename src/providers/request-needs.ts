import { z } from "zod";
import { promptTextOf, type ChatMessage } from "../core/query.js";
import { estimateTokens } from "../core/tokens.js";

/**
 * Schema of a target's declared capabilities. Every field is optional: a capability that is not
 * declared counts as present (a target is excluded only for what it is declared not to do), so a
 * plain config keeps working and a text-only model is marked with `vision: false`.
 */
export const targetCapabilitiesSchema = z
  .object({
    tools: z.boolean().optional(),
    /** `response_format` json_object / json_schema. */
    jsonMode: z.boolean().optional(),
    /** Image inputs. */
    vision: z.boolean().optional(),
  })
  .strict();

/** What a target is declared to support. */
export type TargetCapabilities = z.infer<typeof targetCapabilitiesSchema>;

/** What a chat request needs of the target that serves it. */
export interface RequestNeeds {
  /** Estimated prompt tokens: message text, tool schemas, and a flat allowance per image. */
  promptTokens: number;
  /** `max_completion_tokens` / `max_tokens` when given. */
  maxOutputTokens: number | undefined;
  tools: boolean;
  jsonMode: boolean;
  vision: boolean;
}

/**
 * Tokens counted per image: OpenAI bills a 1024×1024 high-detail image at 765 tokens; a flat upper-ish
 * figure keeps the estimate cheap and on the safe side for context-window checks.
 */
export const tokensPerImage = 800;

function imageCount(messages: readonly ChatMessage[]): number {
  let images = 0;
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      const type = (part as { type?: unknown } | null)?.type;
      if (type === "image_url" || type === "input_image") images++;
    }
  }
  return images;
}

/** Reads a chat-completion body's needs (tolerant: a field of the wrong type counts as absent). */
export function requestNeedsOf(body: Readonly<Record<string, unknown>>): RequestNeeds {
  const messages = Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : [];
  const tools = (Array.isArray(body.tools) && body.tools.length > 0) || (Array.isArray(body.functions) && body.functions.length > 0);
  const images = imageCount(messages);
  const toolTokens = tools ? estimateTokens(JSON.stringify(body.tools ?? body.functions)) : 0;
  const format = (body.response_format as { type?: unknown } | null | undefined)?.type;
  const maxOutput = body.max_completion_tokens ?? body.max_tokens;
  return {
    promptTokens: estimateTokens(promptTextOf(messages)) + toolTokens + images * tokensPerImage,
    maxOutputTokens: typeof maxOutput === "number" && maxOutput > 0 ? maxOutput : undefined,
    tools,
    jsonMode: format === "json_object" || format === "json_schema",
    vision: images > 0,
  };
}

/** A target as the needs filter sees it. */
export interface CapableTarget {
  id: string;
  contextWindow: number;
  capabilities?: TargetCapabilities;
}

/** Why `target` cannot serve a request with `needs` (empty when it can). */
export function unmetNeedsOf(target: CapableTarget, needs: RequestNeeds): string[] {
  const reasons: string[] = [];
  const required = needs.promptTokens + (needs.maxOutputTokens ?? 0);
  if (required > target.contextWindow) reasons.push(`context window ${target.contextWindow} < ~${required} tokens`);
  if (needs.tools && target.capabilities?.tools === false) reasons.push("no tool calls");
  if (needs.jsonMode && target.capabilities?.jsonMode === false) reasons.push("no JSON mode");
  if (needs.vision && target.capabilities?.vision === false) reasons.push("no image input");
  return reasons;
}

/**
 * Splits targets into those that can serve the request and those that cannot, with reasons — applied
 * before routing so the router only ranks targets able to answer.
 */
export function filterTargetsByNeeds<T extends CapableTarget>(targets: readonly T[], needs: RequestNeeds): { able: T[]; unable: Map<string, string[]> } {
  const able: T[] = [];
  const unable = new Map<string, string[]>();
  for (const target of targets) {
    const reasons = unmetNeedsOf(target, needs);
    if (reasons.length === 0) able.push(target);
    else unable.set(target.id, reasons);
  }
  return { able, unable };
}
