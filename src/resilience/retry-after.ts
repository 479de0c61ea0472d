/** Reads one header (first value when repeated). */
export type HeaderReader = (name: string) => string | undefined;

/**
 * Milliseconds an upstream asks us to wait: `retry-after-ms` (OpenAI's millisecond variant) wins,
 * then `retry-after` as delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or
 * unparseable; never negative.
 */
export function retryAfterMsOf(header: HeaderReader, now: () => number): number | undefined {
  const milliseconds = header("retry-after-ms");
  if (milliseconds !== undefined && milliseconds.trim() !== "") {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = header("retry-after")?.trim();
  if (retryAfter === undefined || retryAfter === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
  if (!/[a-z]/i.test(retryAfter)) return undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/** A header reader over Node/undici-style header records. */
export function headerReaderOf(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderReader {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}
