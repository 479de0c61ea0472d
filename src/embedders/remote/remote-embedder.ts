import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { createRandom, type Random } from "../../core/random.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "../embedder.js";
import { parseEmbedderOptions } from "../embedder-options.js";
import { l2NormalizeInPlace } from "../l2-normalize.js";
import { EmbeddingCaches, embeddingCacheKey, type EmbeddingCache } from "../embedding-cache.js";
import { requestEmbeddings, type EmbeddingsRequestOptions } from "./embeddings-client.js";

const kind = "remote";

const settingsShape = {
  /** Base URL as the OpenAI SDK takes it (`https://api.openai.com/v1`, `http://localhost:11434/v1`); `/embeddings` is appended. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  /** Shortened output size (OpenAI `text-embedding-3-*` only). */
  dimensions: z.number().int().positive().optional(),
  /** Environment variable holding the API key (stored in state; the key itself never is). */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  batchSize: z.number().int().min(1).max(2048).default(64),
  maxRetries: z.number().int().min(0).max(20).default(5),
  initialBackoffMs: z.number().int().min(0).default(500),
  maxBackoffMs: z.number().int().min(0).default(30_000),
  maxRetryAfterMs: z.number().int().min(0).default(60_000),
  timeoutMs: z.number().int().positive().default(60_000),
  /** Keep vectors in the SQLite cache under the cache directory. */
  cache: z.boolean().default(true),
};

const optionsSchema = z
  .object({
    ...settingsShape,
    /** The API key for this process only (not stored); prefer `apiKeyEnv` for artifacts. */
    apiKey: z.string().min(1).optional(),
    /** Cache directory for this process (not stored). */
    cacheDir: z.string().min(1).optional(),
  })
  .strict();

/** Options of the remote embedder's `fit`. */
export type RemoteEmbedderOptions = z.input<typeof optionsSchema>;

const stateSchema = z.object({
  kind: z.literal(kind),
  version: z.literal(1),
  ...settingsShape,
  dimensions: z.number().int().positive().nullable(),
  apiKeyEnv: z.string().nullable(),
  /** True when the fit used a key given directly, so a reload needs one too. */
  apiKeyRequired: z.boolean(),
  dimension: z.number().int().positive(),
});

type RemoteState = z.infer<typeof stateSchema>;

/** Runtime parts of a remote embedder (never stored). */
interface RemoteRuntime {
  apiKey: string | undefined;
  cache: EmbeddingCache | undefined;
  request: Omit<EmbeddingsRequestOptions, "url" | "model" | "dimensions" | "apiKey" | "maxRetries" | "timeoutMs" | "initialBackoffMs" | "maxBackoffMs" | "maxRetryAfterMs">;
}

/**
 * Vectors from any OpenAI-compatible `POST /v1/embeddings` endpoint (OpenAI, Ollama, TEI, vLLM),
 * L2-normalised. Every vector is cached in SQLite under sha256(model + "\0" + text), so only texts
 * never seen before are sent, in batches of `batchSize`. Blank texts embed to zeros without a call.
 */
export class RemoteEmbedder implements Embedder {
  readonly kind = kind;
  readonly dimension: number;

  constructor(
    private readonly state: RemoteState,
    private readonly runtime: RemoteRuntime,
  ) {
    this.dimension = state.dimension;
  }

  /** Embeds texts, checking every vector has `expectedDimension` numbers when given. */
  static async embedWith(state: Omit<RemoteState, "dimension">, runtime: RemoteRuntime, texts: readonly string[], expectedDimension: number | undefined): Promise<Float32Array[]> {
    const cacheModel = state.dimensions ? `${state.model}#dimensions=${state.dimensions}` : state.model;
    const keys = texts.map((text) => embeddingCacheKey(cacheModel, text));
    const found = runtime.cache ? runtime.cache.getMany(keys, expectedDimension) : new Map<string, Float32Array>();
    const missing = new Map<string, { key: Buffer; text: string }>();
    texts.forEach((text, index) => {
      const hex = keys[index]!.toString("hex");
      if (text.trim() !== "" && !found.has(hex)) missing.set(hex, { key: keys[index]!, text });
    });
    const pending = [...missing.values()];
    let dimension = expectedDimension;
    for (let start = 0; start < pending.length; start += state.batchSize) {
      const batch = pending.slice(start, start + state.batchSize);
      const vectors = await requestEmbeddings(
        batch.map((item) => item.text),
        {
          ...runtime.request,
          url: endpointOf(state.baseUrl),
          model: state.model,
          dimensions: state.dimensions ?? undefined,
          apiKey: runtime.apiKey,
          maxRetries: state.maxRetries,
          timeoutMs: state.timeoutMs,
          initialBackoffMs: state.initialBackoffMs,
          maxBackoffMs: state.maxBackoffMs,
          maxRetryAfterMs: state.maxRetryAfterMs,
        },
      );
      const entries = batch.map((item, index) => {
        const vector = l2NormalizeInPlace(vectors[index]!);
        dimension ??= vector.length;
        if (vector.length !== dimension) throw new SwitchyardError("upstream_error", `${state.model} returned a ${vector.length}-d vector, expected ${dimension}`);
        found.set(item.key.toString("hex"), vector);
        return { key: item.key, vector };
      });
      runtime.cache?.putMany(cacheModel, entries, runtime.request.now());
    }
    return keys.map((key, index) => {
      const vector = found.get(key.toString("hex"));
      if (vector && texts[index]!.trim() !== "") return Float32Array.from(vector);
      return new Float32Array(dimension ?? 0);
    });
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return RemoteEmbedder.embedWith(this.state, this.runtime, texts, this.dimension);
  }

