import { systemTimer, withinLatencyBudget, type Timer } from "../../guard/latency-budget.js";
import type { CancelSignal } from "../../resilience/cancel-signal.js";

/**
 * Sends a prompt to the judge model (a configured target) and returns its reply text; the gateway
 * provides it. `signal` is aborted when the latency budget runs out, so a late call stops.
 */
export type JudgeFunction = (prompt: string, signal?: CancelSignal) => Promise<string>;

/** What the judge said: a route (`null` = none fits, use the default), or why its answer is not used. */
export type JudgeOutcome = { status: "ok"; route: string | null } | { status: "timeout" | "unparseable" | "error" };

/** A route as the judge reads it. */
export interface JudgedRoute {
  name: string;
  description: string;
}

/**
 * Arch-Router's prompt (Tran et al., 2025, "Arch-Router: Aligning LLM Routing with Human Preferences"):
 * the routes as JSON inside `<routes>`, the conversation inside `<conversation>`, and the instruction
 * to answer `{"route": "name"}` or `{"route": "other"}`.
 */
export function archRouterPrompt(routes: readonly JudgedRoute[], text: string): string {
  return [
    "You are a helpful assistant designed to find the best suited route.",
    "You are provided with route description within <routes></routes> XML tags:",
    "<routes>",
    JSON.stringify(routes.map((route) => ({ name: route.name, description: route.description }))),
    "</routes>",
    "",
    "<conversation>",
    JSON.stringify([{ role: "user", content: text }]),
    "</conversation>",
    "",
    "Your task is to decide which route is best suit with user intent on the conversation in <conversation></conversation> XML tags. Follow the instruction:",
    '1. If the latest intent from user is irrelevant or user intent is full filled, response with other route {"route": "other"}.',
    "2. Analyze the route descriptions and find the best match route for user latest intent.",
    "3. Respond only with the route name that best matches the user's request, using the exact name in the <routes> block.",
    "Based on your analysis, provide your response in the following JSON formats if you decide to match any route:",
    '{"route": "route_name"}',
  ].join("\n");
}

/**
 * Reads a judge reply tolerantly: `{"route": "name"}` anywhere in it, else a reply that is exactly a
 * route name (quotes and punctuation ignored). `other`/`none`/`default` mean no route (`null`);
 * anything else is `undefined` (unparseable).
 */
export function parseJudgeReply(reply: string, routeNames: readonly string[]): string | null | undefined {
  const known = new Map(routeNames.map((name) => [name.toLowerCase(), name]));
  const resolve = (candidate: string): string | null | undefined => {
    const key = candidate.trim().toLowerCase();
    if (key === "other" || key === "none" || key === "default") return null;
    return known.get(key);
  };
  const json = /\{\s*"route"\s*:\s*"([^"]*)"\s*\}/u.exec(reply);
  if (json) return resolve(json[1]!);
  const bare = reply.trim().replace(/^[\s"'`]+|[\s"'`.!]+$/gu, "");
  return bare.length > 0 ? resolve(bare) : undefined;
}

/** Options of {@link createLlmJudge}. */
export interface LlmJudgeOptions {
  judge: JudgeFunction;
  /** After this many milliseconds the matcher's decision stands. */
  latencyBudgetMs: number;
  timer?: Timer;
  prompt?: (routes: readonly JudgedRoute[], text: string) => string;
}

/** An LLM judge that picks a route from the descriptions within a latency budget. */
export interface LlmJudge {
  readonly latencyBudgetMs: number;
  pick(text: string, routes: readonly JudgedRoute[]): Promise<JudgeOutcome>;
}

/**
 * Asks a judge model which route fits (Arch-Router's design: the model reads the route descriptions),
 * racing it against the latency budget so the hot path never waits long; a late, failed or unreadable
 * answer leaves the embedding decision standing.
 *
 * @example
 * const judge = createLlmJudge({ judge: (prompt) => complete("arch-router", prompt), latencyBudgetMs: 150 });
 * const outcome = await judge.pick("fix this stack trace", routes); // { status: "ok", route: "code" }
 */
export function createLlmJudge(options: LlmJudgeOptions): LlmJudge {
  const timer = options.timer ?? systemTimer;
  const buildPrompt = options.prompt ?? archRouterPrompt;
  return {
    latencyBudgetMs: options.latencyBudgetMs,
    async pick(text, routes) {
      const controller = new AbortController();
      let work: Promise<string>;
      try {
        work = options.judge(buildPrompt(routes, text), controller.signal);
      } catch (error) {
        work = Promise.reject(error);
      }
      const outcome = await withinLatencyBudget(work, options.latencyBudgetMs, timer);
      // A late judge is not waited for, and its call is aborted (the upstream connection is freed).
      if (outcome.status === "timeout") controller.abort();
      if (outcome.status !== "done") return { status: outcome.status };
      const route = parseJudgeReply(outcome.value, routes.map((route) => route.name));
      return route === undefined ? { status: "unparseable" } : { status: "ok", route };
    },
  };
}
