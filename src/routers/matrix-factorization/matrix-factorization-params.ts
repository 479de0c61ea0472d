import { z } from "zod";

/** Parameters of the `matrix-factorization` router (all optional). */
export const matrixFactorizationParamsSchema = z
  .object({
    /** Width d of the prompt projection and of each model vector (RouteLLM uses 128). */
    dimension: z.number().int().min(1).max(1024).default(64),
    learningRate: z.number().positive().max(1).default(0.003),
    /** Decoupled (AdamW) weight decay on the projection and the model vectors. */
    weightDecay: z.number().min(0).max(1).default(0),
    /** Prompts per mini-batch. */
    batchSize: z.number().int().min(1).max(65_536).default(64),
    maxEpochs: z.number().int().min(1).max(10_000).default(40),
    patience: z.number().int().min(1).max(1000).default(4),
    /** Share of the prompts held out (seeded) for early stopping. */
    validationFraction: z.number().min(0).max(0.5).default(0.1),
    /**
     * Approximate multiply-adds training may spend (projection forward + backward over the non-zeros,
     * model scores, Adam updates, validation); the number of epochs is capped to fit.
     */
    workBudget: z.number().positive().default(2e10),
  })
  .strict();

/** Parsed parameters of the `matrix-factorization` router. */
export type MatrixFactorizationParams = z.output<typeof matrixFactorizationParamsSchema>;
