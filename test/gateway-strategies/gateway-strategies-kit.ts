import type { Decision } from "../../src/core/decision.js";
import { SwitchyardError } from "../../src/core/errors.js";
import type { Query } from "../../src/core/query.js";
import type { DecideConstraints, RoutingEngine } from "../../src/core/routing-engine.js";
import type { Target } from "../../src/core/target.js";
import { listen, type RunningServer } from "../../src/gateway/serve.js";

/** An OpenAI-compatible server whose answer text is computed from the request's last message. */
export function scriptedServer(answer: (content: string) => string, seen: string[] = []): Promise<RunningServer> {
  return listen(
    async (request) => {
      const body = (await request.json()) as { model: string; messages: Array<{ content: string }> };
      const content = body.messages[body.messages.length - 1]?.content ?? "";
      seen.push(content);
      const completion = { id: "chatcmpl-s", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content: answer(content) }, finish_reason: "stop" }], usage: { prompt_tokens: 100, completion_tokens: 2 } };
      return new Response(JSON.stringify(completion), { headers: { "content-type": "application/json" } });
    },
    0,
    "127.0.0.1",
  );
}

/**
 * A hand-written engine that honours `only` and `exclude`: it picks the most expensive allowed target
 * (so a restriction is visible in which model answers) and lists the rest as candidates. Records the
 * constraints it saw.
 */
export function priciestEngine(targets: readonly Target[]): RoutingEngine & { seen: Array<DecideConstraints | undefined> } {
  const seen: Array<DecideConstraints | undefined> = [];
  return {
    routerName: "priciest",
    targets,
    seen,
    async decide(query: Query, constraints?: DecideConstraints): Promise<Decision> {
      seen.push(constraints);
      const allowed = targets
        .filter((target) => query.options?.allowedModels === undefined || query.options.allowedModels.includes(target.id))
        .filter((target) => !constraints?.exclude?.has(target.id) && (constraints?.only === undefined || constraints.only.has(target.id)))
        .sort((a, b) => b.outputUsdPerMTok - a.outputUsdPerMTok);
      const first = allowed[0];
      if (first === undefined) throw new SwitchyardError("no_candidates", "No target left");
      const candidates = allowed.map((target, index) => ({ model: target.id, predictedQuality: 1 - index * 0.1, predictedCostUsd: target.outputUsdPerMTok / 1e6, objective: -index }));
      return { model: first.id, router: "priciest", willingnessToPay: 1, candidates, decisionMs: 0 };
    },
  };
}
