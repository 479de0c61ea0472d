import type { BudgetPeriod } from "../stores/api-key-record.js";

/** Epoch milliseconds where the UTC budget period containing `at` starts (0 for `total`). */
export function periodStartOf(period: BudgetPeriod, at: number): number {
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  switch (period) {
    case "day":
      return Date.UTC(year, month, day);
    case "week": {
      // ISO weeks start on Monday; getUTCDay() is 0 on Sunday.
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      return Date.UTC(year, month, day - sinceMonday);
    }
    case "month":
      return Date.UTC(year, month, 1);
    case "total":
      return 0;
  }
}

/** Epoch milliseconds where the period containing `at` ends (Infinity for `total`). */
export function periodEndOf(period: BudgetPeriod, at: number): number {
  const start = new Date(periodStartOf(period, at));
  switch (period) {
    case "day":
      return Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 1);
    case "week":
      return Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 7);
    case "month":
      return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
    case "total":
      return Number.POSITIVE_INFINITY;
  }
}
