import type { Context } from "hono";
import { SwitchyardError } from "../../core/errors.js";
import { autoModel } from "../choose-target.js";
import type { GatewayContext } from "../gateway-context.js";
import { noRouterName } from "../no-router-engine.js";

/** One entry of OpenAI's model list. */
export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** `auto` (the router; absent on a plain gateway without one) followed by every configured target, in config order. */
export function modelEntriesOf(context: GatewayContext): ModelEntry[] {
  const created = Math.floor(context.now() / 1000);
  const routed = context.engine.routerName !== noRouterName;
  return [
    ...(routed ? [{ id: autoModel, object: "model" as const, created, owned_by: "switchyard" }] : []),
    ...[...context.targetsById.values()].map((target): ModelEntry => ({ id: target.id, object: "model", created, owned_by: target.upstream ?? "switchyard" })),
  ];
}

/**
 * `GET /v1/models` and `GET /v1/models/:model` in OpenAI's shapes, limited to what the request's key
 * may use: a key restricted to some models sees `auto` and those (others are 404, as if they did not
 * exist). The unrestricted list is serialised once, when the gateway is built, since targets do not
 * change while it runs.
 */
export function createModelsHandlers(context: GatewayContext): { list: (c: Context) => Promise<Response>; retrieve: (c: Context) => Promise<Response> } {
  const entries = modelEntriesOf(context);
  const listText = JSON.stringify({ object: "list", data: entries });
  const entryTexts = new Map(entries.map((entry) => [entry.id, JSON.stringify(entry)]));
  const json = { "content-type": "application/json" };
  const visibleTo = async (c: Context): Promise<ReadonlySet<string> | undefined> => {
    const key = await context.services.authenticate((name) => c.req.header(name));
    return key?.models ? new Set([autoModel, ...key.models]) : undefined;
  };
  return {
    list: async (c) => {
      const visible = await visibleTo(c);
      const text = visible === undefined ? listText : JSON.stringify({ object: "list", data: entries.filter((entry) => visible.has(entry.id)) });
      return new Response(text, { status: 200, headers: json });
    },
    retrieve: async (c) => {
      const visible = await visibleTo(c);
      const id = c.req.param("model") ?? "";
      const text = visible === undefined || visible.has(id) ? entryTexts.get(id) : undefined;
      if (text === undefined) throw new SwitchyardError("model_not_found", `The model "${id}" does not exist`, { param: "model" });
      return new Response(text, { status: 200, headers: json });
    },
  };
}
