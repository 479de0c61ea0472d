import { createWriteStream } from "node:fs";
import type { Command } from "commander";
import { routingLogLine, routingLogOfTraces } from "../../data/routing-log-of-traces.js";
import type { TraceFilter, TraceRecord } from "../../stores/trace-record.js";
import type { Store } from "../../stores/store.js";
import { parseNumberOption, UsageError } from "../usage-error.js";
import { formatTable, openStoreForCli, withStoreOptions, type StoreCommandDeps, type StoreLocationOptions } from "./keys.js";

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `24h`, `7d` (before now) or an ISO date/time, as epoch milliseconds. */
export function parseTimeOption(flag: string, value: string, now: number): number {
  const relative = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * (unitMs[relative[2] as string] as number);
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute)) throw new UsageError(`${flag} must be a duration like 30m, 24h, 7d or an ISO date, got ${JSON.stringify(value)}`);
  return absolute;
}

/** A duration like `30d` in milliseconds. */
export function parseDurationOption(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} must be a duration like 12h, 30d or 4w, got ${JSON.stringify(value)}`);
  return Number(match[1]) * (unitMs[match[2] as string] as number);
}

interface FilterOptions extends StoreLocationOptions {
  since?: string;
  until?: string;
  key?: string;
  model?: string;
  status?: string;
  errors?: boolean;
  limit?: string;
}

function withFilterOptions(command: Command): Command {
  return withStoreOptions(command)
    .option("--since <when>", "only traces after this (30m, 24h, 7d, or an ISO date)")
    .option("--until <when>", "only traces before this")
    .option("--key <key>", "only this API key (id or name)")
    .option("--model <id>", "only this requested or served model")
    .option("--status <code>", "only this HTTP status")
    .option("--errors", "only failed requests (status ≥ 400)");
}

async function filterOf(store: Store, options: FilterOptions, now: number, defaultLimit: number): Promise<TraceFilter> {
  const filter: TraceFilter = { limit: options.limit === undefined ? defaultLimit : parseNumberOption("--limit", options.limit, { min: 1, integer: true }) };
  if (options.since !== undefined) filter.since = parseTimeOption("--since", options.since, now);
  if (options.until !== undefined) filter.until = parseTimeOption("--until", options.until, now);
  if (options.model !== undefined) filter.model = options.model;
  if (options.status !== undefined) filter.status = parseNumberOption("--status", options.status, { min: 100, max: 599, integer: true });
  if (options.errors) filter.outcome = "error";
  if (options.key !== undefined) {
    const match = (await store.keys.list()).find((record) => record.id === options.key || record.name === options.key);
    filter.keyId = match?.id ?? options.key;
  }
  return filter;
}

function row(trace: TraceRecord): string[] {
  const model = trace.servedModel && trace.servedModel !== trace.requestedModel ? `${trace.requestedModel ?? "-"}→${trace.servedModel}` : (trace.requestedModel ?? "-");
  const failed = trace.attempts.filter((attempt) => attempt.outcome !== "ok").length;
  return [
    new Date(trace.createdAt).toISOString().replace("T", " ").slice(0, 23),
    trace.id,
    trace.keyId ?? "open",
    model,
    trace.errorCode ? `${trace.status} ${trace.errorCode}` : String(trace.status),
    `${trace.latencyMs.toFixed(1)}`,
    trace.inputTokens === null ? "-" : `${trace.inputTokens}/${trace.outputTokens ?? 0}`,
    trace.costUsd === null ? "-" : `$${Number(trace.costUsd.toPrecision(4))}`,
    `${trace.attempts.length}${failed > 0 ? ` (${failed} failed, ${trace.fallbacks} fallback${trace.fallbacks === 1 ? "" : "s"})` : ""}`,
    trace.feedback ? String(trace.feedback.score) : "-",
  ];
}

/**
 * `switchyard traces [list]|show|export|prune`: read the request traces the gateway stores (newest
 * first), filter them, export them as JSONL, and prune old ones (`traces.retentionDays` by default).
 *
 * @example
 * switchyard traces --config switchyard.yaml --since 1h --errors
 * switchyard traces export --config switchyard.yaml --since 7d --out traces.jsonl
 * switchyard traces export --config switchyard.yaml --format routing-log --out decisions.jsonl
 */
export function registerTraces(program: Command, deps: StoreCommandDeps = {}): void {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = deps.now ?? Date.now;
  const traces = program.command("traces").description("list, filter, export and prune request traces");

  withFilterOptions(traces.command("list", { isDefault: true }).description("list traces, newest first"))
    .option("--limit <n>", "at most this many (default 50)")
    .option("--json", "one JSON trace per line")
    .action(async (options: FilterOptions & { json?: boolean }) => {
      const { store } = await openStoreForCli(options);
      try {
        const found = await store.traces.list(await filterOf(store, options, now(), 50));
        if (options.json) for (const trace of found) print(JSON.stringify(trace));
        else if (found.length === 0) print("no traces match");
        else for (const line of formatTable(["time (UTC)", "request id", "key", "model", "status", "ms", "tokens in/out", "cost", "attempts", "feedback"], found.map(row))) print(line);
      } finally {
        await store.close();
      }
    });

  withStoreOptions(traces.command("show").description("print one trace as JSON").argument("<request-id>", "the request's x-request-id")).action(
    async (requestId: string, options: StoreLocationOptions) => {
      const { store } = await openStoreForCli(options);
      try {
        const trace = await store.traces.get(requestId);
        if (trace === undefined) throw new UsageError(`no trace has the request id ${JSON.stringify(requestId)}`);
        print(JSON.stringify(trace, null, 2));
      } finally {
        await store.close();
      }
    },
  );

  withFilterOptions(traces.command("export").description("export traces as JSONL (one trace per line), or the decision log (--format routing-log)"))
    .option("--out <file>", "write here instead of stdout")
    .option("--limit <n>", "at most this many (default: all)")
    .option("--format <format>", "traces (every trace as stored) or routing-log (one line per routed decision, for `switchyard ope` and `switchyard train`)", "traces")
    .action(async (options: FilterOptions & { out?: string; format: string }) => {
      if (options.format !== "traces" && options.format !== "routing-log") throw new UsageError(`--format must be traces or routing-log, got ${JSON.stringify(options.format)}`);
      const { store } = await openStoreForCli(options);
      try {
        const found = await store.traces.list(await filterOf(store, options, now(), Number.MAX_SAFE_INTEGER));
        let lines: string[];
        let summary: string;
        if (options.format === "routing-log") {
          const log = routingLogOfTraces(found);
          lines = log.entries.map(routingLogLine);
          const left = [
            [log.notRouted, "not routed"],
            [log.failed, "failed"],
            [log.servedByFallback, "served by a fallback"],
            [log.withoutPropensity, "from before the decision log"],
          ].filter(([count]) => (count as number) > 0).map(([count, why]) => `${String(count)} ${String(why)}`);
          const rewarded = log.entries.filter((entry) => entry.reward !== undefined).length;
          const withText = log.entries.filter((entry) => entry.prompt !== undefined).length;
          summary = `wrote ${lines.length} decision${lines.length === 1 ? "" : "s"} (${rewarded} with a reward, ${withText} with prompt text)${left.length > 0 ? `; left out ${left.join(", ")}` : ""}`;
        } else {
          lines = found.map((trace) => JSON.stringify(trace));
          summary = `wrote ${found.length} trace${found.length === 1 ? "" : "s"}`;
        }
        if (options.out === undefined) {
          for (const line of lines) print(line);
          return;
        }
        const out = createWriteStream(options.out);
        for (const line of lines) if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
        await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
        print(`${summary} to ${options.out}`);
      } finally {
        await store.close();
      }
    });

  withStoreOptions(traces.command("prune").description("delete traces older than the retention"))
    .option("--older-than <duration>", "e.g. 30d (default: the config's traces.retentionDays)")
    .action(async (options: StoreLocationOptions & { olderThan?: string }) => {
      const { store, retentionDays } = await openStoreForCli(options);
      try {
        const age = options.olderThan !== undefined ? parseDurationOption("--older-than", options.olderThan) : retentionDays !== undefined && retentionDays > 0 ? retentionDays * unitMs.d! : undefined;
        if (age === undefined) throw new UsageError("give --older-than (no config with traces.retentionDays > 0)");
        const removed = await store.traces.prune(now() - age);
        print(`pruned ${removed} trace${removed === 1 ? "" : "s"}`);
      } finally {
        await store.close();
      }
    });
}
