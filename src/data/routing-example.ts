/** What one model did on one prompt. */
export interface Outcome {
  /** Quality in [0, 1] (mostly 0/1 correctness). */
  score: number;
  /** USD the answer cost. */
  costUsd: number;
  inputTokens?: number;
  outputTokens?: number;
  /** The model's recorded answer, when the dataset has it (RouterBench). */
  response?: string;
}

/** One prompt of a routing dataset with every model's outcome on it. */
export interface RoutingExample {
  id: string;
  prompt: string;
  task?: string;
  split?: string;
  /** True where RouteLLM marks the prompt as contaminated (excluded from its evaluation). */
  contaminated?: boolean;
  outcomes: Record<string, Outcome>;
}

/** Prices of a dataset's model as its `models.json` lists them. */
export interface DatasetModel {
  id: string;
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  description?: string;
}

/** A loaded routing dataset. */
export interface RoutingDataset {
  /** Path it was read from. */
  source: string;
  examples: RoutingExample[];
  /** Model ids that have an outcome on every example, in a stable order. */
  models: string[];
  /** Prices from `models.json` beside the file, when present. */
  modelInfo: DatasetModel[];
  /**
   * What the reader noticed but did not treat as an error (rows skipped for a missing score or cost,
   * examples lacking some model). Empty or absent when the data is complete.
   */
  warnings?: string[];
}
