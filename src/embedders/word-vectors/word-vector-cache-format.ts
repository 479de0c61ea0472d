import { createHash } from "node:crypto";
import { WordVectorTable, type WordVectorQuantization } from "./word-vector-table.js";

/** First 8 bytes of every word-vector cache file. */
export const wordVectorCacheMagic = "SWYWVEC\0";
/** Bumped whenever the layout or the way the table is derived from the source changes. */
export const wordVectorCacheVersion = 1;

const headerBytes = 96;
const quantizationCodes: Record<WordVectorQuantization, number> = { float32: 0, int8: 1 };

function bytesOf(array: Uint32Array | Float32Array | Int8Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * Binary cache layout (little-endian), a 96-byte header then the payload:
 * ```
 *  0  magic "SWYWVEC\0"      8  format version u32    12 dimensions u32    16 count u32
 * 20  quantization u32 (0 = float32, 1 = int8)         24 source vocabulary size u32
 * 28  source id bytes u32    32 word text bytes u32   36 hash slots u32    40..63 zero
 * 64  sha256 of the payload (32 bytes)
 * 96  payload: source id (UTF-8) | words, each followed by "\n" (UTF-8) | zero padding to 4 bytes |
 *     ranks u32[count] | word offsets u32[count + 1] (UTF-16 units) | hash slots u32[slots] |
 *     scales f32[count] (int8 only) | values (i8 or f32)[count × dimensions]
 * ```
 */
export function encodeWordVectorCache(table: WordVectorTable, sourceId: string): { bytes: Buffer; checksum: string } {
  const parts = table.parts();
  const sourceBytes = Buffer.from(sourceId, "utf8");
  const wordBytes = Buffer.from(parts.wordText, "utf8");
  const padding = (4 - ((sourceBytes.length + wordBytes.length) % 4)) % 4;
  const payload = Buffer.concat([
    sourceBytes,
    wordBytes,
    Buffer.alloc(padding),
    bytesOf(parts.ranks),
    bytesOf(parts.wordOffsets),
    bytesOf(parts.hashSlots),
    parts.scales ? bytesOf(parts.scales) : Buffer.alloc(0),
    bytesOf(parts.values),
  ]);
  const checksum = createHash("sha256").update(payload).digest();
  const header = Buffer.alloc(headerBytes);
  header.write(wordVectorCacheMagic, 0, "latin1");
  header.writeUInt32LE(wordVectorCacheVersion, 8);
  header.writeUInt32LE(parts.dimensions, 12);
  header.writeUInt32LE(table.size, 16);
  header.writeUInt32LE(quantizationCodes[parts.quantization], 20);
  header.writeUInt32LE(parts.sourceVocabularySize, 24);
  header.writeUInt32LE(sourceBytes.length, 28);
  header.writeUInt32LE(wordBytes.length, 32);
  header.writeUInt32LE(parts.hashSlots.length, 36);
  checksum.copy(header, 64);
  return { bytes: Buffer.concat([header, payload]), checksum: checksum.toString("hex") };
}

/** What a cache file must hold to be used. */
export interface WordVectorCacheExpectation {
  sourceId: string;
  count: number;
  quantization: WordVectorQuantization;
}

/** A decoded cache, or why it cannot be used (the caller rebuilds it). */
export type DecodedWordVectorCache = { ok: true; table: WordVectorTable; checksum: string } | { ok: false; reason: string };

/** Validates (magic, version, sizes, source, sha256) and decodes a cache file's bytes; the arrays are views, not copies. */
export function decodeWordVectorCache(bytes: Buffer, expected: WordVectorCacheExpectation): DecodedWordVectorCache {
  if (bytes.length < headerBytes) return { ok: false, reason: "file is shorter than its header" };
  if (bytes.toString("latin1", 0, 8) !== wordVectorCacheMagic) return { ok: false, reason: "bad magic bytes" };
  const version = bytes.readUInt32LE(8);
  if (version !== wordVectorCacheVersion) return { ok: false, reason: `format version ${version}, expected ${wordVectorCacheVersion}` };
  const dimensions = bytes.readUInt32LE(12);
  const count = bytes.readUInt32LE(16);
  const quantizationCode = bytes.readUInt32LE(20);
  const sourceVocabularySize = bytes.readUInt32LE(24);
  const sourceLength = bytes.readUInt32LE(28);
  const wordsLength = bytes.readUInt32LE(32);
  const slotCount = bytes.readUInt32LE(36);
  const quantization = quantizationCode === 1 ? "int8" : quantizationCode === 0 ? "float32" : undefined;
  if (quantization !== expected.quantization) return { ok: false, reason: `quantization code ${quantizationCode}, expected ${expected.quantization}` };
  if (count !== expected.count) return { ok: false, reason: `${count} words, expected ${expected.count}` };
  if (dimensions === 0 || dimensions > 4096) return { ok: false, reason: `implausible dimensions ${dimensions}` };
  if (slotCount < count || (slotCount & (slotCount - 1)) !== 0) return { ok: false, reason: `bad hash index size ${slotCount}` };
  const padding = (4 - ((sourceLength + wordsLength) % 4)) % 4;
  const scaleBytes = quantization === "int8" ? count * 4 : 0;
  const valueBytes = count * dimensions * (quantization === "int8" ? 1 : 4);
  const expectedLength = headerBytes + sourceLength + wordsLength + padding + count * 4 + (count + 1) * 4 + slotCount * 4 + scaleBytes + valueBytes;
  if (bytes.length !== expectedLength) return { ok: false, reason: `file has ${bytes.length} bytes, header implies ${expectedLength}` };
  const checksum = createHash("sha256").update(bytes.subarray(headerBytes)).digest();
  if (!checksum.equals(bytes.subarray(64, 96))) return { ok: false, reason: "checksum mismatch" };

  let offset = headerBytes;
  const sourceId = bytes.toString("utf8", offset, offset + sourceLength);
  if (sourceId !== expected.sourceId) return { ok: false, reason: `built from ${sourceId}, expected ${expected.sourceId}` };
  offset += sourceLength;
  const wordText = bytes.toString("utf8", offset, offset + wordsLength);
  offset += wordsLength + padding;
  const aligned = (bytes.byteOffset + offset) % 4 === 0 ? bytes : Buffer.from(bytes);
  const view = <T>(make: (buffer: ArrayBufferLike, byteOffset: number, length: number) => T, length: number, bytesPerItem: number): T => {
    const array = make(aligned.buffer, aligned.byteOffset + offset, length);
    offset += length * bytesPerItem;
    return array;
  };
  const ranks = view((buffer, at, length) => new Uint32Array(buffer, at, length), count, 4);
  const wordOffsets = view((buffer, at, length) => new Uint32Array(buffer, at, length), count + 1, 4);
  const hashSlots = view((buffer, at, length) => new Uint32Array(buffer, at, length), slotCount, 4);
  if (wordOffsets[count] !== wordText.length) return { ok: false, reason: "word offsets do not match the word list" };
  const scales = quantization === "int8" ? view((buffer, at, length) => new Float32Array(buffer, at, length), count, 4) : undefined;
  const values =
    quantization === "int8"
      ? view((buffer, at, length) => new Int8Array(buffer, at, length), count * dimensions, 1)
      : view((buffer, at, length) => new Float32Array(buffer, at, length), count * dimensions, 4);
  const table = new WordVectorTable({ dimensions, sourceVocabularySize, wordText, wordOffsets, hashSlots, ranks, quantization, values, scales });
  return { ok: true, table, checksum: checksum.toString("hex") };
}
