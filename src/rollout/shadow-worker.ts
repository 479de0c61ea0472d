/**
 * Worker-thread entry of a shadow arm (see `shadow-arm.ts`): loads the shadow artifact, builds its
 * routing engine, then decides each query it is sent and posts the decision back. Only started by
 * `startShadowArm`; it touches nothing but its artifact file.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createRoutingEngine } from "../core/create-routing-engine.js";
import type { Query } from "../core/query.js";
import type { Target } from "../core/target.js";
import type { ShadowAnswer, ShadowQuestion } from "./shadow-arm.js";
import { lowerThreadPriority } from "../util/lower-thread-priority.js";
import { loadVersionedArtifact } from "./versioned-artifact.js";

interface ShadowWorkerData {
  path: string;
  targets: Target[];
  defaultQuality?: number;
}

const port = parentPort;
if (port !== null) {
  // Shadow decisions are best effort: the serving thread gets the CPU first (the backlog bound drops the rest).
  await lowerThreadPriority();
  const data = workerData as ShadowWorkerData;
  try {
    const { artifact, version } = await loadVersionedArtifact(data.path);
    const engine = await createRoutingEngine({ artifact, targets: data.targets, defaultQuality: data.defaultQuality });
    // One message of answers per message of questions (one wake-up of the serving thread per batch), sent
    // as soon as that batch is decided, so no answer waits for later work.
    port.on("message", (message: { questions: ShadowQuestion[] }) => {
      void Promise.all(
        message.questions.map(({ id, query, constraints }) =>
          engine.decide(query as Query, constraints).then(
            (decision): ShadowAnswer => {
              const chosen = decision.candidates.find((candidate) => candidate.model === decision.model);
              return { id, model: decision.model, predictedQuality: chosen?.predictedQuality, predictedCostUsd: chosen?.predictedCostUsd, decisionMs: decision.decisionMs };
            },
            (error: unknown): ShadowAnswer => ({ id, error: error instanceof Error ? error.message : String(error) }),
          ),
        ),
      ).then((answers) => port.postMessage({ answers }));
    });
    port.postMessage({ ready: true, version, router: engine.routerName });
  } catch (error) {
    port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error), code: (error as { code?: unknown }).code });
  }
}
