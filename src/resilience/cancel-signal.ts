/** A listener of a {@link CancelSignal}: a function, or an object with `handleEvent` (as DOM listeners). */
export type CancelListener = (() => void) | { handleEvent(): void };

/**
 * What Switchyard's request path needs of an abort signal: whether and why it aborted, and listeners
 * for the moment it does. A DOM `AbortSignal` is one; so is {@link CancelSource}. undici's `signal`
 * option accepts either (it only calls `addEventListener("abort", …, { once: true })`, reads `aborted`
 * and `reason`, and removes its listener).
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: CancelListener, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: CancelListener): void;
}

/**
 * A {@link CancelSignal} that its owner aborts: the request path's cheap stand-in for an
 * `AbortController`. Node 20 builds each `AbortSignal` as an `EventTarget` whose internals survive
 * young-generation collections, so one or two per request promoted ~1 KB per request and lengthened
 * every GC pause (measured with `--trace-gc-nvp`); this is a plain object with a listener array.
 * Listeners run once, in the order added; a listener added after the abort is not called (check
 * `aborted` first, as with DOM signals).
 */
export class CancelSource implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: CancelListener[] | undefined;

  /** Adds a listener (every listener runs at most once, so `options.once` changes nothing). */
  addEventListener(type: "abort", listener: CancelListener, options?: { once?: boolean }): void {
    void options;
    if (type !== "abort" || this.aborted) return;
    const listeners = (this.#listeners ??= []);
    if (!listeners.includes(listener)) listeners.push(listener);
  }

  removeEventListener(type: "abort", listener: CancelListener): void {
    const listeners = this.#listeners;
    if (type !== "abort" || listeners === undefined) return;
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }

  /** Aborts once with `reason` and calls the listeners; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      if (typeof listener === "function") listener();
      else listener.handleEvent();
    }
  }
}
