import type { Context } from "hono";
import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import type { AdminKey } from "../../limits/admin-key.js";
import { presentedKeyOf } from "../../limits/api-key-service.js";
import type { RolloutController } from "../../rollout/rollout-controller.js";
import { readJsonBody } from "../read-json-body.js";

/** Body of `POST /admin/reload` (every field optional; `{}` reloads the configured `router.artifact`). */
export const reloadRequestSchema = z
  .object({
    artifact: z.string().min(1).optional(),
    rollback: z.boolean().optional(),
    shadow: z.string().min(1).nullable().optional(),
    canary: z.object({ artifact: z.string().min(1), share: z.number().min(0).max(1) }).strict().nullable().optional(),
  })
  .strict();

/** Checks the admin key a request presents (`Authorization: Bearer …` or `x-api-key`), in constant time (see `createAdminKey`). */
export function createAdminGate(adminKey: AdminKey): (header: (name: string) => string | undefined) => void {
  return (header) => {
    if (presentedKeyOf(header) === undefined) throw new SwitchyardError("unauthorized", `The admin endpoints need the admin key (${adminKey.keyEnv}) as "Authorization: Bearer …"`);
    if (!adminKey.matches(header)) throw new SwitchyardError("forbidden", "The key presented is not the admin key");
  };
}

/**
 * `POST /admin/reload` — `{artifact?, rollback?, shadow?, canary?}` — and `GET /admin/rollout`, both
 * behind the admin key. Answers `{object: "rollout", artifact, shadow, canary, previous, reloads}`; a
 * failed reload is `reload_failed` (422) and the gateway keeps what it served.
 */
export function createAdminHandlers(rollout: RolloutController, adminKey: AdminKey): { reload: (c: Context) => Promise<Response>; status: (c: Context) => Response } {
  const check = createAdminGate(adminKey);
  const reply = (value: unknown) => new Response(JSON.stringify({ object: "rollout", ...(value as object) }), { status: 200, headers: { "content-type": "application/json" } });
  return {
    async reload(c) {
      check((name) => c.req.header(name));
      // The body is optional: `curl -X POST …/admin/reload` with no body reloads the configured artifact.
      const empty = c.req.header("content-type") === undefined && (c.req.header("content-length") ?? "0") === "0";
      const parsed = reloadRequestSchema.safeParse(empty ? {} : await readJsonBody(c.req.raw, 64 * 1024));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const param = issue?.code === "unrecognized_keys" ? (issue.keys[0] ?? null) : issue?.path.map(String).join(".") || null;
        const message = issue?.code === "unrecognized_keys" ? `unknown field "${issue.keys.join('", "')}"` : (issue?.message ?? "invalid");
        throw new SwitchyardError("invalid_request", `Invalid reload request: ${param && issue?.code !== "unrecognized_keys" ? `${param}: ` : ""}${message}`, { param });
      }
      return reply(await rollout.reload(parsed.data));
    },
    status(c) {
      check((name) => c.req.header(name));
      return reply(rollout.status());
    },
  };
}
