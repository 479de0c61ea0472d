import { z } from "zod";

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
  readonly signal: AbortSignal;
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
export function createDeadline(options: { parent?: AbortSignal; timers?: TimerFunctions } = {}): Deadline {
  const timers = options.timers ?? realTimers;
  const controller = new AbortController();
  const handles = new Map<string, unknown>();
  let expired: string | undefined;
  const onParentAbort = () => controller.abort(options.parent?.reason);
  if (options.parent) {
    if (options.parent.aborted) controller.abort(options.parent.reason);
    else options.parent.addEventListener("abort", onParentAbort, { once: true });
  }
  const disarm = (name: string) => {
    const handle = handles.get(name);
    if (handle !== undefined) timers.clearTimeout(handle);
    handles.delete(name);
  };
  return {
    signal: controller.signal,
    arm(name, ms) {
      disarm(name);
      handles.set(
        name,
        timers.setTimeout(() => {
          handles.delete(name);
          if (controller.signal.aborted) return;
          expired = name;
          controller.abort({ timeout: name });
        }, ms),
      );
    },
    disarm,
    clear() {
      for (const name of [...handles.keys()]) disarm(name);
      options.parent?.removeEventListener("abort", onParentAbort);
    },
    get expired() {
      return expired;
    },
  };
}
