import { appendFile, readFile, truncate } from "node:fs/promises";
import { SwitchyardError } from "../core/errors.js";

/** A target's answer to one prompt, as journaled the moment it arrived (it was paid for). */
export interface JournalAnswer {
  kind: "answer";
  id: string;
  target: string;
  answer: string;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

/** The score of one answer (null: missing), with what scoring cost. */
export interface JournalScore {
  kind: "score";
  id: string;
  target: string;
  score: number | null;
  judgeCostUsd: number;
  note?: string;
}

/** First line: what the journal's scores mean. */
interface JournalHeader {
  kind: "header";
  scorer: string;
}

type JournalLine = JournalHeader | JournalAnswer | JournalScore;

/**
 * The append-only record of a label run (`<out>.journal.jsonl`): every paid answer and every score, one
 * JSON line each, appended as it happens. A resumed run reads it and skips what is done, so no answer
 * and no judge call is paid for twice; a line cut short by a crash is ignored.
 */
export class LabelJournal {
  readonly path: string;
  readonly answers = new Map<string, JournalAnswer>();
  readonly scores = new Map<string, JournalScore>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Opens (or starts) the journal at `path` for `scorer`; a journal begun with another scorer is an
   * `invalid_config` error (its scores would not mean the same thing).
   */
  static async open(path: string, scorer: string): Promise<LabelJournal> {
    const journal = new LabelJournal(path);
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new SwitchyardError("invalid_config", `cannot read the label journal ${path}`, { cause: error });
    }
    if (text === "") {
      await appendFile(path, `${JSON.stringify({ kind: "header", scorer } satisfies JournalHeader)}\n`);
      return journal;
    }
    // A line cut short by an interruption has no newline yet: it is dropped (its call is made again).
    const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
    if (complete.length < text.length) await truncate(path, Buffer.byteLength(complete));
    complete.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      let value: JournalLine;
      try {
        value = JSON.parse(line) as JournalLine;
      } catch {
        throw new SwitchyardError("invalid_config", `${path}:${index + 1}: the label journal is corrupt (not JSON); move it away to start over`);
      }
      if (value.kind === "header") {
        if (value.scorer !== scorer) {
          throw new SwitchyardError("invalid_config", `${path}: this journal was begun with scorer ${value.scorer}, not ${scorer}; resume with the same scorer, or use another --out`);
        }
      } else if (value.kind === "answer") journal.answers.set(keyOf(value.id, value.target), value);
      else if (value.kind === "score") journal.scores.set(keyOf(value.id, value.target), value);
    });
    if (complete === "") await appendFile(path, `${JSON.stringify({ kind: "header", scorer } satisfies JournalHeader)}\n`);
    return journal;
  }

  answerOf(id: string, target: string): JournalAnswer | undefined {
    return this.answers.get(keyOf(id, target));
  }

  scoreOf(id: string, target: string): JournalScore | undefined {
    return this.scores.get(keyOf(id, target));
  }

  /** Records and appends a line; resolves once it is written. */
  record(line: JournalAnswer | JournalScore): Promise<void> {
    (line.kind === "answer" ? this.answers : this.scores).set(keyOf(line.id, line.target), line as never);
    const write = this.#writing.then(() => appendFile(this.path, `${JSON.stringify(line)}\n`));
    this.#writing = write.catch(() => undefined);
    return write;
  }

  /** USD recorded so far: answers plus scoring. */
  spentUsd(): number {
    let total = 0;
    for (const answer of this.answers.values()) total += answer.costUsd;
    for (const score of this.scores.values()) total += score.judgeCostUsd;
    return total;
  }
}

function keyOf(id: string, target: string): string {
  return `${id}\u0000${target}`;
}
