/**
 * `T` with its `readonly` modifiers removed: for a factory that builds an object whose interface
 * exposes a read-only data property but updates it itself (a data property rather than a getter keeps
 * per-request objects cheap for the garbage collector; see `docs/production.md`, "Performance").
 */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
