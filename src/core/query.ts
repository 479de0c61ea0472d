/** One chat message as the OpenAI wire format carries it (content may be text or parts). */
export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  [key: string]: unknown;
}

/** What the caller asks of routing for one request. */
export interface RouteOptions {
  /** Restrict routing to these target ids. */
  allowedModels?: readonly string[];
  /** Position on the cost–quality curve in [0, 1]: 0 = cheapest, 1 = best. */
  quality?: number;
  /** Explicit willingness-to-pay in USD per unit of quality; overrides `quality`. */
  willingnessToPay?: number;
}

/** A request to route: the chat messages and routing options. */
export interface Query {
  /** Stable id of the prompt when it comes from a dataset (used by the oracle and replay). */
  id?: string;
  messages: readonly ChatMessage[];
  options?: RouteOptions;
}

/** The text routers look at: every message's text content, joined by newlines. */
export function promptTextOf(messages: readonly ChatMessage[]): string {
  const parts: string[] = [];
  for (const message of messages) {
    const { content } = message;
    if (typeof content === "string") parts.push(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (part && typeof part === "object" && (part as { type?: unknown }).type === "text") {
          const text = (part as { text?: unknown }).text;
          if (typeof text === "string") parts.push(text);
        }
      }
    }
  }
  return parts.join("\n");
}

/** A query made of a single user prompt. */
export function queryOfPrompt(prompt: string, options?: RouteOptions, id?: string): Query {
  return { id, messages: [{ role: "user", content: prompt }], options };
}
