/** Shapes of the admin API's answers (docs/dashboard.md), as far as the pages read them. */
export interface Signal {
  label: string;
  mean: number | null;
  count: number;
}
export interface Quality {
  feedback: Signal;
  judge: Signal;
  rewards: Signal;
  predicted: Signal;
}
export interface Counterfactual {
  model: string;
  coverage: number;
  predictedQuality: number | null;
  predictedCostUsd: number | null;
  savingsUsd: number | null;
  savingsFraction: number | null;
}
export interface Overview {
  window: { name: string; since: number; until: number; stepMs: number };
  totals: {
    requests: number;
    requestsPerSecond: number;
    errors: number;
    errorRate: number | null;
    latencyP50Ms: number | null;
    latencyP99Ms: number | null;
    spendUsd: number;
    spendPerHourUsd: number;
    spendLast24hUsd: number;
    fallbacks: number;
    retries: number;
  };
  savings: { method: string; routed: number; routingPredictedCostUsd: number; bestSingle: Counterfactual | null; defaultModel: Counterfactual | null; models: Counterfactual[] };
  quality: Quality;
  series: Array<{
    t: number;
    requests: number;
    errors: number;
    spendUsd: number;
    latencyP50Ms: number | null;
    latencyP99Ms: number | null;
    routingPredictedCostUsd: number | null;
    bestSinglePredictedCostUsd: number | null;
    defaultPredictedCostUsd: number | null;
  }>;
}
export interface DecisionSummary {
  id: string;
  createdAt: number;
  keyId: string | null;
  requestedModel: string | null;
  servedModel: string | null;
  router: string | null;
  status: number;
  errorCode: string | null;
  latencyMs: number;
  costUsd: number | null;
  fallbacks: number;
  feedback: number | null;
  prompt: string | null;
}
export interface DecisionPage {
  data: DecisionSummary[];
  next: string | null;
}
export interface Candidate {
  model: string;
  predictedQuality: number;
  predictedCostUsd: number;
  objective: number;
  chosen: boolean;
  served: boolean;
}
export interface DecisionDetail extends DecisionSummary {
  response: string | null;
  stream: boolean;
  upstreamMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  decision: { router: string; model?: string; willingnessToPay: number; quality?: number; propensity?: number; artifact?: string; decisionMs: number; maxCostUsd?: number; arm?: string; candidates: Candidate[] } | null;
  guard: string | null;
  route: string | null;
  attempts: Array<{ target: string; attempt: number; outcome: string; status?: number; durationMs: number; waitedMs?: number; role?: string; costUsd?: number }>;
  retries: number;
  feedback: number | null;
  judge: { score: number | null; costUsd: number; at: number } | null;
  rewards: Array<{ source: string; score: number; createdAt: number }>;
}
export interface ModelRow {
  target: string;
  configured: boolean;
  requests: number;
  share: number;
  spendUsd: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  errors: number;
  errorRate: number | null;
  fallbacks: number;
  retries: number;
  breaker: string | null;
  quality: Quality;
}
export interface KeyRow {
  id: string;
  name: string;
  revoked: boolean;
  budget: { period: string; periodStart: number; periodEnd: number | null; limitUsd: number | null; spentUsd: number; reservedUsd: number; usedFraction: number | null; periodElapsedFraction: number | null; requests: number };
  limits: { rpm: number | null; tpm: number | null; models: string[] | null };
  pacing: { spentUsd: number | null; requests: number | null; willingnessMultiplier: number | null } | null;
  rateLimitHits: { sinceStart: number; traced24h: number };
  last24h: { requests: number; errors: number; spendUsd: number };
}
export interface Learning {
  active: boolean;
  learner: { routerKind: string | null; updates: number; snapshotAt: number | null };
  totals: { routed: number; explored: number; quality: Quality };
  targets: string[];
  series: Array<{ t: number; routed: number; share: Record<string, number | null>; rewardMean: number | null; rewards: number; explorationRate: number | null }>;
}
export interface DashboardConfig {
  refreshIntervalMs: number;
  targets: string[];
  defaultModel: string | null;
  learnerActive: boolean;
}
