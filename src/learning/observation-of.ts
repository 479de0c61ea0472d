import type { OnlineObservation } from "../routers/online-router.js";
import { decodeRouteInput } from "./route-input-codec.js";

/**
 * The observation an online router learns from one reward, built from stored bytes — the same way when
 * learning live and when a restart replays the log, so both give the same state.
 */
export function observationOf(input: Uint8Array, model: string, reward: number, costUsd: number | null, predictedCostUsd: number | null): OnlineObservation {
  const observation: OnlineObservation = { input: decodeRouteInput(input), model, reward };
  if (costUsd !== null) observation.costUsd = costUsd;
  if (predictedCostUsd !== null) observation.predictedCostUsd = predictedCostUsd;
  return observation;
}
