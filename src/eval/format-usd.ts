import { formatG } from "./format-g.js";

/**
 * A USD amount for people: plain decimals with two significant digits (`$0.00034`, `$0.005`, `$12`), and
 * `%.2g` exponent form below a millionth of a dollar.
 */
export function formatUsd(valueUsd: number): string {
  if (!Number.isFinite(valueUsd)) return "–";
  if (valueUsd === 0) return "$0";
  const magnitude = Math.abs(valueUsd);
  if (magnitude < 1e-6) return `$${formatG(valueUsd, 2)}`;
  const decimals = Math.min(20, Math.max(0, 1 - Math.floor(Math.log10(magnitude))));
  const text = valueUsd.toFixed(decimals);
  return `$${text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text}`;
}
