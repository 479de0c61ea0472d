import assert from "node:assert/strict";
import { test } from "node:test";
import { formatG } from "../../src/eval/format-g.js";
import { formatUsd } from "../../src/eval/format-usd.js";

test("formatG matches C's %.3g", () => {
  const cases: Array<[number, string]> = [
    [0, "0"],
    [0.001, "0.001"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [0.000123456, "0.000123"],
    [1.5e-7, "1.5e-07"],
    [123, "123"],
    [100, "100"],
    [12.5, "12.5"],
    [1234, "1.23e+03"],
    [999.5, "1e+03"],
    [20000, "2e+04"],
    [-0.5, "-0.5"],
    [0.1 + 0.2, "0.3"],
  ];
  for (const [value, expected] of cases) assert.equal(formatG(value), expected, `formatG(${value})`);
  assert.equal(formatG(0.000012345, 2), "1.2e-05");
});

test("formatUsd writes plain dollars with two significant digits", () => {
  assert.equal(formatUsd(0.000345), "$0.00034");
  assert.equal(formatUsd(0.005), "$0.005");
  assert.equal(formatUsd(0.0001), "$0.0001");
  assert.equal(formatUsd(12.3), "$12");
  assert.equal(formatUsd(1.5), "$1.5");
  assert.equal(formatUsd(0), "$0");
  assert.equal(formatUsd(2e-8), "$2e-08");
});
