import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { artifactVersionOf, canonicalArtifactJson, contentVersionOf } from "../../src/artifacts/artifact-version.js";
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
  assert.equal(canonicalArtifactJson(fromBinary), canonicalArtifactJson(fromJson));
  // The stored version (no JSON rebuilt at load) is the content version of the canonical JSON.
  assert.equal(artifactVersionOf(fromBinary), artifactVersionOf(fromJson));
  assert.equal(contentVersionOf(fromBinary), artifactVersionOf(fromJson));
  // Arrays come back as raw bytes, not base64 text; converting back to binary gives the same file.
  assert.ok((fromBinary.router as unknown as { scores: unknown }).scores instanceof Uint8Array);
  assert.ok(encodeBinaryArtifact(fromBinary).equals(bytes));
  // The router's typed arrays are blobs, not base64 text in the manifest.
  const manifest = JSON.parse(bytes.toString("utf8", 52, 52 + bytes.readUInt32LE(8))) as { artifact: { router: { scores: unknown } }; blobs: Array<{ path: string }> };
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
  const reseal = (file: Buffer) => createHash("sha256").update(file.subarray(52)).digest().copy(file, 20);
  const truncated = join(directory, "truncated.bin");
  await writeFile(truncated, bytes.subarray(0, bytes.length - 100));
  await assert.rejects(loadRouterArtifact(truncated), isInvalid(/truncated\.bin is truncated or padded: the header says \d+ bytes/));
  await assert.rejects(loadVersionedArtifact(truncated, { offThread: true }), isInvalid(/truncated/));
  assert.throws(() => decodeBinaryArtifact(bytes.subarray(0, 12), "short.bin"), isInvalid(/shorter than the 52-byte header/));
  const badManifest = Buffer.from(bytes);
  badManifest.write("}", 52 + Math.floor(manifestLength / 2), "utf8");
  // A changed byte is caught by the checksum; with the checksum recomputed, by the manifest's parse.
  assert.throws(() => decodeBinaryArtifact(badManifest, "m.bin"), isInvalid(/m\.bin is corrupt: its checksum does not match/));
  reseal(badManifest);
  assert.throws(() => decodeBinaryArtifact(badManifest, "m.bin"), isInvalid(/m\.bin: the manifest is corrupt/));
  // A file cut inside its last blob whose header was patched to the new length: the error names the blob and its field.
  const manifest = JSON.parse(bytes.toString("utf8", 52, 52 + manifestLength)) as { blobs: Array<{ path: string; offset: number; length: number }> };
  const last = manifest.blobs.at(-1)!;
  const cut = Buffer.from(bytes.subarray(0, last.offset + 10));
  cut.writeDoubleLE(cut.length, 12);
  reseal(cut);
  assert.throws(() => decodeBinaryArtifact(cut, "p.bin"), isInvalid(new RegExp(`p\\.bin: blob ${manifest.blobs.length - 1} \\(${last.path.replace(/[.[\]]/g, "\\$&")}\\) runs past the end`)));
  const badMagic = Buffer.from(bytes);
  badMagic[7] = 9;
  assert.throws(() => decodeBinaryArtifact(badMagic, "g.bin"), isInvalid(/bad magic bytes/));
  // A flipped byte inside a blob is refused (the checksum covers blobs and the stored version).
  const flipped = Buffer.from(bytes);
  flipped[manifest.blobs[0]!.offset + 3]! ^= 0xff;
  assert.throws(() => decodeBinaryArtifact(flipped, "f.bin"), isInvalid(/f\.bin is corrupt: its checksum/));
  // With the checksum recomputed it loads, and its content version differs from the original's.
  reseal(flipped);
  assert.notEqual(contentVersionOf(decodeBinaryArtifact(flipped, "f.bin").value), artifactVersionOf(artifact));
});

test("binary artifact: only long base64 strings are lifted; everything else stays as it was", () => {
  const value = { a: "short", b: "not base64 ".repeat(200), c: Buffer.alloc(3_000, 7).toString("base64"), d: [1, { e: null }] };
  const bytes = encodeBinaryArtifact(value);
  const decoded = decodeBinaryArtifact(bytes, "v.bin");
  assert.equal(canonicalArtifactJson(decoded.value), JSON.stringify(value));
  assert.equal(decoded.version, contentVersionOf(value));
  assert.equal((JSON.parse(bytes.toString("utf8", 52, 52 + bytes.readUInt32LE(8))) as { blobs: unknown[] }).blobs.length, 1);
});

test("binary artifact: a layout-1 file (no checksum, no stored version) is still read, with the same version", () => {
  const value = { a: "short", c: Buffer.alloc(3_000, 7).toString("base64") };
  // The manifest with a 3-digit offset is under 100 bytes, so the blob starts at byte 128.
  const start = 128;
  const file = Buffer.alloc(start + 3_000, 7);
  Buffer.from([0x53, 0x57, 0x59, 0x52, 0x54, 0x52, 0x00, 0x01]).copy(file, 0);
  const final = Buffer.from(JSON.stringify({ artifact: { a: "short", c: { $blob: 0 } }, blobs: [{ path: "c", offset: start, length: 3_000 }] }));
  file.writeUInt32LE(final.length, 8);
  file.writeDoubleLE(file.length, 12);
  final.copy(file, 20);
  assert.ok(20 + final.length <= start);
  file.fill(0, 20 + final.length, start);
  const decoded = decodeBinaryArtifact(file, "old.bin");
  assert.deepEqual(decoded.value, value);
  assert.equal(decoded.version, undefined);
});

test("content version: hashed as produced, equal to the SHA-256 of JSON.stringify (raw bytes as their base64 text)", () => {
  const bytes = Uint8Array.from({ length: 7_000_001 }, (_, i) => (i * 31) % 251);
  const value = { a: 1.5, b: [1, undefined, "x\"y", null, { c: undefined, d: true }], e: new Date(0), f: "é\u2028", raw: bytes, nested: { g: -0, h: [] } };
  const text = JSON.stringify({ ...value, raw: Buffer.from(bytes).toString("base64") });
  assert.equal(canonicalArtifactJson(value), text);
  assert.equal(contentVersionOf(value), createHash("sha256").update(text).digest("hex").slice(0, 16));
});
