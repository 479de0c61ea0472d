import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { SettleInput } from "../store.js";
import type { TraceRecord } from "../trace-record.js";

/** What a finished request leaves behind: its trace and its ledger entry (either may be absent). */
export interface JournalEntry {
  trace?: TraceRecord;
  settlement?: SettleInput;
}

/**
 * An append-only file of finished requests, written with one `write(2)` per request before the
 * response's last byte leaves: once `append` returns, the line is in the operating system's page
 * cache, which a `kill -9` of the process does not lose (a power cut can lose it, as it can lose
 * SQLite's own last commits with `synchronous = NORMAL`). The SQLite store still writes traces and
 * spend in batches (cheap), and records in the same transaction how many journal bytes each batch
 * covers; at the next start, what the journal holds beyond that is applied — so no finished request's
 * trace or spend is lost to a crash, and none is applied twice.
 */
export interface RequestJournal {
  /** The journal file. */
  readonly path: string;
  /** Appends one entry synchronously (a whole line, one `write`). */
  append(entry: JournalEntry): void;
  /** Bytes appended so far: every entry before this position is in the batches taken up to now. */
  position(): number;
  /** Position just after the last entry that had a trace (0 when none since the last truncation). */
  lastTraceEnd(): number;
  /** Empties the file once every part has applied everything (called by the store after a flush). */
  truncateIfApplied(appliedBytes: number): boolean;
  close(): void;
}

/** File name prefix of the journals of a store at `dbPath`: one per gateway process (`<db>.journal-<pid>`). */
export function journalPrefixOf(dbPath: string): string {
  return `${basename(dbPath)}.journal-`;
}

/** Opens (creates) this process's journal beside the database file. */
export function openRequestJournal(dbPath: string, pid: number = process.pid): RequestJournal {
  const path = join(dirname(dbPath), `${journalPrefixOf(dbPath)}${pid}`);
  const fd = openSync(path, "a");
  let size = fstatSync(fd).size;
  let traceEnd = size;
  let closed = false;
  return {
    path,
    append(entry) {
      if (closed) return;
      const line = Buffer.from(`${JSON.stringify(entry)}\n`);
      // writeSync may write less than asked (a full disk, a signal): keep going until the line is whole.
      let written = 0;
      while (written < line.length) written += writeSync(fd, line, written, line.length - written);
      size += line.length;
      if (entry.trace !== undefined) traceEnd = size;
    },
    position: () => size,
    lastTraceEnd: () => traceEnd,
    truncateIfApplied(appliedBytes) {
      if (closed || appliedBytes < size) return false;
      ftruncateSync(fd, 0);
      size = 0;
      traceEnd = 0;
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

/** Journals of a store found beside it, with the pid that wrote each. */
export function findJournals(dbPath: string): Array<{ path: string; pid: number }> {
  const directory = dirname(dbPath);
  if (!existsSync(directory)) return [];
  const prefix = journalPrefixOf(dbPath);
  return readdirSync(directory)
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => ({ path: join(directory, name), pid: Number(name.slice(prefix.length)) }));
}

/** Whether a process with this pid is running (and is not this one). */
export function isOtherProcessAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The complete entries of a journal from byte `from` on, with the byte position after each. A last
 * line without its newline (a write cut by a crash — which `append` never returns from) is ignored:
 * its request never reached its client's last byte.
 */
export function readJournal(path: string, from: number): Array<{ entry: JournalEntry; end: number }> {
  const bytes = readFileSync(path);
  const entries: Array<{ entry: JournalEntry; end: number }> = [];
  let start = Math.min(from, bytes.length);
  for (;;) {
    const newline = bytes.indexOf(10, start);
    if (newline === -1) break;
    const text = bytes.subarray(start, newline).toString("utf8");
    start = newline + 1;
    if (text.trim() === "") continue;
    try {
      entries.push({ entry: JSON.parse(text) as JournalEntry, end: start });
    } catch {
      // A line that is not JSON cannot come from `append`; skip it rather than refuse to start.
    }
  }
  return entries;
}

/** Deletes a journal file that has been applied. */
export function removeJournal(path: string): void {
  rmSync(path, { force: true });
}
