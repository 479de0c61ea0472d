/**
 * Formats a number like C's `printf("%.<precision>g")`: `precision` significant digits, trailing zeros
 * removed, exponent form (`1e-05`, `1.23e+03`) when the exponent is below −4 or at least `precision`.
 * Used for the operating-point labels (`wtp=0.00123`) so they read the same as in Python/C tooling.
 *
 * @example
 * formatG(0.001) // "0.001"
 * formatG(0.000012345) // "1.23e-05"
 */
export function formatG(value: number, precision = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const digits = Math.max(1, Math.trunc(precision));
  const [mantissaText = "0", exponentText = "0"] = value.toExponential(digits - 1).split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= digits) {
    const mantissa = stripZeros(mantissaText);
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return stripZeros(value.toFixed(Math.max(0, digits - 1 - exponent)));
}

function stripZeros(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}
