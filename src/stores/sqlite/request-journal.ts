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
 * An append-only file of finished requests, written by group commit: the lines of every request that
 * finishes in the same event-loop turn are written together with one `write(2)` at that turn's check
 * phase (`setImmediate`), or at once when `maxBatchBytes` are waiting. `append` returns the promise of
 * its group's write, and transports hand a response's last bytes to the socket only after it settled (the
 * exception, a lone request in flight, is `openScopes` in request-scope.ts: its line, already serialised,
 * is written right after its send) —
 * so a response a client received completely has its line in the operating system's page cache, which
 * a `kill -9` of the process does not lose. There is no `fsync` (a power cut can lose the last lines, as
 * it can lose SQLite's own last commits with `synchronous = NORMAL`). The SQLite store still writes
 * traces and spend in batches (cheap), and records in the same transaction how many journal bytes each
 * batch covers; at the next start, what the journal holds beyond that is applied — so no finished
 * request's trace or spend is lost to a crash, and none is applied twice.
 */
export interface RequestJournal {
  /** The journal file. */
  readonly path: string;
  /**
   * Queues one entry (a whole line) for this turn's group write; the promise settles (never rejects)
   * once the group was written — or failed to be, which `onWriteError` reports.
   */
  append(entry: JournalEntry): Promise<void>;
  /** Writes the waiting lines now (synchronously); settles their group. */
  flush(): void;
  /** Bytes appended so far, waiting lines included: every entry before this position is in the batches taken up to now. */
  position(): number;
  /** Position just after the last entry that had a trace (0 when none since the last truncation). */
  lastTraceEnd(): number;
  /** Empties the file once every part has applied everything and no line is waiting (called by the store after a flush). */
  truncateIfApplied(appliedBytes: number): boolean;
  /** Writes the waiting lines, then closes the file. */
  close(): void;
}

/** Options of {@link openRequestJournal}. */
export interface RequestJournalOptions {
  /** The process id in the file name (default: this process's). */
  pid?: number;
  /** A group is written at once when this many bytes are waiting (default 1 MiB), not at the turn's end. */
  maxBatchBytes?: number;
  /** Reports a failed group write (full disk, I/O error); its requests still reach the store by the batched writes. */
  onWriteError?: (error: Error) => void;
  /** `fs.writeSync`, replaceable in tests (to count writes or fail them). */
  writeSync?: (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
}

/** File name prefix of the journals of a store at `dbPath`: one per gateway process (`<db>.journal-<pid>`). */
export function journalPrefixOf(dbPath: string): string {
  return `${basename(dbPath)}.journal-`;
}

/** The lines of one event-loop turn and the promise their transports wait on. */
class JournalGroup {
  readonly lines: string[] = [];
  bytes = 0;
  readonly written: Promise<void>;
  settle!: () => void;
  constructor() {
    this.written = new Promise<void>((resolve) => {
      this.settle = resolve;
    });
  }
}

/** Opens (creates) this process's journal beside the database file. */
export function openRequestJournal(dbPath: string, options: RequestJournalOptions = {}): RequestJournal {
  const path = join(dirname(dbPath), `${journalPrefixOf(dbPath)}${options.pid ?? process.pid}`);
  const maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024;
  const write = options.writeSync ?? writeSync;
  const fd = openSync(path, "a");
  // `size` counts waiting lines too (the position batches record); `writtenSize` is the file's length.
  let size = fstatSync(fd).size;
  let writtenSize = size;
  let traceEnd = size;
  let closed = false;
  let group: JournalGroup | undefined;
  const flush = (): void => {
    const current = group;
    if (current === undefined) return;
    group = undefined;
    try {
      const text = current.lines.length === 1 ? (current.lines[0] as string) : current.lines.join("");
      // The string as it is (no Buffer copy first: ~1.5 µs a write); only a short write needs the bytes.
      let written = options.writeSync === undefined ? writeSync(fd, text) : 0;
      if (written < current.bytes) {
        // writeSync may write less than asked (a full disk, a signal): keep going until the group is whole.
        const buffer = Buffer.from(text);
        while (written < buffer.length) written += write(fd, buffer, written, buffer.length - written);
      }
      writtenSize += current.bytes;
    } catch (error) {
      // Cut the partial group off, so the next group starts on a line of its own.
      try {
        ftruncateSync(fd, writtenSize);
      } catch {
        // The file stays as it is; the reader skips a line that is not JSON.
      }
      size = writtenSize;
      traceEnd = Math.min(traceEnd, size);
      options.onWriteError?.(error instanceof Error ? error : new Error(String(error)));
    } finally {
      current.settle();
    }
  };
  return {
    path,
    append(entry) {
      if (closed) return Promise.resolve();
      const line = `${JSON.stringify(entry)}\n`;
      const bytes = Buffer.byteLength(line);
      let current = group;
      if (current === undefined) {
        current = group = new JournalGroup();
        setImmediate(flush);
      }
      current.lines.push(line);
      current.bytes += bytes;
      size += bytes;
      if (entry.trace !== undefined) traceEnd = size;
      if (current.bytes >= maxBatchBytes) flush();
      return current.written;
    },
    flush,
    position: () => size,
    lastTraceEnd: () => traceEnd,
    truncateIfApplied(appliedBytes) {
      if (closed || group !== undefined || appliedBytes < size) return false;
      ftruncateSync(fd, 0);
      size = 0;
      writtenSize = 0;
      traceEnd = 0;
      return true;
    },
    close() {
      if (closed) return;
      flush();
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
 * line without its newline (a group write cut by a crash, whose responses were still waiting for it) is
 * ignored: its request never reached its client's last byte.
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
