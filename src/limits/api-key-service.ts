import { randomBytes as cryptoRandomBytes } from "node:crypto";
import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";
import { budgetPeriods, type ApiKeyRecord, type BudgetPeriod } from "../stores/api-key-record.js";
import type { Broadcast } from "../coordination/coordination.js";
import type { Store } from "../stores/store.js";
import type { ApiKeyHasher } from "./api-key-hasher.js";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Characters of randomness in a key: 32 base-62 characters ≈ 190 bits. */
const keyBodyLength = 32;
/** Characters of the key kept as its displayable prefix (`sy-` plus four). */
const prefixLength = 7;

/** Schema of what `keys create` accepts. */
export const createKeyInputSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, "letters, digits, . _ @ - (starting with a letter or digit)"),
    budgetUsd: z.number().positive().finite().optional(),
    budgetPeriod: z.enum(budgetPeriods as [BudgetPeriod, ...BudgetPeriod[]]).default("month"),
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
    models: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

/** What a new key may be limited to; see {@link createKeyInputSchema}. */
export type CreateKeyInput = z.input<typeof createKeyInputSchema>;

/** Manages API keys: creation (the secret is returned once), listing, revocation, authentication. */
export interface ApiKeyService {
  /** Creates a key; `key` is the only time the secret exists outside the client. */
  create(input: CreateKeyInput): Promise<{ key: string; record: ApiKeyRecord }>;
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes the active key with this id or name; throws `invalid_request` when there is none. */
  revoke(idOrName: string): Promise<ApiKeyRecord>;
  /** The active key for a presented secret; throws `unauthorized` (401) otherwise. */
  authenticate(presented: string | undefined): Promise<ApiKeyRecord>;
  /** Number of active keys. */
  countActive(): Promise<number>;
  /** Number of keys ever created (0 means the gateway may run open). */
  countAll(): Promise<number>;
}

/** Dependencies of {@link createApiKeyService}. */
export interface ApiKeyServiceOptions {
  store: Store;
  hasher: ApiKeyHasher;
  now?: () => number;
  randomBytes?: (size: number) => Buffer;
  /**
   * How long an authenticated key is trusted without asking the store again, for stores without
   * `keys.revision()` (default 1000 ms; 0 disables the cache). Stores with it are asked on every
   * request whether anything changed, so a revocation takes effect at once.
   */
  keyCacheMs?: number;
  /**
   * Where revocations are announced to (and heard from) other instances (the Redis coordination's
   * pub/sub): a revocation anywhere drops every instance's cache at once.
   */
  revocations?: Broadcast;
}

/** Default of {@link ApiKeyServiceOptions.keyCacheMs}. */
export const defaultKeyCacheMs = 1_000;
/** Valid keys kept in the cache at most (it starts over beyond that). */
const maxCachedKeys = 10_000;

/** A fresh key `sy-<32 base-62 characters>` from unbiased draws (rejection sampling). */
export function generateApiKey(randomBytes: (size: number) => Buffer = cryptoRandomBytes): string {
  let body = "";
  while (body.length < keyBodyLength) {
    for (const byte of randomBytes(48)) {
      // 248 = 4 × 62: bytes at or above it would favour the first characters.
      if (byte < 248 && body.length < keyBodyLength) body += alphabet[byte % 62];
    }
  }
  return `sy-${body}`;
}

/**
 * The key service the CLI and the gateway share. `authenticate` keeps valid keys in memory by hash
 * (no store query per request): with a store that has `keys.revision()` (SQLite, memory) the cache is
 * dropped as soon as any key changes — a revocation through this service or by another process (the
 * CLI) takes effect on the next request; with other stores a revocation made elsewhere takes effect
 * within `keyCacheMs` (1 s).
 *
 * @example
 * const keys = createApiKeyService({ store, hasher: createApiKeyHasher(loadPepper({ path })) });
 * const { key } = await keys.create({ name: "ci", budgetUsd: 10, budgetPeriod: "month", rpm: 60 });
 */