  toState(): EmbedderState {
    return { ...this.state };
  }
}

/** `baseUrl` + `/embeddings`, unless it already names the endpoint. */
export function endpointOf(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, "");
  return trimmed.endsWith("/embeddings") ? trimmed : `${trimmed}/embeddings`;
}

/** What the remote factory takes from its surroundings (all optional; tests inject fetch and sleep). */
export interface RemoteFactoryOptions {
  fetch?: typeof globalThis.fetch;
  sleep?: (milliseconds: number) => Promise<void>;
  random?: Random;
  now?: () => number;
  env?: Readonly<Record<string, string | undefined>>;
  /** Default cache directory (else `$SWITCHYARD_CACHE_DIR`, else `~/.cache/switchyard`). */
  cacheDir?: string;
  /** API key used when neither the options nor `apiKeyEnv` give one. */
  apiKey?: string;
  /** Receives one line per retry (default: stderr). */
  log?: (line: string) => void;
}

/** The remote factory, with `close()` for the SQLite caches it opened. */
export interface RemoteEmbedderFactory extends EmbedderFactory {
  close(): void;
}

/**
 * Builds the remote-embeddings factory. `fit` learns nothing but the vector size (it embeds the first
 * training text, which lands in the cache anyway).
 *
 * @example
 * const factory = createRemoteEmbedderFactory();
 * const embedder = await factory.fit(prompts, { baseUrl: "https://api.openai.com/v1", model: "text-embedding-3-small", apiKeyEnv: "OPENAI_API_KEY" });
 */
export function createRemoteEmbedderFactory(factoryOptions: RemoteFactoryOptions = {}): RemoteEmbedderFactory {
  const env = factoryOptions.env ?? process.env;
  const caches = new EmbeddingCaches("remote-embeddings.sqlite", { cacheDir: factoryOptions.cacheDir, env });
  const request: RemoteRuntime["request"] = {
    fetch: factoryOptions.fetch ?? globalThis.fetch,
    sleep: factoryOptions.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds))),
    random: factoryOptions.random ?? createRandom(0x5eed),
    now: factoryOptions.now ?? Date.now,
    log: factoryOptions.log ?? ((line) => process.stderr.write(`${line}\n`)),
  };

  function apiKeyFor(apiKeyEnv: string | null | undefined, required: boolean, direct?: string): string | undefined {
    if (direct) return direct;
    if (apiKeyEnv) {
      const value = env[apiKeyEnv];
      if (value) return value;
      if (factoryOptions.apiKey) return factoryOptions.apiKey;
      throw new SwitchyardError("invalid_config", `The remote embedder needs an API key: set the environment variable ${apiKeyEnv} (option apiKeyEnv) or pass the option apiKey`, { param: "apiKeyEnv" });
    }
    if (factoryOptions.apiKey) return factoryOptions.apiKey;
    if (required) throw new SwitchyardError("invalid_config", "This router's remote embedder was trained with an API key that is not stored; give one with the option apiKey or, better, retrain with apiKeyEnv", { param: "apiKey" });
    return undefined;
  }

  return {
    kind,
    close() {
      caches.close();
    },
    async fit(texts, rawOptions) {
      const { apiKey, cacheDir, ...options } = parseEmbedderOptions(optionsSchema, rawOptions, { kind });
      const runtime: RemoteRuntime = { apiKey: apiKeyFor(options.apiKeyEnv, false, apiKey), cache: caches.at(cacheDir, options.cache), request };
      const settings: Omit<RemoteState, "dimension"> = { kind, version: 1, ...options, dimensions: options.dimensions ?? null, apiKeyEnv: options.apiKeyEnv ?? null, apiKeyRequired: apiKey !== undefined && !options.apiKeyEnv };
      const probe = texts.find((text) => text.trim() !== "") ?? "Switchyard";
      const [vector] = await RemoteEmbedder.embedWith(settings, runtime, [probe], undefined);
      return new RemoteEmbedder({ ...settings, dimension: vector!.length }, runtime);
    },
    async fromState(rawState) {
      const state = parseEmbedderOptions(stateSchema, rawState, { kind, what: "state" });
      const runtime: RemoteRuntime = { apiKey: apiKeyFor(state.apiKeyEnv, state.apiKeyRequired), cache: caches.at(undefined, state.cache), request };
      return new RemoteEmbedder(state, runtime);
    },
  };
}

/** Registry entry: real `fetch`, timers and the default cache directory. */
export const remoteEmbedderFactory: EmbedderFactory = createRemoteEmbedderFactory();
