/**
 * Preloaded into Portkey's process for the streamed benchmark only (`node --import tsx --import
 * ./benchmarks/gateway-portkey-shim.ts …/start-server.js`). Portkey 1.15.2 appends headers to the
 * `Response` that `fetch` returned, which Node 20 makes immutable, so every streamed request fails
 * with `TypeError: immutable` — the package's skipped `patch-package` postinstall is meant to deal
 * with such runtime differences. Re-wrapping each fetch response with mutable headers makes streams
 * work, at the cost of one extra `Response` per call.
 */
const originalFetch = globalThis.fetch;
globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
  const response = await originalFetch(...args);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
};