export function createApiKeyService(options: ApiKeyServiceOptions): ApiKeyService {
  const { store, hasher } = options;
  const now = options.now ?? Date.now;
  const randomBytes = options.randomBytes ?? cryptoRandomBytes;
  const keyCacheMs = options.keyCacheMs ?? defaultKeyCacheMs;
  // Valid (not revoked) keys by hash, as of `cachedRevision` or until `cachedUntil`.
  const cache = new Map<string, ApiKeyRecord>();
  let cachedRevision: number | undefined;
  let cachedUntil = Number.NEGATIVE_INFINITY;
  // Bumped on every clear, so a lookup that straddled a revocation does not refill the cache.
  let generation = 0;
  const clearCache = () => {
    cache.clear();
    generation++;
  };
  // Any announcement (or a possibly missed one) drops the cache: the next request asks the store.
  options.revocations?.subscribe(() => clearCache());
  const cachedKey = (hash: string): ApiKeyRecord | undefined => {
    const revision = store.keys.revision?.();
    if (revision === undefined ? now() >= cachedUntil : revision !== cachedRevision) {
      clearCache();
      cachedRevision = revision;
      cachedUntil = now() + keyCacheMs;
    }
    return cache.get(hash);
  };

  return {
    async create(input) {
      const parsed = createKeyInputSchema.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join(".") ?? "";
        throw new SwitchyardError("invalid_request", `Invalid key option ${field}: ${issue?.message ?? "invalid"}`, { param: field || null });
      }
      const key = generateApiKey(randomBytes);
      const record: ApiKeyRecord = {
        id: `key_${randomBytes(8).toString("hex")}`,
        name: parsed.data.name,
        hash: hasher.hash(key),
        prefix: key.slice(0, prefixLength),
        createdAt: now(),
        revokedAt: null,
        budgetUsd: parsed.data.budgetUsd ?? null,
        budgetPeriod: parsed.data.budgetPeriod,
        rpm: parsed.data.rpm ?? null,
        tpm: parsed.data.tpm ?? null,
        models: parsed.data.models ?? null,
      };
      await store.keys.insert(record);
      return { key, record };
    },
    list: () => store.keys.list(),
    async revoke(idOrName) {
      const active = (await store.keys.list()).filter((record) => record.revokedAt === null && (record.id === idOrName || record.name === idOrName));
      const record = active[0];
      if (!record) throw new SwitchyardError("invalid_request", `No active key has the id or name "${idOrName}"`, { param: "key" });
      const at = now();
      await store.keys.revoke(record.id, at);
      clearCache();
      await options.revocations?.publish(record.id);
      return { ...record, revokedAt: at };
    },
    async authenticate(presented) {
      if (!presented) throw new SwitchyardError("unauthorized", "Missing API key: send `Authorization: Bearer sy-…`");
      // Hash first and look hashes up: no timing signal about how much of a key matched.
      const hash = hasher.hash(presented);
      const cached = cachedKey(hash);
      if (cached !== undefined) return cached;
      const lookedUpIn = generation;
      const record = await store.keys.findByHash(hash);
      if (!record || record.revokedAt !== null) throw new SwitchyardError("unauthorized", "Invalid or revoked API key");
      if ((keyCacheMs > 0 || store.keys.revision !== undefined) && lookedUpIn === generation) {
        if (cache.size >= maxCachedKeys) clearCache();
        // Shared by the requests that present this key: frozen so none can change it for the others.
        if (record.models !== null) Object.freeze(record.models);
        cache.set(hash, Object.freeze(record));
      }
      return record;
    },
    countActive: () => store.keys.countActive(),
    countAll: () => store.keys.countAll(),
  };
}

/** The key a request presents: `Authorization: Bearer <key>`, else `x-api-key` / `api-key`. */
export function presentedKeyOf(header: (name: string) => string | undefined): string | undefined {
  const authorization = header("authorization");
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  return header("x-api-key") ?? header("api-key");
}

/** Throws `forbidden` (403) when the key may not use `model`. */
export function assertModelAllowed(record: ApiKeyRecord, model: string): void {
  if (record.models !== null && model !== "auto" && !record.models.includes(model)) {
    throw new SwitchyardError("forbidden", `The API key "${record.name}" may not use the model \`${model}\``, { param: "model" });
  }
}
