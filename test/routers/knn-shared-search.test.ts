import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { routerTrainerFor } from "../../src/routers/create-router-trainer.js";
import { EnsembleRouter } from "../../src/routers/ensemble/index.js";
import { DenseSimilarityIndex, KnnRouter, TaskKnnRouter, type SimilarityIndex } from "../../src/routers/knn/index.js";
import { NeighbourSearch } from "../../src/routers/knn/neighbour-search.js";
import { topKByHeap } from "../../src/routers/knn/top-k-heap.js";
import type { Router, RouteInput, RouterState } from "../../src/routers/router.js";
import type { TrainingSet } from "../../src/routers/router-trainer.js";
import { fitQuestionEmbedder, questionTrainingSet, type MemberView } from "../../src/routers/ensemble/member-view.js";
import { sharedOutOfFoldPredictions } from "../../src/routers/ensemble/shared-out-of-fold.js";
import { kFoldIndices, outOfFoldPredictions, trainerFoldPredictor } from "../../src/training/cross-validation.js";
import { inputOf, twoFamilySet } from "./learned-routers-fixture.js";

/** Wraps an index and counts its scans. */
function countingIndex(index: SimilarityIndex): SimilarityIndex & { scans: number } {
  const counting = {
    size: index.size,
    scans: 0,
    similarities(query: { embedding: Float32Array }, out: Float32Array) {
      counting.scans++;
      index.similarities(query, out);
    },
    sameVectors: (other: SimilarityIndex) => index.sameVectors(other),
  };
  return counting;
}

test("a remembered search returns exactly the fresh top-k for every k, scanning once per query", () => {
  const random = createRandom(3);
  const dimension = 8;
  // Coarse values make many tied similarities, so the tie order is exercised too.
  const vectors = Array.from({ length: 300 }, () => Float32Array.from({ length: dimension }, () => Math.round(random() * 4) / 4));
  const plain = new DenseSimilarityIndex(vectors, dimension);
  const counted = countingIndex(new DenseSimilarityIndex(vectors, dimension));
  const search = new NeighbourSearch(counted);
  const buffer = new Float32Array(plain.size);
  for (let q = 0; q < 5; q++) {
    const query = { embedding: Float32Array.from({ length: dimension }, () => Math.round(random() * 4) / 4) };
    plain.similarities(query, buffer);
    const before = counted.scans;
    for (const k of [40, 5, 120, 1, 120, 300, 500, 0, 7]) {
      const fresh = topKByHeap(buffer, k);
      const found = search.neighbours(query, k);
      assert.equal(found.count, fresh.count, `k=${k}`);
      assert.deepEqual(Array.from(found.indices.subarray(0, found.count)), Array.from(fresh.indices.subarray(0, fresh.count)), `k=${k}`);
      assert.deepEqual(Array.from(found.similarities.subarray(0, found.count)), Array.from(fresh.similarities.subarray(0, fresh.count)), `k=${k}`);
    }
    assert.equal(counted.scans - before, 1, "one scan per query");
    // An excluded row is never served from memory, and is really excluded.
    const excluded = search.neighbours(query, 10, 3);
    assert.ok(!Array.from(excluded.indices).includes(3));
    assert.deepEqual(Array.from(excluded.indices), Array.from(topKByHeap(buffer, 10, 3).indices));
  }
  // A new embedding array on the same input object is a new query.
  const query: { embedding: Float32Array } = { embedding: new Float32Array(dimension).fill(0.25) };
  search.neighbours(query, 5);
  const scans = counted.scans;
  query.embedding = new Float32Array(dimension).fill(0.5);
  search.neighbours(query, 5);
  assert.equal(counted.scans, scans + 1);
});

function withTasks(set: TrainingSet, family: readonly number[]): TrainingSet {
  return { ...set, examples: set.examples.map((example, i) => ({ ...example, task: `family-${family[i]}` })) };
}

