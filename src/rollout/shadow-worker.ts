/**
 * Worker-thread entry of a shadow arm (see `shadow-arm.ts`): loads the shadow artifact, builds its
 * routing engine, then decides each query it is sent and posts the decision back. Only started by
 * `startShadowArm`; it touches nothing but its artifact file.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { createRoutingEngine } from "../core/create-routing-engine.js";
import type { Query } from "../core/query.js";
import type { Target } from "../core/target.js";
import type { ShadowAnswer, ShadowQuestion } from "./shadow-arm.js";
import { loadVersionedArtifact } from "./versioned-artifact.js";

interface ShadowWorkerData {
  path: string;
  targets: Target[];
  defaultQuality?: number;
}

const port = parentPort;
if (port !== null) {
  // Shadow decisions are best effort: on Linux a nice value is per thread, so this lowers only this
  // worker, and a busy machine gives the serving thread the CPU first (the backlog bound drops the rest).
  try {
    setPriority(19);
  } catch {
    // Not permitted or not supported here: the shadow runs at normal priority.
  }
  const data = workerData as ShadowWorkerData;
  try {
    const { artifact, version } = await loadVersionedArtifact(data.path);
    const engine = await createRoutingEngine({ artifact, targets: data.targets, defaultQuality: data.defaultQuality });
    // Answers decided in one turn go back in one message (one wake-up of the serving thread).
    let answers: ShadowAnswer[] = [];
    const answer = (result: ShadowAnswer) => {
      if (answers.length === 0) {
        setImmediate(() => {
          port.postMessage({ answers });
          answers = [];
        });
      }
      answers.push(result);
    };
    port.on("message", (message: { questions: ShadowQuestion[] }) => {
      for (const { id, query, constraints } of message.questions) {
        engine.decide(query as Query, constraints).then(
          (decision) => {
            const chosen = decision.candidates.find((candidate) => candidate.model === decision.model);
            answer({ id, model: decision.model, predictedQuality: chosen?.predictedQuality, predictedCostUsd: chosen?.predictedCostUsd, decisionMs: decision.decisionMs });
          },
          (error: unknown) => answer({ id, error: error instanceof Error ? error.message : String(error) }),
        );
      }
    });
    port.postMessage({ ready: true, version, router: engine.routerName });
  } catch (error) {
    port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error), code: (error as { code?: unknown }).code });
  }
}
