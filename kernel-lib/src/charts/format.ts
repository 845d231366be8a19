/** Number formatting shared by the chart builders and their text summaries. */

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/**
 * A byte count in binary units, exact where possible: 64 -> "64 B", 4096 -> "4 KiB",
 * 1536 -> "1.5 KiB", 1048576 -> "1 MiB". Pure; never throws for finite input.
 *
 * @example
 * formatBytes(65536) // "64 KiB"
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toPrecision(3).replace(/\.?0+$/, "");
  return `${text} ${BYTE_UNITS[unit]}`;
}

/**
 * A measured value with three significant digits and thousands separators for big numbers:
 * 1234567 -> "1,234,567", 12.345 -> "12.3", 0.01234 -> "0.0123".
 *
 * @example
 * formatValue(98765.4) // "98,765"
 */
export function formatValue(value: number): string {
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  if (value === 0) return "0";
  return String(Number(value.toPrecision(3)));
}
