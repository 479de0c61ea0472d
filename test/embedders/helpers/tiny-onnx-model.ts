import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ProtobufWriter } from "./protobuf-writer.js";

/** ONNX TensorProto.DataType codes used here. */
const FLOAT = 1;
const INT64 = 7;

/** The ~20-word WordPiece vocabulary of the tiny test tokenizer (ids are the array positions). */
export const tinyVocabulary = [
  "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
  "the", "cat", "sat", "on", "mat", "dog", "play", "##ing", "##ed", "##s", "un", "##believ", "##able", "!", ",", "cafe", "run",
] as const;

/** Options of {@link writeTinyOnnxModel}. */
export interface TinyOnnxModelOptions {
  /** Hidden size of the fake encoder. */
  dimension?: number;
  /** Declare and use a `token_type_ids` input (adds a type embedding, as BERT does). */
  tokenTypeIds?: boolean;
  /** Name of the token-level output. */
  outputName?: string;
  /** Where the model file goes, relative to the directory. */
  modelFile?: string;
  /** Write `1_Pooling/config.json` asking for CLS pooling. */
  clsPooling?: boolean;
  /** `truncation.max_length` in tokenizer.json. */
  maxLength?: number;
}

/** What the test needs to compute the expected vectors by hand. */
export interface TinyOnnxModel {
  directory: string;
  dimension: number;
  /** Row `id` is the embedding of token `id`. */
  tokenEmbeddings: Float32Array[];
  /** Added to every token when token_type_ids is used (type 0). */
  typeEmbedding: Float32Array | undefined;
}

/** Deterministic small values, different for every (row, column), exactly representable in float32. */
function tableValue(row: number, column: number, salt: number): number {
  return Math.fround(((((row + 1) * 37 + (column + 1) * 11 + salt * 7) % 23) - 11) / 8);
}

/**
 * Writes a model directory in Hugging Face layout that ONNX Runtime really loads: `tokenizer.json`
 * (BERT normalizer and pre-tokenizer, WordPiece, [CLS]/[SEP] template) and a hand-encoded ONNX graph
 * `last_hidden_state = Gather(embedding_table, input_ids) [+ Gather(type_table, token_type_ids)]`
 * with an `attention_mask` input as real encoders have.
 */
export function writeTinyOnnxModel(directory: string, options: TinyOnnxModelOptions = {}): TinyOnnxModel {
  const dimension = options.dimension ?? 4;
  const vocabularySize = tinyVocabulary.length;
  const tokenEmbeddings = Array.from({ length: vocabularySize }, (_, row) => Float32Array.from({ length: dimension }, (_, column) => tableValue(row, column, 0)));
  const typeEmbeddings = Array.from({ length: 2 }, (_, row) => Float32Array.from({ length: dimension }, (_, column) => tableValue(row, column, 5) / 4));
  const outputName = options.outputName ?? "last_hidden_state";
  const modelFile = options.modelFile ?? join("onnx", "model.onnx");
  mkdirSync(dirname(join(directory, modelFile)), { recursive: true });
  writeFileSync(join(directory, modelFile), encodeModel({ dimension, tokenEmbeddings, typeEmbeddings: options.tokenTypeIds ? typeEmbeddings : undefined, outputName }));
  writeFileSync(join(directory, "tokenizer.json"), JSON.stringify(tinyTokenizerJson(options.maxLength ?? 16)));
  writeFileSync(join(directory, "config.json"), JSON.stringify({ model_type: "bert", hidden_size: dimension, max_position_embeddings: 64 }));
  if (options.clsPooling) {
    mkdirSync(join(directory, "1_Pooling"), { recursive: true });
    writeFileSync(join(directory, "1_Pooling", "config.json"), JSON.stringify({ word_embedding_dimension: dimension, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false }));
  }
  return { directory, dimension, tokenEmbeddings, typeEmbedding: options.tokenTypeIds ? typeEmbeddings[0] : undefined };
}

/** A `tokenizer.json` shaped like bert-base-uncased's, with the tiny vocabulary. */
export function tinyTokenizerJson(maxLength: number): Record<string, unknown> {
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: "1.0",
    truncation: { direction: "Right", max_length: maxLength, strategy: "LongestFirst", stride: 0 },
    padding: null,
    added_tokens: [special(0, "[PAD]"), special(1, "[UNK]"), special(2, "[CLS]"), special(3, "[SEP]"), special(4, "[MASK]")],
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: { "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] } },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: Object.fromEntries(tinyVocabulary.map((token, id) => [token, id])) },
  };
}

interface GraphSpec {
  dimension: number;
  tokenEmbeddings: Float32Array[];
  typeEmbeddings: Float32Array[] | undefined;
  outputName: string;
}

function floatTensor(writer: ProtobufWriter, name: string, rows: Float32Array[], dimension: number): void {
  const values = new Float32Array(rows.length * dimension);
  rows.forEach((row, index) => values.set(row, index * dimension));
  writer.varint(1, rows.length).varint(1, dimension).varint(2, FLOAT).string(8, name).bytes(9, new Uint8Array(values.buffer));
}

function valueInfo(writer: ProtobufWriter, name: string, elementType: number, shape: (number | string)[]): void {
  writer.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.varint(1, elementType).message(2, (tensorShape) => {
        for (const dim of shape) tensorShape.message(1, (d) => (typeof dim === "number" ? d.varint(1, dim) : d.string(2, dim)));
      }),
    ),
  );
}

function encodeModel(spec: GraphSpec): Uint8Array {
  return new ProtobufWriter()
    .varint(1, 8) // ir_version
    .string(2, "switchyard-test")
    .message(8, (opset) => opset.string(1, "").varint(2, 13))
    .message(7, (graph) => {
      const tokenOutput = spec.typeEmbeddings ? "token_part" : spec.outputName;
      graph.message(1, (node) => node.string(1, "embedding_table").string(1, "input_ids").string(2, tokenOutput).string(3, "gather_tokens").string(4, "Gather"));
      if (spec.typeEmbeddings) {
        graph.message(1, (node) => node.string(1, "type_table").string(1, "token_type_ids").string(2, "type_part").string(3, "gather_types").string(4, "Gather"));
        graph.message(1, (node) => node.string(1, "token_part").string(1, "type_part").string(2, spec.outputName).string(3, "add").string(4, "Add"));
      }
      graph.string(2, "tiny_encoder");
      graph.message(5, (tensor) => floatTensor(tensor, "embedding_table", spec.tokenEmbeddings, spec.dimension));
      if (spec.typeEmbeddings) graph.message(5, (tensor) => floatTensor(tensor, "type_table", spec.typeEmbeddings!, spec.dimension));
      graph.message(11, (input) => valueInfo(input, "input_ids", INT64, ["batch", "sequence"]));
      graph.message(11, (input) => valueInfo(input, "attention_mask", INT64, ["batch", "sequence"]));
      if (spec.typeEmbeddings) graph.message(11, (input) => valueInfo(input, "token_type_ids", INT64, ["batch", "sequence"]));
      graph.message(12, (output) => valueInfo(output, spec.outputName, FLOAT, ["batch", "sequence", spec.dimension]));
    })
    .finish();
}
