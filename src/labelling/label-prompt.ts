import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SwitchyardError } from "../core/errors.js";
import { promptTextOf, type ChatMessage } from "../core/query.js";
import type { TraceRepository } from "../stores/store.js";
import type { TraceFilter } from "../stores/trace-record.js";

/** One prompt to label: sent to every target, its answers scored. */
export interface LabelPrompt {
  /** Stable id (the journal is keyed by it): the input's `id`, a trace id, or a hash of the prompt. */
  id: string;
  /** The messages sent to each target (a `prompt` becomes one user message). */
  messages: ChatMessage[];
  /** The prompt as the dataset stores it (the messages' text). */
  prompt: string;
  /** Expected answer, for `--scorer exact` and shown to the judge. */
  reference?: string;
  task?: string;
  split?: string;
}

/**
 * Reads prompts to label from JSONL: one `{"id"?, "prompt" | "messages", "reference"?, "task"?, "split"?}`
 * per line (canonical routing JSONL lines qualify: their `outcomes` are ignored). Errors name the file,
 * the line and the field.
 *
 * @example
 * const prompts = await readLabelPrompts("prompts.jsonl");
 */
export async function readLabelPrompts(path: string): Promise<LabelPrompt[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SwitchyardError("invalid_dataset", `${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "cannot read"}`, { cause: error });
  }
  const prompts: LabelPrompt[] = [];
  const seen = new Map<string, number>();
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    const where = `${path}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new SwitchyardError("invalid_dataset", `${where}: invalid JSON`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SwitchyardError("invalid_dataset", `${where}: expected a JSON object`);
    const object = value as Record<string, unknown>;
    const optionalString = (field: string): string | undefined => {
      const field_ = object[field];
      if (field_ === undefined || field_ === null) return undefined;
      if (typeof field_ !== "string") throw new SwitchyardError("invalid_dataset", `${where}: ${field}: expected a string`);
      return field_;
    };
    let messages: ChatMessage[];
    if (typeof object.prompt === "string") messages = [{ role: "user", content: object.prompt }];
    else if (Array.isArray(object.messages) && object.messages.length > 0 && object.messages.every((message) => message && typeof message === "object" && typeof (message as { role?: unknown }).role === "string")) {
      messages = object.messages as ChatMessage[];
    } else throw new SwitchyardError("invalid_dataset", `${where}: expected "prompt" (a string) or "messages" (a non-empty array of {role, content})`);
    const prompt = typeof object.prompt === "string" ? object.prompt : promptTextOf(messages);
    const id = typeof object.id === "number" ? String(object.id) : (optionalString("id") ?? idOfPrompt(prompt));
    const first = seen.get(id);
    if (first !== undefined) throw new SwitchyardError("invalid_dataset", `${where}: id: duplicate id ${JSON.stringify(id)} (first on line ${first})`);
    seen.set(id, index + 1);
    const reference = optionalString("reference");
    const task = optionalString("task");
    const split = optionalString("split");
    prompts.push({ id, messages, prompt, ...(reference === undefined ? {} : { reference }), ...(task === undefined ? {} : { task }), ...(split === undefined ? {} : { split }) });
  });
  return prompts;
}

/** Options of {@link labelPromptsFromTraces}. */
export interface TracePromptsOptions {
  traces: TraceRepository;
  /** `traces.storeText` of the gateway's config: without stored text there is nothing to resend. */
  storeText: boolean;
  filter?: Omit<TraceFilter, "limit">;
}

/**
 * Prompts of stored traces (successful routed or named requests with their prompt text), oldest first,
 * each prompt text once. Refuses when the gateway does not store prompt text (`traces.storeText`).
 */
export async function labelPromptsFromTraces(options: TracePromptsOptions): Promise<{ prompts: LabelPrompt[]; withoutText: number }> {
  assertTracesKeepText(options.storeText);
  const traces = await options.traces.list({ ...options.filter, outcome: "ok", limit: Number.MAX_SAFE_INTEGER });
  const prompts: LabelPrompt[] = [];
  const seen = new Set<string>();
  let withoutText = 0;
  for (const trace of traces.reverse()) {
    if (trace.endpoint !== "/v1/chat/completions") continue;
    if (trace.prompt === undefined || trace.prompt === "") {
      withoutText++;
      continue;
    }
    if (seen.has(trace.prompt)) continue;
    seen.add(trace.prompt);
    prompts.push({ id: trace.id, messages: [{ role: "user", content: trace.prompt }], prompt: trace.prompt });
  }
  return { prompts, withoutText };
}

/** Throws `invalid_config` naming `traces.storeText` when traces keep no prompt text to label. */
export function assertTracesKeepText(storeText: boolean): void {
  if (!storeText) {
    throw new SwitchyardError("invalid_config", "--from-traces needs the prompt text of each trace, and this gateway does not store it (traces.storeText: false); set traces.storeText: true, or label a prompts file with --prompts", { param: "traces.storeText" });
  }
}

/** A stable id for a prompt without one: `p-` and 16 hex digits of its SHA-256. */
export function idOfPrompt(prompt: string): string {
  return `p-${createHash("sha256").update(prompt, "utf8").digest("hex").slice(0, 16)}`;
}

/**
 * The seeded sample: prompt `id` is kept when a hash of (seed, id) falls below `fraction`. Keyed by id,
 * not by position, so a resumed or extended run samples the same prompts.
 */
export function isSampled(id: string, fraction: number, seed: number): boolean {
  if (fraction >= 1) return true;
  const digest = createHash("sha256").update(`${seed}\u0000${id}`, "utf8").digest();
  return digest.readUInt32BE(0) / 2 ** 32 < fraction;
}
