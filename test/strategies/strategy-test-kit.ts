import type { Target } from "../../src/core/target.js";
import type { TimerFunctions } from "../../src/resilience/timeouts.js";
import type { ChatCallRequest, ChatCallResult, ChatCaller } from "../../src/strategies/chat-caller.js";

/** Three targets of increasing price. */
export const cheap: Target = { id: "cheap", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1, contextWindow: 128_000 };
export const middle: Target = { id: "middle", inputUsdPerMTok: 1, outputUsdPerMTok: 2, contextWindow: 128_000 };
export const strong: Target = { id: "strong", inputUsdPerMTok: 10, outputUsdPerMTok: 30, contextWindow: 128_000 };
export const judge: Target = { id: "judge", inputUsdPerMTok: 0.5, outputUsdPerMTok: 0.5, contextWindow: 128_000 };

/** What a scripted model does: answer text (cost fixed), throw, or hang until aborted. */
export type Scripted = { text: string; costUsd?: number } | { fail: Error } | "hang";

/** A caller that answers per target id from a script and records every request. */
export function scriptedCaller(script: Record<string, Scripted | ((request: ChatCallRequest) => Scripted)>): ChatCaller & { calls: ChatCallRequest[] } {
  const calls: ChatCallRequest[] = [];
  const caller = async (request: ChatCallRequest): Promise<ChatCallResult> => {
    calls.push(request);
    const entry = script[request.target.id];
    const action = typeof entry === "function" ? entry(request) : entry;
    if (action === undefined) throw new Error(`no script for ${request.target.id}`);
    if (action === "hang") {
      return new Promise((_, reject) => request.signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
    }
    if ("fail" in action) throw action.fail;
    return { text: action.text, usage: { prompt_tokens: 10, completion_tokens: 5 }, costUsd: action.costUsd ?? 0.001, raw: {} };
  };
  return Object.assign(caller, { calls });
}

/** Timers whose timeouts fire on the next macrotask: anything that has not settled by then times out. */
export const immediateTimers: TimerFunctions = {
  setTimeout: (callback) => setImmediate(callback),
  clearTimeout: (handle) => clearImmediate(handle as ReturnType<typeof setImmediate>),
};

/** Timers that never fire. */
export const neverTimers: TimerFunctions = { setTimeout: () => 0, clearTimeout: () => {} };

/** A clock that advances 1 ms per reading. */
export function tickingClock(): () => number {
  let now = 0;
  return () => now++;
}
