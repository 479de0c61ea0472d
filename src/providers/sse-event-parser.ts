/** One server-sent event. */
export interface SseEvent {
  /** The `event:` field, or `message` when absent. */
  event: string;
  /** The `data:` lines joined by newlines. */
  data: string;
}

/** Incremental SSE parser: feed bytes, get complete events. */
export interface SseEventParser {
  push(chunk: Uint8Array): SseEvent[];
  /** Events left when the stream ends (a last event without its blank line). */
  flush(): SseEvent[];
}

/**
 * Parses `text/event-stream` per the WHATWG HTML spec §9.2.6: events end at a blank line, lines end
 * at CRLF, LF or CR, `field: value` with one optional space, comments (`:`) ignored. Chunks may split
 * anywhere, even inside a UTF-8 character.
 *
 * @example
 * const parser = createSseEventParser();
 * for await (const chunk of body) for (const event of parser.push(chunk)) handle(event);
 */
export function createSseEventParser(): SseEventParser {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];

  const takeLines = (final: boolean): SseEvent[] => {
    const events: SseEvent[] = [];
    let start = 0;
    for (let index = 0; index < buffer.length; index++) {
      const char = buffer.charCodeAt(index);
      if (char !== 10 && char !== 13) continue;
      // A CR at the very end may be the first half of a CRLF that the next chunk completes.
      if (char === 13 && index === buffer.length - 1 && !final) break;
      const line = buffer.slice(start, index);
      if (char === 13 && buffer.charCodeAt(index + 1) === 10) index++;
      start = index + 1;
      if (line === "") {
        if (data.length > 0) events.push({ event: event || "message", data: data.join("\n") });
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
    }
    buffer = buffer.slice(start);
    return events;
  };

  return {
    push(chunk) {
      buffer += decoder.decode(chunk, { stream: true });
      return takeLines(false);
    },
    flush() {
      buffer += decoder.decode();
      const events = takeLines(true);
      if (buffer !== "") {
        buffer += "\n";
        events.push(...takeLines(true));
      }
      if (data.length > 0) events.push({ event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      buffer = "";
      return events;
    },
  };
}
