import type { Context } from "hono";
import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import type { Target } from "../../core/target.js";
import { estimateTokens } from "../../core/tokens.js";
import { assertModelAllowed } from "../../limits/api-key-service.js";
import { withEmbeddingEncoding } from "../../providers/embedding-encoding.js";
import type { UpstreamResponse } from "../../providers/upstream-client.js";
import { errorResponse, toSwitchyardError } from "../error-response.js";
import type { GatewayContext } from "../gateway-context.js";
import { readJsonBody } from "../read-json-body.js";
import { requestIdOf } from "../request-id.js";
import { reserveWorstCase } from "../reserve-worst-case.js";
import { EmbeddingWorstCases } from "../../limits/embedding-worst-cases.js";
import { createRequestScope, type TokenUsage } from "../request-scope.js";
import { costHeader } from "./chat-completions.js";

/** Schema of an embeddings request: what the gateway reads is checked, other fields pass through. */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string({ error: "required: a target id" }).min(1).max(256),
  input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number().int()).min(1), z.array(z.array(z.number().int()).min(1)).min(1)], {
    error: "expected a string, an array of strings, or token arrays",
  }),
  encoding_format: z.enum(["float", "base64"], { error: 'expected "float" or "base64"' }).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().max(256).optional(),
});

/**
 * `POST /v1/embeddings` on a named target (embeddings are not routed: vectors from different models
 * are not comparable). Upstreams are asked for floats; the answer comes in the encoding the client
 * asked for (`base64` is what the official SDKs request by default). Keys, budgets, retries, breakers,
 * traces and metrics apply as for chat completions.
 */
export function createEmbeddingsHandler(context: GatewayContext): (c: Context) => Promise<Response> {
  const { config, upstreamClient, logger, services } = context;
  return async (c) => {
    const requestId = requestIdOf();
    const scope = createRequestScope({
      services,
      endpoint: "/v1/embeddings",
      requestId,
      now: context.now,
      logger,
      logRequests: context.logRequests,
      requestLogger: context.requestLogger,
      storeText: false,
      isKnownModel: (model) => context.targetsById.has(model),
    });
    const headers: Record<string, string> = { "x-request-id": requestId };
    let servedTarget: Target | undefined;
    try {
      if (services.lifecycle.draining) throw new SwitchyardError("unavailable", "The gateway is shutting down", { retryAfterSeconds: 1 });
      scope.key = await services.authenticate((name) => c.req.header(name));
      const parsed = embeddingsRequestSchema.safeParse(await readJsonBody(c.req.raw, config.server.maxBodyBytes, { maxDepth: config.server.maxJsonDepth }));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const param = issue?.path.map(String).join(".") || null;
        throw new SwitchyardError("invalid_request", `Invalid request: ${param ? `${param}: ` : ""}${issue?.message ?? "invalid"}`, { param });
      }
      const request = parsed.data;
      scope.requestedModel = request.model;
      const target = context.targetsById.get(request.model);
      if (target === undefined) {
        throw new SwitchyardError("model_not_found", `The embedding model "${request.model}" is not a configured target (embeddings are not routed: name the target)`, { param: "model" });
      }
      const upstream = context.upstreamsByName.get(target.upstream ?? "");
      if (upstream === undefined) throw new SwitchyardError("internal_error", `Target "${target.id}" has no configured upstream`);
      const client = upstreamClient.embeddings?.bind(upstreamClient);
      if (client === undefined) throw new SwitchyardError("invalid_request", "This gateway's upstream client does not support embeddings", { param: "model" });
      const key = scope.key;
      const inputTokens = tokensOf(request.input);
      // The worst case: every input byte a token (or the tokenizer's count when that does not fit).
      const worstCases = new EmbeddingWorstCases(request.input);
      scope.worstCases = worstCases;
      if (key !== null) {
        assertModelAllowed(key, request.model);
        scope.admittedTokens = inputTokens;
        const admitted = services.limiter.admit(key.id, key, inputTokens);
        if (admitted !== undefined) await admitted;
        scope.reservation = await reserveWorstCase(services.budgets, key, worstCases, target);
      }
      scope.routed = true;
      const { encoding_format: encoding, ...rest } = request;
      const { value: response } = await services.executor.execute<UpstreamResponse>({
        candidates: [target.id],
        call: () => client({ target, upstream, body: { ...rest, model: target.upstreamModel ?? target.id }, signal: c.req.raw.signal, requestId }),
        onAttempt: (attempt) => {
          scope.attempts.push(attempt);
          services.metrics.recordAttempt(attempt.target, attempt.outcome, attempt.durationMs);
        },
        signal: c.req.raw.signal,
      });
      servedTarget = target;
      if (response.body.kind !== "json") throw new SwitchyardError("upstream_error", `Upstream "${upstream.name}" streamed an embeddings answer`);
      const answer: Record<string, unknown> = { ...withEmbeddingEncoding(response.body.value, encoding ?? "float", upstream.name), model: target.id };
      const usage = (answer.usage ?? undefined) as TokenUsage | undefined;
      const cost = scope.costOf(target, usage);
      if (cost !== null) headers[costHeader] = String(Number(cost.toPrecision(6)));
      scope.finish({ status: 200, target, usage });
      return new Response(JSON.stringify(answer), { status: 200, headers: { ...headers, "content-type": "application/json" } });
    } catch (error) {
      const switchyardError = toSwitchyardError(error);
      scope.finish({ status: switchyardError.status, error: switchyardError, target: servedTarget });
      return errorResponse(switchyardError, { logger, requestId, headers });
    }
  };
}

/** Estimated tokens of an embeddings input (token arrays count exactly). */
function tokensOf(input: string | string[] | number[] | number[][]): number {
  if (typeof input === "string") return estimateTokens(input);
  let total = 0;
  for (const item of input) total += typeof item === "string" ? estimateTokens(item) : Array.isArray(item) ? item.length : 1;
  return total;
}
