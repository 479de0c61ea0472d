import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { artifactVersionOf } from "../../src/artifacts/artifact-version.js";
import { decodeBinaryArtifact, encodeBinaryArtifact, isBinaryArtifact } from "../../src/artifacts/binary-artifact.js";
import { loadRouterArtifact, saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { loadVersionedArtifact } from "../../src/rollout/versioned-artifact.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";

const directory = await mkdtemp(join(tmpdir(), "switchyard-binary-artifact-"));
after(() => rm(directory, { recursive: true, force: true }));
const dataset = await loadDataset("examples/demo/routerbench-sample.jsonl");
const artifact = await trainRouterArtifact({ examples: dataset.examples.filter((example) => example.split === "train"), models: dataset.models, router: "knn", dataset: "demo", split: "train", params: { k: 10, power: 1, priorWeight: 1 }, now: () => new Date(0) });
const jsonPath = join(directory, "router.json");
const binaryPath = join(directory, "router.bin");
await saveRouterArtifact(jsonPath, artifact);
await saveRouterArtifact(binaryPath, artifact);

const isInvalid = (pattern: RegExp) => (error: Error & { code?: string }) => error.code === "invalid_artifact" && pattern.test(error.message);

test("binary artifact: round-trips to the JSON form exactly, with one version for both forms, and is smaller", async () => {
  const bytes = await readFile(binaryPath);
  assert.ok(isBinaryArtifact(bytes));
  const fromJson = await loadRouterArtifact(jsonPath);
  const fromBinary = await loadRouterArtifact(binaryPath);
  assert.equal(JSON.stringify(fromBinary), JSON.stringify(fromJson));
  assert.equal(artifactVersionOf(fromBinary), artifactVersionOf(fromJson));
  // The router's typed arrays are blobs, not base64 text in the manifest.
  const manifest = JSON.parse(bytes.toString("utf8", 20, 20 + bytes.readUInt32LE(8))) as { artifact: { router: { scores: unknown } }; blobs: Array<{ path: string }> };
  assert.deepEqual(manifest.artifact.router.scores, { $blob: manifest.blobs.findIndex((blob) => blob.path === "router.scores") });
  assert.ok(manifest.blobs.some((blob) => blob.path === "router.sparse.values"));
  assert.ok((await stat(binaryPath)).size < 0.8 * (await stat(jsonPath)).size);
  // Both loaders (and the reload's worker thread) read it, with the same version.
  for (const offThread of [false, true]) {
    const loaded = await loadVersionedArtifact(binaryPath, { offThread });
    assert.equal(loaded.version, artifactVersionOf(fromJson));
  }
});

test("binary artifact: a corrupt or truncated file is an invalid_artifact error naming the part", async () => {
  const bytes = await readFile(binaryPath);
  const manifestLength = bytes.readUInt32LE(8);
  const truncated = join(directory, "truncated.bin");
  await writeFile(truncated, bytes.subarray(0, bytes.length - 100));
  await assert.rejects(loadRouterArtifact(truncated), isInvalid(/truncated\.bin is truncated or padded: the header says \d+ bytes/));
  await assert.rejects(loadVersionedArtifact(truncated, { offThread: true }), isInvalid(/truncated/));
  assert.throws(() => decodeBinaryArtifact(bytes.subarray(0, 12), "short.bin"), isInvalid(/shorter than the 20-byte header/));
  const badManifest = Buffer.from(bytes);
  badManifest.write("}", 20 + Math.floor(manifestLength / 2), "utf8");
  assert.throws(() => decodeBinaryArtifact(badManifest, "m.bin"), isInvalid(/m\.bin: the manifest is corrupt/));
  // A file cut inside its last blob whose header was patched to the new length: the error names the blob and its field.
  const manifest = JSON.parse(bytes.toString("utf8", 20, 20 + manifestLength)) as { blobs: Array<{ path: string; offset: number; length: number }> };
  const last = manifest.blobs.at(-1)!;
  const cut = Buffer.from(bytes.subarray(0, last.offset + 10));
  cut.writeDoubleLE(cut.length, 12);
  assert.throws(() => decodeBinaryArtifact(cut, "p.bin"), isInvalid(new RegExp(`p\\.bin: blob ${manifest.blobs.length - 1} \\(${last.path.replace(/[.[\]]/g, "\\$&")}\\) runs past the end`)));
  const badMagic = Buffer.from(bytes);
  badMagic[7] = 9;
  assert.throws(() => decodeBinaryArtifact(badMagic, "g.bin"), isInvalid(/bad magic bytes/));
  // A flipped byte inside a blob keeps the structure, and the version changes (the content hash covers blobs).
  const flipped = Buffer.from(bytes);
  flipped[manifest.blobs[0]!.offset + 3]! ^= 0xff;
  assert.notEqual(artifactVersionOf(JSON.parse(JSON.stringify(decodeBinaryArtifact(flipped, "f.bin")))), artifactVersionOf(artifact));
});

test("binary artifact: only long base64 strings are lifted; everything else stays as it was", () => {
  const value = { a: "short", b: "not base64 ".repeat(200), c: Buffer.alloc(3_000, 7).toString("base64"), d: [1, { e: null }] };
  const bytes = encodeBinaryArtifact(value);
  assert.deepEqual(decodeBinaryArtifact(bytes, "v.bin"), value);
  assert.equal((JSON.parse(bytes.toString("utf8", 20, 20 + bytes.readUInt32LE(8))) as { blobs: unknown[] }).blobs.length, 1);
});
