/**
 * One logged decision joined with the candidate router's decision on the same prompt and candidate set:
 * everything the estimators and the refusals need, and nothing else.
 */
export interface OpeRow {
  id: string;
  /** The model the logging policy served. */
  loggedModel: string;
  /** μ(loggedModel | x): the logging policy's propensity, in (0, 1]. */
  propensity: number;
  /** Observed reward in [0, 1], when the row has one. */
  reward?: number;
  /** Realised USD cost of the logged answer. */
  costUsd: number;
  /** The model the candidate router chooses on this prompt (deterministically). */
  candidateModel: string;
  /** The candidate's predicted quality of its own choice and of the logged model. */
  predictedQualityOfChoice: number;
  predictedQualityOfLogged: number;
  /** The candidate's predicted USD cost of its own choice and of the logged model. */
  predictedCostOfChoice: number;
  predictedCostOfLogged: number;
}
