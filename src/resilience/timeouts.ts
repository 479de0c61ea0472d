import { z } from "zod";
import type { Mutable } from "../core/mutable.js";
import { CancelSource, type CancelSignal } from "./cancel-signal.js";

/** Schema of per-upstream timeouts (all in milliseconds). */
export const timeoutsSchema = z
  .object({
    /** TCP (and TLS) connection establishment. */
    connectMs: z.number().int().positive().default(5_000),
    /**
     * Until the first byte of the answer: the response headers, and for streams the first body chunk.
     * Non-streamed answers usually arrive whole, so this is close to the generation time.
     */
    firstByteMs: z.number().int().positive().default(60_000),
    /** The whole call, body included (for streams: until the last chunk). */
    totalMs: z.number().int().positive().default(300_000),
  })
  .strict();

/** Validated timeouts of one upstream. */
export type Timeouts = z.infer<typeof timeoutsSchema>;

/** Timers, injectable so tests control them. */
export interface TimerFunctions {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

/** The real timers, unref'd so a pending timeout never keeps the process alive. */
export const realTimers: TimerFunctions = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A deadline that aborts a signal with a reason naming which limit expired. */
export interface Deadline {
  /** A {@link CancelSource}, not a DOM `AbortSignal` (see there why); undici accepts it as `signal`. */
  readonly signal: CancelSource;
  /** Arms (or re-arms) a named timer; when it fires the signal aborts with `{ timeout: name }`. */
  arm(name: string, ms: number): void;
  /** Disarms a named timer. */
  disarm(name: string): void;
  /** Disarms everything (the call finished). */
  clear(): void;
  /** The timeout that fired, if any. */
  readonly expired: string | undefined;
}

/**
 * An abort signal driven by named timers (`first_byte`, `total`) and, optionally, a parent signal (the
 * client disconnecting). Lets one call have several independent limits without nested controllers.
 *
 * @example
 * const deadline = createDeadline({ parent: request.signal });
 * deadline.arm("total", timeouts.totalMs);
 */
export function createDeadline(options: { parent?: CancelSignal; timers?: TimerFunctions } = {}): Deadline {
  const timers = options.timers ?? realTimers;
  const { parent } = options;
  const signal = new CancelSource();
  // Armed timers as [name, handle] pairs: usually one, so an array beats a Map. Listener objects and
  // methods instead of named arrows: nothing here is re-created per timer, and tsx adds no naming cost.
  const armed: Array<[string, unknown]> = [];
  const onParentAbort = {
    handleEvent() {
      signal.abort(parent?.reason);
    },
  };
  if (parent) {
    if (parent.aborted) signal.abort(parent.reason);
    else parent.addEventListener("abort", onParentAbort, { once: true });
  }
  // `expired` is a data property, not a getter (no accessor pairs on per-call objects).
  const deadline: Mutable<Deadline> = {
    signal,
    expired: undefined,
    arm(name, ms) {
      deadline.disarm(name);
      const handle = timers.setTimeout(() => {
        const index = armed.findIndex((entry) => entry[0] === name);
        if (index >= 0) armed.splice(index, 1);
        if (signal.aborted) return;
        deadline.expired = name;
        signal.abort({ timeout: name });
      }, ms);
      armed.push([name, handle]);
    },
    disarm(name) {
      for (let index = 0; index < armed.length; index++) {
        const entry = armed[index] as [string, unknown];
        if (entry[0] !== name) continue;
        timers.clearTimeout(entry[1]);
        armed.splice(index, 1);
        return;
      }
    },
    clear() {
      for (const entry of armed) timers.clearTimeout(entry[1]);
      armed.length = 0;
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
  return deadline;
}
