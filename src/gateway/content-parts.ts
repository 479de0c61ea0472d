import { isIP } from "node:net";
import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";

/** Content part types of the chat-completions API the gateway forwards. */
export const contentPartTypes = ["text", "image_url", "input_audio", "file", "refusal"] as const;

/** Schema of `server.imageUrls`: which image URLs a request may carry (the gateway never fetches them). */
export const imageUrlPolicySchema = z
  .object({
    /** URL schemes accepted in `image_url.url` (default `https` and `data`). */
    allowedSchemes: z.array(z.enum(["https", "http", "data"])).min(1).default(["https", "data"]),
    /**
     * Accept hosts that name this machine or a private network (`localhost`, `127.0.0.1`, `10.x`,
     * `169.254.x` link-local / cloud metadata, `fd00::/8`, `*.internal`, …). Off by default: an upstream
     * that fetches images would fetch them from inside its own network.
     */
    allowPrivateHosts: z.boolean().default(false),
  })
  .strict();

/** The validated image URL policy. */
export type ImageUrlPolicy = z.infer<typeof imageUrlPolicySchema>;

/** The default policy: `https:` and `data:` only, no private hosts. */
export const defaultImageUrlPolicy: ImageUrlPolicy = Object.freeze({ allowedSchemes: ["https", "data"], allowPrivateHosts: false }) as ImageUrlPolicy;

const knownTypes: ReadonlySet<string> = new Set(contentPartTypes);
const privateHostnames = /^(?:localhost|.*\.localhost|.*\.local|.*\.internal|.*\.home\.arpa|metadata)$/i;

/** True when an IP literal is loopback, private, link-local, shared (CGNAT) or unspecified. */
function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split(".").map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1] ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)?.slice(1).join(":");
  if (mapped !== undefined) {
    if (isIP(mapped) === 4) return isPrivateAddress(mapped);
    const [high = "0", low = "0"] = mapped.split(":");
    const value = (parseInt(high, 16) << 16) | parseInt(low, 16);
    return isPrivateAddress([(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join("."));
  }
  return lower === "::" || lower === "::1" || /^fe[89ab][0-9a-f]:/.test(lower) || /^f[cd][0-9a-f]{2}:/.test(lower);
}

/** Why an image URL is refused under `policy`, or undefined when it is accepted. */
export function imageUrlProblem(url: string, policy: ImageUrlPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "not a valid URL";
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  if (!(policy.allowedSchemes as readonly string[]).includes(scheme)) {
    return `the URL scheme "${scheme.slice(0, 20)}:" is not allowed (server.imageUrls.allowedSchemes: ${policy.allowedSchemes.join(", ")})`;
  }
  if (scheme === "data") return /^data:image\/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,/i.test(url) ? undefined : 'a data URL must be "data:image/<type>;base64,…"';
  if (parsed.username !== "" || parsed.password !== "") return "credentials in an image URL are not allowed";
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (!policy.allowPrivateHosts && (privateHostnames.test(host) || isPrivateAddress(host))) {
    return "the host is on this machine or a private network (server.imageUrls.allowPrivateHosts)";
  }
  return undefined;
}

function invalid(param: string, message: string): SwitchyardError {
  return new SwitchyardError("invalid_request", `Invalid request: ${param}: ${message}`, { param });
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Checks each content part by its type, as docs/gateway.md documents: `text` needs a string `text`;
 * `image_url` an `image_url.url` allowed by `policy` (never fetched here: the check is about what an
 * upstream would fetch); `input_audio` string `data` and `format`; `file` a `file` object with
 * `file_data` or `file_id`; `refusal` a string `refusal`. Any other type is a 400 naming its path
 * (`messages[0].content[1].type`). String contents and `null` are not parts and pass.
 */
export function assertValidContentParts(messages: readonly unknown[], policy: ImageUrlPolicy = defaultImageUrlPolicy): void {
  for (let m = 0; m < messages.length; m++) {
    const content = (messages[m] as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) continue;
    for (let p = 0; p < content.length; p++) {
      const part = content[p] as Record<string, unknown>;
      const at = `messages[${m}].content[${p}]`;
      const type = part.type as string;
      if (!knownTypes.has(type)) throw invalid(`${at}.type`, `unknown content part type "${String(type).slice(0, 40)}" (expected one of ${contentPartTypes.join(", ")})`);
      if (type === "text") {
        if (typeof part.text !== "string") throw invalid(`${at}.text`, 'a "text" part needs a string "text"');
      } else if (type === "image_url") {
        const image = part.image_url;
        if (!isObject(image) || typeof image.url !== "string") throw invalid(`${at}.image_url.url`, 'an "image_url" part needs "image_url": { "url": "https://…" or "data:image/…" }');
        if (image.detail !== undefined && image.detail !== "auto" && image.detail !== "low" && image.detail !== "high") throw invalid(`${at}.image_url.detail`, 'expected "auto", "low" or "high"');
        const problem = imageUrlProblem(image.url, policy);
        if (problem !== undefined) throw invalid(`${at}.image_url.url`, problem);
      } else if (type === "input_audio") {
        const audio = part.input_audio;
        if (!isObject(audio) || typeof audio.data !== "string" || typeof audio.format !== "string") throw invalid(`${at}.input_audio`, 'an "input_audio" part needs "input_audio": { "data": base64, "format": "wav" | "mp3" }');
      } else if (type === "file") {
        const file = part.file;
        if (!isObject(file) || (typeof file.file_data !== "string" && typeof file.file_id !== "string")) throw invalid(`${at}.file`, 'a "file" part needs "file": { "file_data" or "file_id" }');
      } else if (typeof part.refusal !== "string") {
        throw invalid(`${at}.refusal`, 'a "refusal" part needs a string "refusal"');
      }
    }
  }
}
