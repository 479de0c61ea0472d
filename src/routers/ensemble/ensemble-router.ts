import type { Router, RouteInput, RouterState } from "../router.js";
import { applyRidge } from "./ridge-blend.js";
import { scaledPromptFeatures, type FeatureScaling } from "../../features/prompt-feature-scaling.js";
import { metaRow, type MetaFeatureSet } from "./meta-features.js";
import type { MemberView, ViewMapper } from "./member-view.js";

/** How the members' predictions are combined. */
export type MetaModel =
  | { kind: "member"; member: number }
  | { kind: "average" }
  | { kind: "ridge"; features: MetaFeatureSet; penalty: number; scaling: FeatureScaling; weights: Float64Array[] };

/** One trained member with the view it reads the query through. */
export interface EnsembleMember {
  router: Router;
  view: ViewMapper;
  /** Name of the view (`prompt` members can stand alone as plain routers). */
  viewName: MemberView;
  /** Position of each ensemble model in the member's `models` (−1: unknown, predicted 0). */
  positions: readonly number[];
}

/**
 * Stacked ensemble (stacked generalisation, Wolpert 1992; Breiman 1996 "Stacked Regressions"): each
 * member router predicts every model's quality, and a small meta-model fitted on the members'
 * out-of-fold predictions of the training split combines them: one member, their average, or a ridge
 * regression per model on the members' predictions (optionally of all models, plus prompt features).
 */
export class EnsembleRouter implements Router {
  readonly kind = "ensemble";
  readonly followsObjective = true;
  readonly models: readonly string[];
  readonly meta: MetaModel;
  private readonly members: readonly EnsembleMember[];
  private readonly toStateFunction: () => RouterState;

  constructor(options: { models: readonly string[]; members: readonly EnsembleMember[]; meta: MetaModel; toState: () => RouterState }) {
    this.models = options.models;
    this.members = options.members;
    this.meta = options.meta;
    this.toStateFunction = options.toState;
  }

  /** The member routers, in member order. */
  get memberRouters(): readonly Router[] {
    return this.members.map((member) => member.router);
  }

  /** Each member's predictions, aligned with `models` (empty for members the meta-model does not read). */
  memberPredictions(input: RouteInput): Float64Array[] {
    const { members, meta } = this;
    const result = new Array<Float64Array>(members.length);
    for (let k = 0; k < members.length; k++) {
      if (meta.kind === "member" && meta.member !== k) {
        result[k] = new Float64Array(0);
        continue;
      }
      const member = members[k]!;
      const predicted = member.router.predictQuality(member.view(input));
      const { positions } = member;
      const aligned = new Float64Array(positions.length);
      for (let j = 0; j < positions.length; j++) {
        const p = positions[j]!;
        aligned[j] = p >= 0 ? predicted[p]! : 0;
      }
      result[k] = aligned;
    }
    return result;
  }

  /** The member router itself when the meta-model is one prompt-view member alone (it can then be served plainly). */
  soleMember(): Router | undefined {
    if (this.meta.kind !== "member") return undefined;
    const member = this.members[this.meta.member];
    return member && member.viewName === "prompt" ? member.router : undefined;
  }

  predictQuality(input: RouteInput): Float64Array {
    return combine(this.meta, this.memberPredictions(input), this.models.length, this.meta.kind === "ridge" && this.meta.features === "cross" ? input.text : undefined);
  }

  explain(input: RouteInput): string[] {
    const predictions = this.memberPredictions(input);
    const lines = [`meta-model: ${describeMeta(this.meta)}`];
    predictions.forEach((prediction, k) => {
      if (prediction.length > 0) lines.push(`member ${k} (${this.members[k]!.router.kind}): ${Array.from(prediction, (q) => q.toFixed(3)).join(" ")}`);
    });
    return lines;
  }

  toState(): RouterState {
    return this.toStateFunction();
  }
}

/** One-line description of a meta-model. */
export function describeMeta(meta: MetaModel): string {
  if (meta.kind === "member") return `member ${meta.member} alone`;
  if (meta.kind === "average") return "average of members";
  return `ridge (${meta.features} features, λ=${meta.penalty})`;
}

/** Applies a meta-model to members' predictions (`text` is needed by `cross` ridge for prompt features). */
export function combine(meta: MetaModel, members: readonly Float64Array[], modelCount: number, text: string | undefined, promptFeatures?: Float64Array): Float64Array {
  const output = new Float64Array(modelCount);
  if (meta.kind === "member") {
    output.set(members[meta.member]!);
  } else if (meta.kind === "average") {
    for (const prediction of members) for (let j = 0; j < modelCount; j++) output[j]! += prediction[j]! / members.length;
  } else if (meta.features === "own") {
    for (let j = 0; j < modelCount; j++) output[j] = applyRidge(metaRow("own", members, j, undefined), meta.weights[j]!, 1, 0);
  } else {
    const features = promptFeatures ?? (text !== undefined ? scaledPromptFeatures(text, meta.scaling) : undefined);
    const row = metaRow("cross", members, 0, features);
    for (let j = 0; j < modelCount; j++) output[j] = applyRidge(row, meta.weights[0]!, modelCount, j);
  }
  for (let j = 0; j < modelCount; j++) output[j] = Math.min(1, Math.max(0, output[j]!));
  return output;
}
