// Worker-thread bootstrap of the dashboard's reader: the sources are TypeScript, run through tsx's
// loader (as bin/switchyard.js does for the CLI); hooks are per thread, so the worker registers its own.
import { register } from "tsx/esm/api";

register();
await import("./dashboard-read-worker.ts");
