// Worker-thread bootstrap of a shadow arm: the sources are TypeScript, run through tsx's loader (as
// bin/switchyard.js does for the CLI); hooks are per thread, so the worker registers its own.
import { register } from "tsx/esm/api";

register();
await import("./shadow-worker.ts");
