import { readFileSync } from "node:fs";
import { SwitchyardError } from "../../core/errors.js";
import { createPreTokenizer, type PreTokenizer } from "./pre-tokenizer.js";
import { createTextNormalizer, type TextNormalizer } from "./text-normalizer.js";

/** Model inputs for one text. */
export interface EncodedText {
  ids: number[];
  /** Segment ids (`token_type_ids`), all 0 for a single text. */
  typeIds: number[];
}

interface AddedToken {
  id: number;
  content: string;
  lstrip: boolean;
  rstrip: boolean;
}

interface TemplatePiece {
  /** Token ids of a special token, or `undefined` for the text itself. */
  ids?: number[];
  typeId: number;
}

/**
 * The WordPiece tokenizer of a Hugging Face `tokenizer.json` (BERT, all-MiniLM-L6-v2, bge, e5, gte):
 * added special tokens matched in the raw text, the configured normalizer and pre-tokenizer, greedy
 * longest-match-first WordPiece with a continuation prefix (`##`), the single-text template of the
 * post-processor (`[CLS] … [SEP]`), and truncation that keeps the special tokens.
 */
export class WordPieceTokenizer {
  private readonly vocabulary: Map<string, number>;
  private readonly unknownId: number;
  private readonly continuationPrefix: string;
  private readonly maxCharactersPerWord: number;
  private readonly normalize: TextNormalizer;
  private readonly preTokenize: PreTokenizer;
  private readonly addedTokens: AddedToken[];
  private readonly template: TemplatePiece[];
  /** Id used to pad a batch (the `padding.pad_id`, else `[PAD]`, else 0). */
  readonly padId: number;
  /** `truncation.max_length` of the file, if it sets one. */
  readonly configuredMaxLength: number | undefined;

