import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `npm run build:ui` writes the dashboard's files (the same place from `src/` and from `dist/`). */
export const defaultUiDirectory = fileURLToPath(new URL("../../dist/ui/", import.meta.url));

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/**
 * The page may load only its own files and talk only to its own origin: no CDN, no inline script (so a
 * string that slipped into the DOM as markup still could not run). Styles may be inline: uPlot sizes
 * its canvases with style attributes.
 */
export const uiContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** One built file, held in memory. */
interface Asset {
  body: Uint8Array;
  contentType: string;
}

/** The dashboard's built files by URL path under `/ui/` (`index.html` also as `""`). */
export interface UiAssets {
  readonly directory: string;
  /** Whether the build output was found (`npm run build:ui`). */
  readonly built: boolean;
  /** The response for `/ui/<path>`, or undefined when there is no such file. */
  response(path: string): Response | undefined;
}

/** Reads the built dashboard (a few hundred KB) once, so serving it touches no file. */
export function loadUiAssets(directory: string = defaultUiDirectory): UiAssets {
  const assets = new Map<string, Asset>();
  if (existsSync(directory)) {
    const walk = (folder: string) => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) walk(path);
        else {
          const type = contentTypes[extname(name)];
          if (type !== undefined) assets.set(relative(directory, path).split(sep).join("/"), { body: readFileSync(path), contentType: type });
        }
      }
    };
    walk(directory);
  }
  const index = assets.get("index.html");
  if (index !== undefined) assets.set("", index);
  return {
    directory,
    built: index !== undefined,
    response(path) {
      const asset = assets.get(path);
      if (asset === undefined) return undefined;
      // index.html names its bundle by content hash, so the bundle may be cached; the page itself may not.
      const cache = path === "" || path === "index.html" ? "no-cache" : "public, max-age=31536000, immutable";
      return new Response(asset.body, {
        status: 200,
        headers: {
          "content-type": asset.contentType,
          "cache-control": cache,
          "content-security-policy": uiContentSecurityPolicy,
          "x-content-type-options": "nosniff",
          "referrer-policy": "no-referrer",
        },
      });
    },
  };
}
