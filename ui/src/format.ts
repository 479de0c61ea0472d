/** Display formats; the browser test reads `data-value` for the exact number and these for the text. */
export const formatCount = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : value.toLocaleString("en-US", { maximumFractionDigits: 2 }));

/** Rates: three significant digits, so a quiet gateway's 0.000185 requests/s does not read as 0. */
export const formatRate = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : value === 0 ? "0" : value >= 100 ? value.toFixed(0) : value.toPrecision(3));

export const formatUsd = (value: number | null | undefined): string => {
  if (value === null || value === undefined) return "–";
  const digits = Math.abs(value) >= 100 ? 2 : Math.abs(value) >= 1 ? 3 : 5;
  return `${value < 0 ? "−" : ""}$${Math.abs(value).toFixed(digits)}`;
};

export const formatMs = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${value >= 100 ? Math.round(value) : value.toFixed(1)} ms`);

export const formatFraction = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${value < 0 ? "−" : ""}${Math.abs(value * 100).toFixed(1)} %`);

export const formatScore = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : value.toFixed(3));

export const formatTime = (epochMs: number): string => new Date(epochMs).toISOString().replace("T", " ").slice(0, 19);
