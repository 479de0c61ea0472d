import { SwitchyardError } from "../core/errors.js";

/** Where in a dataset file a problem is: the file, and when known the 1-based line and the field. */
export interface DatasetLocation {
  file: string;
  line?: number;
  /** Field path (`outcomes.gpt-4.score`) or CSV column (`column "claude-v1"`). */
  field?: string;
}

/**
 * The `invalid_dataset` error every dataset reader throws, with the one message shape users see:
 * `<file>:<line>: <field>: <problem>` (parts that are unknown are left out).
 *
 * @example
 * throw datasetError({ file: "data.jsonl", line: 17, field: "outcomes.gpt-4.score" }, "expected a number in [0, 1]");
 */
export function datasetError(location: DatasetLocation, problem: string, cause?: unknown): SwitchyardError {
  const where = location.line === undefined ? location.file : `${location.file}:${location.line}`;
  const message = location.field ? `${where}: ${location.field}: ${problem}` : `${where}: ${problem}`;
  return new SwitchyardError("invalid_dataset", message, cause === undefined ? {} : { cause });
}

/** A validation path as users read it: `outcomes.gpt-4.score`, `models[2].id`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** The message of an unknown thrown value (a failed `fs` call, a parser error). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
