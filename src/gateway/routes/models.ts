import type { Context } from "hono";
import { SwitchyardError } from "../../core/errors.js";
import { autoModel } from "../choose-target.js";
import type { GatewayContext } from "../gateway-context.js";

/** One entry of OpenAI's model list. */
export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** `auto` (the router) followed by every configured target, in config order. */
export function modelEntriesOf(context: GatewayContext): ModelEntry[] {
  const created = Math.floor(context.now() / 1000);
  return [
    { id: autoModel, object: "model", created, owned_by: "switchyard" },
    ...[...context.targetsById.values()].map((target): ModelEntry => ({ id: target.id, object: "model", created, owned_by: target.upstream ?? "switchyard" })),
  ];
}

/**
 * `GET /v1/models` and `GET /v1/models/:model` in OpenAI's shapes. The list is serialised once, when the
 * gateway is built, since targets do not change while it runs.
 */
export function createModelsHandlers(context: GatewayContext): { list: (c: Context) => Response; retrieve: (c: Context) => Response } {
  const entries = modelEntriesOf(context);
  const listText = JSON.stringify({ object: "list", data: entries });
  const entryTexts = new Map(entries.map((entry) => [entry.id, JSON.stringify(entry)]));
  const json = { "content-type": "application/json" };
  return {
    list: () => new Response(listText, { status: 200, headers: json }),
    retrieve: (c) => {
      const id = c.req.param("model") ?? "";
      const text = entryTexts.get(id);
      if (text === undefined) throw new SwitchyardError("model_not_found", `The model "${id}" does not exist`, { param: "model" });
      return new Response(text, { status: 200, headers: json });
    },
  };
}
