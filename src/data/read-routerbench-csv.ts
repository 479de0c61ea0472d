import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parse } from "csv-parse/sync";
import { commonModels } from "./common-models.js";
import { datasetError, messageOf } from "./dataset-error.js";
import { readModelsJson, unpricedModelWarnings } from "./read-models-json.js";
import type { Outcome, RoutingDataset, RoutingExample } from "./routing-example.js";

const costSuffix = "|total_cost";
const responseSuffix = "|model_response";

/** What {@link parseRouterBenchCsv} makes of one file. */
export interface RouterBenchCsvContents {
  /** Complete rows, in file order. */
  examples: RoutingExample[];
  /** Data rows in the file (complete or not). */
  rowCount: number;
  /** Sample ids of the rows skipped for a blank score or cost, in file order. */
  skippedIds: string[];
  /** Model ids: every `X` with an `X|total_cost` column, in column order. */
  models: string[];
}

interface ParsedRecord {
  record: string[];
  info: { lines: number; empty_lines: number };
}

interface ModelColumns {
  model: string;
  score: number;
  cost: number;
  response: number | undefined;
}

/** The split a RouterBench file name implies: `<task>_train.csv` → `train`, `<task>_test.csv` → `test`. */
export function splitOfRouterBenchFile(file: string): string | undefined {
  return /_(train|test)\.csv$/i.exec(basename(file))?.[1]?.toLowerCase();
}

function column(name: string): string {
  return `column ${JSON.stringify(name)}`;
}

/** Blank and pandas' `nan` mean "not recorded". */
function isMissing(value: string): boolean {
  const trimmed = value.trim();
  return trimmed === "" || trimmed.toLowerCase() === "nan";
}

function parseCsvRecords(text: string, file: string): ParsedRecord[] {
  try {
    return parse(text, { bom: true, info: true, skip_empty_lines: true }) as unknown as ParsedRecord[];
  } catch (error) {
    const lines = (error as { lines?: unknown }).lines;
    throw datasetError({ file, line: typeof lines === "number" ? lines : undefined }, `malformed CSV: ${messageOf(error)}`, error);
  }
}

function locateColumns(header: readonly string[], file: string): { sampleId: number; prompt: number; evalName: number; models: ModelColumns[] } {
  const indexOf = new Map<string, number>();
  header.forEach((name, index) => {
    if (!indexOf.has(name)) indexOf.set(name, index);
  });
  const required = (name: string, why = "required"): number => {
    const index = indexOf.get(name);
    if (index === undefined) throw datasetError({ file, line: 1, field: column(name) }, `missing (${why})`);
    return index;
  };
  const models: ModelColumns[] = [];
  header.forEach((name, index) => {
    if (!name.endsWith(costSuffix)) return;
    const model = name.slice(0, -costSuffix.length);
    models.push({ model, cost: index, score: required(model, `the score column of model ${model}, which has a ${costSuffix} column`), response: indexOf.get(model + responseSuffix) });
  });
  if (models.length === 0) throw datasetError({ file, line: 1 }, `no model columns (a RouterBench CSV has one "<model>${costSuffix}" column per model)`);
  return { sampleId: required("sample_id"), prompt: required("prompt"), evalName: required("eval_name"), models };
}

