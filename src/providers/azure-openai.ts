import type { ProviderAdapter } from "./provider-adapter.js";
import { createOpenAICompatibleAdapter } from "./openai-compatible.js";

/** Azure OpenAI's GA data-plane API version used when the config names none. */
export const defaultAzureApiVersion = "2024-10-21";

/**
 * Azure OpenAI: the OpenAI wire format with two overrides — the deployment is in the path
 * (`/openai/deployments/{deployment}/chat/completions?api-version=…`, the deployment being the
 * target's `upstreamModel`) and the key goes in an `api-key` header. The base URL is the resource
 * endpoint, e.g. `https://my-resource.openai.azure.com`.
 *
 * @example
 * const adapter = createAzureOpenAIAdapter({ apiVersion: "2024-10-21" });
 */
export function createAzureOpenAIAdapter(options: { apiVersion?: string } = {}): ProviderAdapter {
  const query = `api-version=${encodeURIComponent(options.apiVersion ?? defaultAzureApiVersion)}`;
  return createOpenAICompatibleAdapter({
    kind: "azure-openai",
    pathFor: (operation, deployment) => `/openai/deployments/${encodeURIComponent(deployment)}/${operation}?${query}`,
    authHeaders: (apiKey) => ({ "api-key": apiKey }),
  });
}
