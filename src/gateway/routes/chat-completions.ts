import type { Context } from "hono";
import { SwitchyardError } from "../../core/errors.js";
import type { Target } from "../../core/target.js";
import { transportError } from "../../providers/upstream-client.js";
import type { UpstreamResponse } from "../../providers/upstream-client.js";
import { parseChatCompletionRequest } from "../chat-request.js";
import type { ChatCompletionRequest } from "../chat-request.js";
import { chooseTarget, qualityHeader } from "../choose-target.js";
import { decisionHeaders } from "../decision-headers.js";
import { errorResponse, logError } from "../error-response.js";
import type { CompletionRecord, GatewayContext } from "../gateway-context.js";
import { readJsonBody } from "../read-json-body.js";
import { requestIdOf } from "../request-id.js";
import { sseResponseStream } from "../sse-response-stream.js";
import { createSseStreamTap } from "../sse-stream-tap.js";
import type { StreamUsage } from "../sse-stream-tap.js";

/** Switchyard's request extensions, which upstreams must not see. */
const ownFields = new Set(["allowed_models", "quality"]);

/**
 * `POST /v1/chat/completions`: read and validate the body, choose the target (routing for `auto`),
 * forward to its upstream, and answer with the upstream's JSON or SSE stream plus decision headers.
 * Every failure goes through `errorResponse`, carrying `x-request-id` and whatever decision headers are known.
 */
export function createChatCompletionsHandler(context: GatewayContext): (c: Context) => Promise<Response> {
  const { config, upstreamClient, logger } = context;
  return async (c) => {
    const startedAt = context.now();
    const requestId = requestIdOf(c.req.header("x-request-id"));
    let headers: Record<string, string> = { "x-request-id": requestId };
    try {
      const body = await readJsonBody(c.req.raw, config.server.maxBodyBytes);
      const request = parseChatCompletionRequest(body);
      const { target, decision } = await chooseTarget(context, request, c.req.header(qualityHeader));
      headers = { ...headers, ...decisionHeaders(target.id, decision) };
      const upstream = context.upstreamsByName.get(target.upstream ?? "");
      if (upstream === undefined) throw new SwitchyardError("internal_error", `Target "${target.id}" has no configured upstream`);

      const stream = request.stream === true;
      const clientWantsUsage = request.stream_options?.include_usage === true;
      const response = await upstreamClient.chatCompletion({
        target,
        upstream,
        body: forwardedBody(request, target, stream),
        signal: c.req.raw.signal,
        requestId,
      });
      const record = (usage: StreamUsage | undefined): void =>
        notify(context, { requestId, targetId: target.id, decision, stream, usage, durationMs: context.now() - startedAt });

      if (response.body.kind === "stream") {
        let streamUsage: StreamUsage | undefined;
        const sse = sseResponseStream({
          chunks: response.body.chunks,
          tap: createSseStreamTap({ dropUsageChunk: !clientWantsUsage, onUsage: (usage) => (streamUsage = usage), model: target.id }),
          toError: (error) => transportError(error, upstream.name),
          onError: (error) => logError(error, { logger, requestId }),
          onComplete: () => record(streamUsage),
        });
        return new Response(sse, {
          status: response.status,
          headers: { ...headers, "content-type": contentTypeOf(response), "cache-control": "no-cache" },
        });
      }

      const value = response.body.value;
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new SwitchyardError("upstream_error", `Upstream "${upstream.name}" answered with JSON that is not a chat completion`);
      }
      const completion = value as { model?: unknown; usage?: StreamUsage };
      // Re-serialise only when the upstream named the model differently from the target id.
      const text = completion.model === target.id ? response.body.text : JSON.stringify({ ...completion, model: target.id });
      record(completion.usage ?? undefined);
      return new Response(text, { status: response.status, headers: { ...headers, "content-type": "application/json" } });
    } catch (error) {
      return errorResponse(error, { logger, requestId, headers });
    }
  };
}

/**
 * The body sent upstream: the client's fields minus Switchyard's own, `model` set to what the upstream
 * calls the target, and, for streams, `stream_options.include_usage` so usage is always known.
 */
function forwardedBody(request: ChatCompletionRequest, target: Target, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key in request) {
    if (!ownFields.has(key)) body[key] = request[key];
  }
  body.model = target.upstreamModel ?? target.id;
  if (stream) body.stream_options = { ...request.stream_options, include_usage: true };
  return body;
}

function contentTypeOf(response: UpstreamResponse): string {
  const value = response.headers["content-type"];
  return (Array.isArray(value) ? value[0] : value) ?? "text/event-stream";
}

function notify(context: GatewayContext, record: CompletionRecord): void {
  if (context.onCompletion === undefined) return;
  try {
    context.onCompletion(record);
  } catch (error) {
    context.logger.error({ requestId: record.requestId, error: error instanceof Error ? error.message : String(error) }, "onCompletion observer failed");
  }
}
