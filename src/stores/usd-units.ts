/**
 * Ledgers keep money in integer nano-USD (1e-9 USD): floating-point sums drift (ten reservations of
 * 0.001 add up to 0.010000000000000002, which would wrongly exceed a 0.01 budget), integers do not.
 * A nano-USD is far below any real request's cost; 2^53 nano-USD is about nine million USD.
 */
export function nanoUsdOf(usd: number): number {
  return Math.round(usd * 1e9);
}

/** USD value of an integer nano-USD amount. */
export function usdOfNano(nanoUsd: number): number {
  return nanoUsd / 1e9;
}
