#!/usr/bin/env node
// The development entry: runs the TypeScript CLI through tsx, so a clone works without a build step (tests
// use it). The published package's `bin` is the compiled `dist/cli/main.js` (`npm run build`).
import { register } from "tsx/esm/api";
register();
await import("../src/cli/main.ts");
