/** The admin key of this tab (sessionStorage: gone when the tab closes, never sent to another origin). */
const keyName = "switchyard.adminKey";

export const adminKey = {
  get: (): string | null => sessionStorage.getItem(keyName),
  set: (value: string) => sessionStorage.setItem(keyName, value),
  clear: () => sessionStorage.removeItem(keyName),
};

/** An error answer of the admin API (OpenAI's shape). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** GET a JSON endpoint of the admin API with the tab's admin key. */
export async function getJson<T>(path: string, key: string | null = adminKey.get()): Promise<T> {
  const response = await fetch(path, { headers: key === null ? {} : { authorization: `Bearer ${key}` }, cache: "no-store" });
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!response.ok) throw new ApiError(response.status, body.error?.code ?? "error", body.error?.message ?? `HTTP ${response.status}`);
  return body as T;
}
