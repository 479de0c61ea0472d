import { promptTextOf, type ChatMessage } from "../core/query.js";
import { estimateTokens } from "../core/tokens.js";
import { listen } from "../gateway/serve.js";
import type { RunningServer } from "../gateway/serve.js";
import { completionBodyOf } from "./replay-completion.js";

/** Options for {@link startScriptedJudgeUpstream}. */
export interface ScriptedJudgeUpstreamOptions {
  /** The judge's reply to one grading request (its whole message text, and the model asked for). */
  reply: (request: { model: string; text: string }) => string;
  /** Default 0 (a free port). */
  port?: number;
}

/** A running scripted judge: its base URL for clients is `${url}/v1`. */
export interface ScriptedJudgeUpstream extends RunningServer {
  /** Grading requests answered so far. */
  readonly calls: number;
}

/**
 * An OpenAI-compatible judge on a loopback port whose verdicts come from a function — for tests and
 * benchmarks of `switchyard label` (e.g. the dataset's true score of the graded answer, sometimes
 * flipped, or an unparseable reply). Usage is the estimated tokens of the request and the reply.
 *
 * @example
 * const judge = await startScriptedJudgeUpstream({ reply: ({ text }) => (text.includes("Paris") ? "10" : "0") });
 */
export async function startScriptedJudgeUpstream(options: ScriptedJudgeUpstreamOptions): Promise<ScriptedJudgeUpstream> {
  let calls = 0;
  const server = await listen(
    async (request) => {
      if (request.method !== "POST" || !new URL(request.url).pathname.endsWith("/chat/completions")) return new Response("{}", { status: 404 });
      const body = (await request.json()) as { model?: unknown; messages?: unknown };
      const messages = Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : [];
      const text = promptTextOf(messages);
      const model = typeof body.model === "string" ? body.model : "judge";
      calls++;
      const verdict = options.reply({ model, text });
      const completion = completionBodyOf({ id: `chatcmpl-judge-${calls}`, created: 0, model, text: verdict, promptTokens: estimateTokens(text), completionTokens: estimateTokens(verdict) });
      return new Response(JSON.stringify(completion), { status: 200, headers: { "content-type": "application/json" } });
    },
    options.port ?? 0,
    "127.0.0.1",
  );
  return {
    url: server.url,
    close: server.close,
    get calls() {
      return calls;
    },
  };
}