function parseNumber(raw: string, location: { file: string; line: number; field: string }, range: { max?: number; expectation: string }): number {
  const value = Number(raw.trim());
  if (!Number.isFinite(value) || value < 0 || (range.max !== undefined && value > range.max)) {
    throw datasetError(location, `${range.expectation}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Parses one RouterBench CSV in its own wide schema (an unnamed index column, `sample_id`, `prompt`,
 * `eval_name`, one score column per model, `<model>|model_response`, `<model>|total_cost`,
 * `oracle_model_to_route_to`). Prompts are kept exactly as written (a Python list literal; see
 * `normalizePromptText`); the split comes from the file name. Rows with a blank score or cost for some
 * model are skipped and reported in `skippedIds`.
 */
export function parseRouterBenchCsv(text: string, file: string): RouterBenchCsvContents {
  const records = parseCsvRecords(text, file);
  const header = records[0]?.record;
  if (!header) throw datasetError({ file }, "no header row (the file is empty)");
  const columns = locateColumns(header, file);
  const split = splitOfRouterBenchFile(file);
  const examples: RoutingExample[] = [];
  const skippedIds: string[] = [];
  let previousEnd = records[0]?.info.lines ?? 1;
  let previousEmpty = records[0]?.info.empty_lines ?? 0;
  for (const { record, info } of records.slice(1)) {
    // csv-parse reports the line a record ends on; a multi-line prompt starts further up.
    const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
    previousEnd = info.lines;
    previousEmpty = info.empty_lines;
    const id = (record[columns.sampleId] ?? "").trim();
    if (id === "") throw datasetError({ file, line, field: column("sample_id") }, "expected a non-empty id");
    let complete = true;
    const outcomes: Record<string, Outcome> = {};
    for (const { model, score, cost, response } of columns.models) {
      const scoreText = record[score] ?? "";
      const costText = record[cost] ?? "";
      if (isMissing(scoreText) || isMissing(costText)) {
        complete = false;
        continue;
      }
      const outcome: Outcome = {
        score: parseNumber(scoreText, { file, line, field: column(model) }, { max: 1, expectation: "expected a number in [0, 1]" }),
        costUsd: parseNumber(costText, { file, line, field: column(model + costSuffix) }, { expectation: "expected a non-negative number (USD)" }),
      };
      const responseText = response === undefined ? "" : (record[response] ?? "");
      if (responseText !== "") outcome.response = responseText;
      outcomes[model] = outcome;
    }
    if (!complete) {
      skippedIds.push(id);
      continue;
    }
    const task = (record[columns.evalName] ?? "").trim();
    examples.push({
      id,
      prompt: record[columns.prompt] ?? "",
      ...(task === "" ? {} : { task }),
      ...(split === undefined ? {} : { split }),
      outcomes,
    });
  }
  return { examples, rowCount: records.length - 1, skippedIds, models: columns.models.map((entry) => entry.model) };
}

async function csvFilesOf(pathOrDirectory: string): Promise<{ files: string[]; directory: string }> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(pathOrDirectory)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw datasetError({ file: pathOrDirectory }, code === "ENOENT" ? "no such file or directory" : `cannot read: ${messageOf(error)}`, error);
  }
  if (!isDirectory) return { files: [pathOrDirectory], directory: dirname(pathOrDirectory) };
  const names = (await readdir(pathOrDirectory)).filter((name) => name.toLowerCase().endsWith(".csv")).sort();
  if (names.length === 0) throw datasetError({ file: pathOrDirectory }, "no .csv files in this directory");
  return { files: names.map((name) => join(pathOrDirectory, name)), directory: pathOrDirectory };
}

function skippedWarning(file: string, contents: RouterBenchCsvContents): string {
  const shown = contents.skippedIds.slice(0, 5).join(", ");
  const more = contents.skippedIds.length > 5 ? ", …" : "";
  return `${file}: skipped ${contents.skippedIds.length} of ${contents.rowCount} rows with a blank score or cost for some model (${shown}${more})`;
}

/**
 * Reads RouterBench's wide CSV exactly as the benchmark ships it: one `.csv` file, or a directory whose
 * `*.csv` files are read in name order. Ids are RouterBench's `sample_id`s (`arc-challenge.test.1`), the
 * same ids the canonical `routerbench/dataset.jsonl` uses. Reads `models.json` beside the data when present.
 *
 * RouterBench: Hu et al., "RouterBench: A Benchmark for Multi-LLM Routing System" (2024).
 *
 * @example
 * const dataset = await readRouterBenchCsv("../shared/data/routerbench");
 * dataset.examples.length; // 3150 complete rows; dataset.warnings says which were skipped
 */
export async function readRouterBenchCsv(pathOrDirectory: string): Promise<RoutingDataset> {
  const { files, directory } = await csvFilesOf(pathOrDirectory);
  const examples: RoutingExample[] = [];
  const warnings: string[] = [];
  const origin = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw datasetError({ file }, `cannot read: ${messageOf(error)}`, error);
    }
    const contents = parseRouterBenchCsv(text, file);
    if (contents.skippedIds.length > 0) warnings.push(skippedWarning(file, contents));
    for (const example of contents.examples) {
      const first = origin.get(example.id);
      if (first !== undefined) throw datasetError({ file, field: column("sample_id") }, `duplicate sample_id ${JSON.stringify(example.id)} (also in ${first})`);
      origin.set(example.id, file);
      examples.push(example);
    }
  }
  if (examples.length === 0) throw datasetError({ file: pathOrDirectory }, "no complete rows (every row lacks a score or cost for some model)");
  const common = commonModels(examples);
  const modelsPath = join(directory, "models.json");
  const modelInfo = (await readModelsJson(modelsPath)) ?? [];
  return {
    source: pathOrDirectory,
    examples,
    models: common.models,
    modelInfo,
    warnings: [...warnings, ...common.warnings, ...unpricedModelWarnings(common.models, modelInfo, modelsPath)],
  };
}
