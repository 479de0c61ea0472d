import { z } from "zod";

/** Parameters of the `mlp` router (all optional). */
export const mlpParamsSchema = z
  .object({
    /** Width of the one hidden ReLU layer (WideMLP uses 1024; 128 routed as well as 256 in cross-validation on dcrouter at half the cost). */
    hiddenSize: z.number().int().min(4).max(4096).default(128),
    /** Inverted dropout on the hidden layer while training. */
    dropout: z.number().min(0).max(0.9).default(0.2),
    /** Adam step size. */
    learningRate: z.number().positive().max(1).default(0.001),
    /** Decoupled (AdamW) weight decay. */
    weightDecay: z.number().min(0).max(1).default(0),
    batchSize: z.number().int().min(1).max(65_536).default(128),
    maxEpochs: z.number().int().min(1).max(10_000).default(40),
    /** Epochs without a better validation loss before stopping. */
    patience: z.number().int().min(1).max(1000).default(4),
    /** Share of the training prompts held out (seeded) for early stopping. */
    validationFraction: z.number().min(0).max(0.5).default(0.1),
    /**
     * Approximate multiply-adds training may spend (forward + backward over the non-zeros, Adam updates,
     * validation); the number of epochs is capped to fit. Bounds training time on large sets: about
     * 3 epochs of 100,000 prompts with ~300 non-zeros, ~35 CPU-seconds on a busy 2-core machine.
     */
    workBudget: z.number().positive().default(3e10),
  })
  .strict();

/** Parsed parameters of the `mlp` router. */
export type MlpParams = z.output<typeof mlpParamsSchema>;