  private constructor(json: TokenizerJson, where: string) {
    const model = json.model;
    if (!model || model.type !== "WordPiece") {
      throw new SwitchyardError(
        "invalid_config",
        `${where}: model type ${String(model?.type)} is not supported; Switchyard's ONNX embedder reads WordPiece tokenizers (BERT, all-MiniLM-L6-v2, bge-small, e5, gte)`,
      );
    }
    if (!model.vocab || typeof model.vocab !== "object") throw new SwitchyardError("invalid_config", `${where}: model.vocab is missing`);
    this.vocabulary = new Map(Object.entries(model.vocab).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
    const unknown = typeof model.unk_token === "string" ? model.unk_token : "[UNK]";
    const unknownId = this.vocabulary.get(unknown);
    if (unknownId === undefined) throw new SwitchyardError("invalid_config", `${where}: the unknown token ${unknown} is not in model.vocab`);
    this.unknownId = unknownId;
    this.continuationPrefix = typeof model.continuing_subword_prefix === "string" ? model.continuing_subword_prefix : "##";
    this.maxCharactersPerWord = typeof model.max_input_chars_per_word === "number" ? model.max_input_chars_per_word : 100;
    this.normalize = createTextNormalizer(json.normalizer, `${where} normalizer`);
    this.preTokenize = createPreTokenizer(json.pre_tokenizer, `${where} pre_tokenizer`);
    this.addedTokens = (Array.isArray(json.added_tokens) ? json.added_tokens : [])
      .filter((token) => typeof token?.id === "number" && typeof token.content === "string" && token.content.length > 0 && token.normalized !== true)
      .map((token) => ({ id: token.id as number, content: token.content as string, lstrip: token.lstrip === true, rstrip: token.rstrip === true }))
      .sort((a, b) => b.content.length - a.content.length);
    this.template = parseTemplate(json.post_processor, this.vocabulary, where);
    const pad = json.padding?.pad_id;
    this.padId = typeof pad === "number" ? pad : (this.vocabulary.get("[PAD]") ?? 0);
    const truncation = json.truncation?.max_length;
    this.configuredMaxLength = typeof truncation === "number" && truncation > 0 ? truncation : undefined;
  }

  /** Reads a `tokenizer.json` file. */
  static fromFile(path: string): WordPieceTokenizer {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (cause) {
      throw new SwitchyardError("invalid_config", `${path} is not readable JSON: ${(cause as Error).message}`, { cause });
    }
    return WordPieceTokenizer.fromJson(json, path);
  }

  /** Builds a tokenizer from parsed `tokenizer.json` content; `where` names it in errors. */
  static fromJson(json: unknown, where = "tokenizer.json"): WordPieceTokenizer {
    if (!json || typeof json !== "object") throw new SwitchyardError("invalid_config", `${where} is not a JSON object`);
    return new WordPieceTokenizer(json as TokenizerJson, where);
  }

  /** Number of special tokens the template adds around a text. */
  get specialTokenCount(): number {
    return this.template.reduce((count, piece) => count + (piece.ids?.length ?? 0), 0);
  }

  /** Vocabulary ids of a text's word pieces, without special tokens or truncation. */
  tokenIds(text: string): number[] {
    const ids: number[] = [];
    for (const segment of this.splitAddedTokens(text)) {
      if (typeof segment === "number") {
        ids.push(segment);
        continue;
      }
      for (const word of this.preTokenize(this.normalize(segment))) this.wordPieces(word, ids);
    }
    return ids;
  }

  /** Word-piece strings of a text (for tests and debugging). */
  tokens(text: string): string[] {
    const byId = new Map([...this.vocabulary].map(([token, id]) => [id, token]));
    return this.tokenIds(text).map((id) => byId.get(id) ?? String(id));
  }

  /** Model inputs for one text: special tokens added, truncated to `maxLength` tokens in all. */
  encode(text: string, maxLength: number): EncodedText {
    const room = Math.max(0, maxLength - this.specialTokenCount);
    const body = this.tokenIds(text).slice(0, room);
    const ids: number[] = [];
    const typeIds: number[] = [];
    for (const piece of this.template) {
      const pieceIds = piece.ids ?? body;
      for (const id of pieceIds) {
        ids.push(id);
        typeIds.push(piece.typeId);
      }
    }
    return { ids, typeIds };
  }

  /** Splits raw text around added (special) tokens, as Hugging Face does before normalising. */
  private splitAddedTokens(text: string): (string | number)[] {
    const present = this.addedTokens.filter((token) => text.includes(token.content));
    if (present.length === 0) return [text];
    const segments: (string | number)[] = [];
    let start = 0;
    let index = 0;
    while (index < text.length) {
      const token = present.find((candidate) => text.startsWith(candidate.content, index));
      if (!token) {
        index++;
        continue;
      }
      let before = text.slice(start, index);
      if (token.lstrip) before = before.trimEnd();
      if (before) segments.push(before);
      segments.push(token.id);
      index += token.content.length;
      if (token.rstrip) while (index < text.length && /\s/u.test(text[index]!)) index++;
      start = index;
    }
    if (start < text.length) segments.push(text.slice(start));
    return segments;
  }

  /** Greedy longest-match-first WordPiece (Wu et al. 2016, as BERT applies it); an unsplittable word is one unknown token. */
  private wordPieces(word: string, out: number[]): void {
    const characters = Array.from(word);
    if (characters.length > this.maxCharactersPerWord) {
      out.push(this.unknownId);
      return;
    }
    const pieces: number[] = [];
    let start = 0;
    while (start < characters.length) {
      let end = characters.length;
      let found: number | undefined;
      while (start < end) {
        const piece = characters.slice(start, end).join("");
        found = this.vocabulary.get(start > 0 ? this.continuationPrefix + piece : piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) {
        out.push(this.unknownId);
        return;
      }
      pieces.push(found);
      start = end;
    }
    out.push(...pieces);
  }
}

interface TokenizerJson {
  model?: { type?: unknown; vocab?: Record<string, unknown>; unk_token?: unknown; continuing_subword_prefix?: unknown; max_input_chars_per_word?: unknown };
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  post_processor?: unknown;
  added_tokens?: { id?: unknown; content?: unknown; lstrip?: unknown; rstrip?: unknown; normalized?: unknown }[];
  padding?: { pad_id?: unknown } | null;
  truncation?: { max_length?: unknown } | null;
}

/** The single-sequence layout of `TemplateProcessing`, `BertProcessing` or `RobertaProcessing`. */
function parseTemplate(config: unknown, vocabulary: Map<string, number>, where: string): TemplatePiece[] {
  if (config === null || config === undefined) return [{ typeId: 0 }];
  const processor = config as { type?: unknown; single?: unknown; special_tokens?: Record<string, { ids?: unknown }>; cls?: unknown; sep?: unknown; processors?: unknown };
  switch (processor.type) {
    case "TemplateProcessing": {
      if (!Array.isArray(processor.single)) throw new SwitchyardError("invalid_config", `${where} post_processor: TemplateProcessing without a single template`);
      return processor.single.map((piece: unknown) => {
        const special = (piece as { SpecialToken?: { id?: unknown; type_id?: unknown } }).SpecialToken;
        const sequence = (piece as { Sequence?: { type_id?: unknown } }).Sequence;
        if (special) {
          const name = String(special.id);
          const ids = processor.special_tokens?.[name]?.ids;
          const resolved = Array.isArray(ids) && ids.every((id) => typeof id === "number") ? (ids as number[]) : [vocabulary.get(name)];
          if (resolved.some((id) => id === undefined)) throw new SwitchyardError("invalid_config", `${where} post_processor: special token ${name} has no id`);
          return { ids: resolved as number[], typeId: typeof special.type_id === "number" ? special.type_id : 0 };
        }
        if (sequence) return { typeId: typeof sequence.type_id === "number" ? sequence.type_id : 0 };
        throw new SwitchyardError("invalid_config", `${where} post_processor: unknown template piece ${JSON.stringify(piece)}`);
      });
    }
    case "BertProcessing":
    case "RobertaProcessing": {
      const cls = processor.cls as [string, number] | undefined;
      const sep = processor.sep as [string, number] | undefined;
      if (!Array.isArray(cls) || !Array.isArray(sep)) throw new SwitchyardError("invalid_config", `${where} post_processor: ${String(processor.type)} needs cls and sep`);
      return [{ ids: [cls[1]], typeId: 0 }, { typeId: 0 }, { ids: [sep[1]], typeId: 0 }];
    }
    default:
      throw new SwitchyardError("invalid_config", `${where} post_processor: type ${String(processor.type)} is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing)`);
  }
}
