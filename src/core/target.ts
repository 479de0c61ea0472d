import { z } from "zod";

/** A model id: one of the ids Switchyard knows, or any other string. */
export type ModelId = string & {};

/** Schema of one routable upstream model (a *target*). */
export const targetSchema = z
  .object({
    /** Model id clients use and the upstream receives (unless `upstreamModel` overrides it). */
    id: z.string().min(1),
    /** Name of the upstream (provider) entry that serves this target. */
    upstream: z.string().min(1).optional(),
    /** Model name sent upstream when it differs from `id`. */
    upstreamModel: z.string().min(1).optional(),
    inputUsdPerMTok: z.number().nonnegative(),
    outputUsdPerMTok: z.number().nonnegative(),
    contextWindow: z.number().int().positive().default(128_000),
    description: z.string().optional(),
  })
  .strict();

/** One routable upstream model with its prices (USD per million tokens) and context window. */
export type Target = z.infer<typeof targetSchema>;

/** USD cost of a call to `target` with the given token counts. */
export function costUsdOf(target: Pick<Target, "inputUsdPerMTok" | "outputUsdPerMTok">, inputTokens: number, outputTokens: number): number {
  return (inputTokens * target.inputUsdPerMTok + outputTokens * target.outputUsdPerMTok) / 1_000_000;
}
