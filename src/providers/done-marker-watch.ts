const doneMarkerBytes = Buffer.from("[DONE]");

/**
 * Watches OpenAI SSE bytes for the `[DONE]` end marker (which may be split across chunks), by bytes:
 * the marker is ASCII, so no chunk is decoded or copied (issue 19: per-chunk work on the stream path).
 */
export function createDoneMarkerWatch(): { see(chunk: Uint8Array): void; seen(): boolean } {
  const marker = doneMarkerBytes;
  // How many of the marker's first bytes the bytes seen so far end with (0 … marker.length − 1).
  let matched = 0;
  let seen = false;
  return {
    see(chunk) {
      if (seen) return;
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      // A marker begun in earlier chunks and finished at the start of this one.
      if (matched > 0) {
        const rest = marker.length - matched;
        if (bytes.length >= rest ? bytes.compare(marker, matched, marker.length, 0, rest) === 0 : bytes.compare(marker, matched, matched + bytes.length) === 0) {
          if (bytes.length >= rest) {
            seen = true;
            return;
          }
          matched += bytes.length;
          return;
        }
      }
      if (bytes.indexOf(marker) !== -1) {
        seen = true;
        return;
      }
      matched = 0;
      // The longest proper prefix of the marker the chunk ends with ("[DONE" has no repeated prefix).
      for (let length = Math.min(marker.length - 1, bytes.length); length > 0; length--) {
        if (bytes.compare(marker, 0, length, bytes.length - length) === 0) {
          matched = length;
          break;
        }
      }
    },
    seen: () => seen,
  };
}
