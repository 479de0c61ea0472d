import { z } from "zod";

/** Parameters of the `cluster` router (all optional). */
export const clusterParamsSchema = z
  .object({
    /** Number of k-means clusters K (40 beat 10, 20 and 80 in cross-validation on dcrouter; 20 ≈ 40 on RouterBench). */
    clusters: z.number().int().min(1).max(1000).default(40),
    /** Pseudo-count of prompts pulling each cluster's quality toward the model's overall mean. */
    shrinkage: z.number().min(0).max(1e6).default(10),
    /** "soft": mix the nearest `neighbours` centroids by a softmax over −distance² / temperature; "hard": nearest only. */
    assignment: z.enum(["soft", "hard"]).default("soft"),
    temperature: z.number().positive().max(100).default(0.02),
    neighbours: z.number().int().min(1).max(1000).default(3),
    maxIterations: z.number().int().min(1).max(1000).default(50),
    /** Prompts k-means is fitted on at most (a seeded sample; every prompt is then assigned). */
    fitSampleSize: z.number().int().min(1).default(10_000),
  })
  .strict();

/** Parsed parameters of the `cluster` router. */
export type ClusterParams = z.output<typeof clusterParamsSchema>;

/** The parameters that shape predictions (kept in the state). */
export type ClusterAssignmentParams = Pick<ClusterParams, "assignment" | "temperature" | "neighbours" | "shrinkage">;
