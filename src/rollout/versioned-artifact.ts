import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { artifactVersionOf } from "../artifacts/artifact-version.js";
import { isBinaryArtifact } from "../artifacts/binary-artifact.js";
import { parseRouterArtifact, routerArtifactFromBytes, type RouterArtifact } from "../artifacts/router-artifact.js";
import { SwitchyardError } from "../core/errors.js";

/** A router artifact with the content hash that names its version in traces and reload answers. */
export interface VersionedArtifact {
  artifact: RouterArtifact;
  /** Absolute or configured path it was read from. */
  path: string;
  /** `artifactVersionOf` the parsed artifact: the same content always gives the same version. */
  version: string;
}

/** Options of {@link loadVersionedArtifact}. */
export interface LoadVersionedArtifactOptions {
  /**
   * Read, hash and parse the JSON on a worker thread (a reload in a serving gateway: parsing a large knn
   * artifact would otherwise hold the event loop for tens of milliseconds). Default false.
   */
  offThread?: boolean;
}

/** What the worker sends back: the parsed value, or why it could not read or parse the file. */
type WorkerReply = { ok: true; value: unknown } | { ok: true; binary: Uint8Array } | { ok: false; code: string | undefined; corrupt: boolean };

// Plain JavaScript evaluated by the worker (no loader needed when the gateway runs from TypeScript).
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
let bytes;
try { bytes = readFileSync(workerData.path); } catch (error) { parentPort.postMessage({ ok: false, code: error.code, corrupt: false }); return; }
// A binary artifact (magic bytes "SWYRTR", 0, layout 1 or 2) is sent back as bytes and decoded by the caller (binary-artifact.ts).
if (bytes.length >= 8 && bytes.subarray(0, 7).equals(Buffer.from([0x53, 0x57, 0x59, 0x52, 0x54, 0x52, 0x00])) && (bytes[7] === 1 || bytes[7] === 2)) {
  const binary = new Uint8Array(bytes);
  parentPort.postMessage({ ok: true, binary }, [binary.buffer]);
  return;
}
let value;
try { value = JSON.parse(bytes.toString("utf8")); } catch { parentPort.postMessage({ ok: false, code: undefined, corrupt: true }); return; }
parentPort.postMessage({ ok: true, value });
`;

/**
 * Reads a router artifact and hashes its bytes. A missing, unreadable, corrupt or foreign file is an
 * `invalid_artifact` error naming the path (the same checks as `loadRouterArtifact`).
 *
 * @example
 * const { artifact, version } = await loadVersionedArtifact("router.json"); // version "3f9a0c…" (artifactVersionOf)
 */
export async function loadVersionedArtifact(path: string, options: LoadVersionedArtifactOptions = {}): Promise<VersionedArtifact> {
  const reply = options.offThread ? await readOnWorker(path) : await readHere(path);
  if (!reply.ok) {
    if (reply.corrupt) throw new SwitchyardError("invalid_artifact", `router artifact ${path} is corrupt (not valid JSON)`);
    throw new SwitchyardError("invalid_artifact", reply.code === "ENOENT" ? `router artifact ${path} does not exist` : `cannot read router artifact ${path}: ${reply.code ?? "error"}`);
  }
  const artifact = "binary" in reply ? routerArtifactFromBytes(reply.binary, path) : parseRouterArtifact(reply.value, path);
  // One version scheme everywhere (engine, traces, ope, reload answers): the parsed artifact's content hash.
  return { artifact, path, version: artifactVersionOf(artifact) };
}

async function readHere(path: string): Promise<WorkerReply> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { ok: false, code: (error as NodeJS.ErrnoException).code, corrupt: false };
  }
  if (isBinaryArtifact(bytes)) return { ok: true, binary: bytes };
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) };
  } catch {
    return { ok: false, code: undefined, corrupt: true };
  }
}

function readOnWorker(path: string): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`(() => {${workerSource}})()`, { eval: true, workerData: { path } });
    worker.once("message", (reply: WorkerReply) => {
      resolve(reply);
      void worker.terminate();
    });
    worker.once("error", (error) => reject(new SwitchyardError("invalid_artifact", `cannot read router artifact ${path}: ${error.message}`, { cause: error })));
    worker.once("exit", (code) => {
      if (code !== 0) reject(new SwitchyardError("invalid_artifact", `cannot read router artifact ${path}: the reader stopped (${code})`));
    });
  });
}
