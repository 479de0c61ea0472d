import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ensureDirectory } from "../ensure-directory.js";
import { isOtherProcessAlive } from "../sqlite/request-journal.js";
import type { TraceRecord } from "../trace-record.js";

/** Options for {@link openTraceSpool}. */
export interface TraceSpoolOptions {
  /** Folder of the spool's files (created when missing); several processes may share it. */
  directory: string;
  /** Most bytes the spool holds, over every file it owns; what does not fit is dropped (and counted). */
  maxBytes: number;
  /** Defaults to this process's pid: names this process's files, and which files are left by dead ones. */
  pid?: number;
}

/** Counters of a spool, for metrics. */
export interface TraceSpoolStats {
  /** Bytes on disk now. */
  bytes: number;
  /** Traces waiting on disk now. */
  traces: number;
  /** Traces written to the spool since start. */
  spooledTotal: number;
  /** Traces written from the spool to the store since start. */
  drainedTotal: number;
  /** Traces dropped since start because the spool was full (or a spooled trace was refused by the store). */
  droppedTotal: number;
}

/** A bounded on-disk queue of traces the store could not write yet. */
export interface TraceSpool {
  /**
   * Appends traces (one synchronous write: a `kill -9` of the process after it returns loses nothing).
   * Returns how many were dropped because the spool is full (they are counted in `droppedTotal`).
   */
  append(traces: readonly TraceRecord[]): number;
  /** Whether anything waits on disk. */
  hasData(): boolean;
  /**
   * Writes everything on disk through `write` (in batches of at most `batchSize`), oldest file first,
   * deleting each file once all of it was written. Stops at the first failure and rethrows it; the file
   * stays and is written again next time (the store ignores traces it already holds). A file whose traces
   * the store refuses (`write` throws an error with `rejected: true`) is moved aside as `.rejected` and its
   * traces counted as dropped.
   */
  drain(write: (traces: TraceRecord[]) => Promise<void>, batchSize?: number): Promise<number>;
  stats(): TraceSpoolStats;
  close(): void;
}

const filePattern = /^traces-(\d+)-(\d+)\.jsonl$/;

/** The traces of a spool file's complete lines (a last line cut by a crash is not a trace). */
function readLines(path: string): TraceRecord[] {
  const text = readFileSync(path, "utf8");
  const traces: TraceRecord[] = [];
  let start = 0;
  for (;;) {
    const newline = text.indexOf("\n", start);
    if (newline === -1) break;
    const line = text.slice(start, newline);
    start = newline + 1;
    if (line === "") continue;
    try {
      traces.push(JSON.parse(line) as TraceRecord);
    } catch {
      // Not written by append (which writes whole lines); skipped rather than blocking the spool.
    }
  }
  return traces;
}

/**
 * Opens the trace spool in `directory`: one JSON line per trace in files named
 * `traces-<pid>-<n>.jsonl`. Files left by processes that are gone are adopted (drained by this one), so a
 * crash during an outage loses nothing either. Bounded by `maxBytes`: beyond it `append` drops.
 *
 * @example
 * const spool = openTraceSpool({ directory: "./switchyard-data/trace-spool", maxBytes: 256 << 20 });
 */
export function openTraceSpool(options: TraceSpoolOptions): TraceSpool {
  const pid = options.pid ?? process.pid;
  ensureDirectory(options.directory);
  /** Files to drain, oldest first, with their sizes and trace counts. */
  const closedFiles: Array<{ path: string; bytes: number; traces: number }> = [];
  let bytes = 0;
  let waiting = 0;
  for (const name of readdirSync(options.directory).sort((a, b) => Number(filePattern.exec(a)?.[2] ?? 0) - Number(filePattern.exec(b)?.[2] ?? 0))) {
    const match = filePattern.exec(name);
    if (match === null || isOtherProcessAlive(Number(match[1]))) continue;
    const path = join(options.directory, name);
    const size = statSync(path).size;
    const count = readLines(path).length;
    closedFiles.push({ path, bytes: size, traces: count });
    bytes += size;
    waiting += count;
  }
  let sequence = Date.now();
  let current: { path: string; fd: number; bytes: number; traces: number } | undefined;
  const stats = { spooledTotal: 0, drainedTotal: 0, droppedTotal: 0 };
  let closed = false;

  const closeCurrent = (): void => {
    if (current === undefined) return;
    closeSync(current.fd);
    closedFiles.push({ path: current.path, bytes: current.bytes, traces: current.traces });
    current = undefined;
  };

  return {
    append(traces) {
      if (closed) return traces.length;
      const lines: string[] = [];
      let size = 0;
      for (const trace of traces) {
        const line = `${JSON.stringify(trace)}\n`;
        const lineBytes = Buffer.byteLength(line);
        if (bytes + size + lineBytes > options.maxBytes) break;
        lines.push(line);
        size += lineBytes;
      }
      if (lines.length > 0) {
        if (current === undefined) {
          const path = join(options.directory, `traces-${pid}-${sequence++}.jsonl`);
          current = { path, fd: openSync(path, "a"), bytes: 0, traces: 0 };
        }
        const buffer = Buffer.from(lines.join(""));
        // writeSync may write less than asked (a signal, a full disk): keep going until the lines are whole.
        let written = 0;
        while (written < buffer.length) written += writeSync(current.fd, buffer, written, buffer.length - written);
        current.bytes += buffer.length;
        current.traces += lines.length;
        bytes += buffer.length;
        waiting += lines.length;
        stats.spooledTotal += lines.length;
      }
      const dropped = traces.length - lines.length;
      stats.droppedTotal += dropped;
      return dropped;
    },
    hasData: () => waiting > 0,
    async drain(write, batchSize = 500) {
      closeCurrent();
      let drained = 0;
      while (closedFiles.length > 0) {
        const file = closedFiles[0] as (typeof closedFiles)[number];
        const traces = existsSync(file.path) ? readLines(file.path) : [];
        let rejected = false;
        for (let start = 0; start < traces.length; start += batchSize) {
          try {
            await write(traces.slice(start, start + batchSize));
          } catch (error) {
            if ((error as { rejected?: boolean }).rejected === true) {
              // The store refuses these traces (not an outage): keep them for a person, count them as dropped.
              renameSync(file.path, `${file.path}.rejected`);
              stats.droppedTotal += file.traces;
              rejected = true;
              break;
            }
            throw error;
          }
        }
        if (!rejected) rmSync(file.path, { force: true });
        closedFiles.shift();
        bytes -= file.bytes;
        waiting -= file.traces;
        if (rejected) continue;
        drained += file.traces;
        stats.drainedTotal += file.traces;
      }
      return drained;
    },
    stats: () => ({ bytes, traces: waiting, ...stats }),
    close() {
      if (closed) return;
      closed = true;
      if (current !== undefined) closeSync(current.fd);
      current = undefined;
    },
  };
}