/** Member predictions from independent copies of the members (each with its own search). */
function independentPredictions(router: EnsembleRouter, input: RouteInput, memberView: (k: number, input: RouteInput) => RouteInput): Float64Array[] {
  return router.memberRouters.map((member, k) => {
    const copy: Router = routerTrainerFor(member.kind).fromState(JSON.parse(JSON.stringify(member.toState())) as RouterState);
    return copy.predictQuality(memberView(k, input));
  });
}

for (const sparse of [false, true]) {
  test(`ensemble knn and task-knn members share one search and predict bit-identically (${sparse ? "sparse" : "dense"} vectors)`, () => {
    const rows = twoFamilySet({ count: 160, seed: 11, sparse });
    const data = withTasks(rows.set, rows.family);
    const members = [{ router: "knn" }, { router: "task-knn" }, { router: "knn", view: "question" }];
    const router = routerTrainerFor("ensemble").train(data, { seed: 2, params: { members, meta: ["average"] } });
    assert.ok(router instanceof EnsembleRouter);
    const [knn, taskKnn, question] = router.memberRouters;
    assert.ok(knn instanceof KnnRouter && taskKnn instanceof TaskKnnRouter && question instanceof KnnRouter);
    assert.ok(knn.sharesSearchWith(taskKnn.knn), "prompt-view knn and task-knn share a search");
    assert.ok(!knn.sharesSearchWith(question), "the question view has its own vectors");
    const restored = routerTrainerFor("ensemble").fromState(JSON.parse(JSON.stringify(router.toState())) as RouterState);
    assert.ok(restored instanceof EnsembleRouter);
    const [knnR, taskKnnR] = restored.memberRouters;
    assert.ok(knnR instanceof KnnRouter && taskKnnR instanceof TaskKnnRouter && knnR.sharesSearchWith(taskKnnR.knn), "sharing survives the state round trip");
    // The prompt-view members' predictions must equal those of unshared copies, bit for bit.
    for (let i = 0; i < data.examples.length; i += 7) {
      const input = inputOf(data, i);
      const together = router.memberPredictions(input);
      const apart = independentPredictions(router, input, (_, value) => value);
      for (const k of [0, 1]) assert.deepEqual(Array.from(together[k]!), Array.from(apart[k]!), `row ${i} member ${k}`);
      assert.deepEqual(Array.from(restored.predictQuality(input)), Array.from(router.predictQuality(input)), `row ${i} restored`);
    }
  });
}

test("out-of-fold predictions of all members at once equal the member-by-member ones, bit for bit", () => {
  for (const sparse of [false, true]) {
    const rows = twoFamilySet({ count: 120, seed: 5, sparse });
    const data = withTasks(rows.set, rows.family);
    const embedder = fitQuestionEmbedder(data);
    const question = questionTrainingSet(data, embedder);
    const viewData = (view: MemberView): TrainingSet => (view === "question" ? question : data);
    const specs: Array<{ router: string; view: MemberView; params: Record<string, unknown> }> = [
      { router: "knn", view: "prompt", params: { k: 7, power: 1, priorWeight: 1, tune: false } },
      { router: "task-knn", view: "prompt", params: { k: 10, power: 2, priorWeight: 4, taskK: 15, tune: false } },
      { router: "knn", view: "question", params: { k: 5, power: 0, priorWeight: 0, tune: false } },
      { router: "cluster", view: "prompt", params: {} },
    ];
    const folds = kFoldIndices(data.examples.length, 4, createRandom(9));
    const together = sharedOutOfFoldPredictions(
      specs.map((spec, k) => ({ view: spec.view, train: (fit: TrainingSet) => routerTrainerFor(spec.router).train(fit, { seed: 100 + k, params: spec.params }) })),
      viewData,
      folds,
      data.models,
    );
    specs.forEach((spec, k) => {
      const apart = outOfFoldPredictions(viewData(spec.view), folds, trainerFoldPredictor(routerTrainerFor(spec.router), { seed: 100 + k, params: spec.params }));
      assert.equal(together[k]!.length, apart.length);
      apart.forEach((row, i) => assert.deepEqual(Array.from(together[k]![i]!), Array.from(row), `${sparse ? "sparse" : "dense"} member ${k} row ${i}`));
    });
  }
});
