import { pino } from "pino";
import type { DestinationStream, Logger } from "pino";

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** pino level (default `info`). */
  level?: string;
  /** Keep prompt and response text in log lines (default false: they are redacted). */
  logPrompts?: boolean;
  /** Where lines go (default: file descriptor `fd`); tests pass a memory stream. */
  destination?: DestinationStream;
  /** File descriptor written when no destination is given (default 1, stdout; `serve` uses 2). */
  fd?: number;
  /** Fields on every line (e.g. `{ service: "switchyard" }`). */
  base?: Record<string, unknown>;
  /**
   * Censor secret and content fields, and scrub key-like text from messages (default true). Only for
   * loggers whose fields and messages are all known and safe — the per-request access line — where
   * skipping the redaction and scrubbing passes saves a few microseconds per line.
   */
  redact?: boolean;
}

/** Field paths that can hold credentials: always censored. */
export const secretPaths = [
  "authorization", "apiKey", "api_key", "key", "pepper", "password", "secret", "token",
  "*.authorization", "*.apiKey", "*.api_key", "*.key", "*.pepper", "*.password", "*.secret", "*.token",
  'headers["x-api-key"]', 'headers["api-key"]', 'headers["cookie"]', '*.headers["x-api-key"]', '*.headers["api-key"]', '*.headers["authorization"]', '*.headers["cookie"]',
];

/** Field paths that can hold prompt or answer text: censored unless `logPrompts`. */
export const contentPaths = ["prompt", "messages", "response", "content", "input", "*.prompt", "*.messages", "*.response", "*.content", "*.input"];

// `sy-` keys, OpenAI-style `sk-` keys and bearer tokens that slipped into a free-text message.
const secretPattern = /\b(sy-[A-Za-z0-9]{8,}|sk-[A-Za-z0-9_-]{8,}|sk-ant-[A-Za-z0-9_-]{8,})|(Bearer\s+)[^\s"']+/g;

/** Replaces anything that looks like an API key or bearer token in free text. */
export function scrubSecrets(text: string): string {
  return text.replace(secretPattern, (_match, key: string | undefined, bearer: string | undefined) => (key !== undefined ? "[redacted-key]" : `${bearer ?? ""}[redacted]`));
}

/**
 * Structured JSON logs (pino) for the gateway. Credentials are censored by field name wherever they
 * appear and scrubbed from free-text messages by pattern; prompt and answer text are censored unless
 * `logPrompts` is set. Pass `requestId` in the fields of request-scoped lines (or use `logger.child`).
 *
 * @example
 * const logger = createLogger({ level: "info" });
 * logger.info({ requestId, model }, "served");
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const paths = options.logPrompts ? secretPaths : [...secretPaths, ...contentPaths];
  const redact = options.redact !== false;
  return pino(
    {
      level: options.level ?? "info",
      base: options.base ?? { service: "switchyard" },
      ...(redact
        ? {
            redact: { paths, censor: "[redacted]" },
            hooks: {
              logMethod(args, method) {
                const scrubbed = args.map((arg) => (typeof arg === "string" ? scrubSecrets(arg) : arg)) as Parameters<typeof method>;
                return method.apply(this, scrubbed);
              },
            },
          }
        : {}),
      serializers: {
        err: (error: unknown) => {
          const value = pino.stdSerializers.err(error as Error);
          return { ...value, message: scrubSecrets(value.message ?? ""), stack: value.stack === undefined ? undefined : scrubSecrets(value.stack) };
        },
      },
    },
    options.destination ?? pino.destination({ dest: options.fd ?? 1, sync: false }),
  );
}
