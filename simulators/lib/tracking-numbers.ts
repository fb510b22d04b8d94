/**
 * Valid UPS 1Z tracking numbers (check digit computed as UPS does), distinct for each index.
 * Tests, the benchmark and the demo need thousands of numbers that pass carrier detection.
 */
export function upsNumber(index: number, shipper = "AB12CD"): string {
  const body = `${shipper}${String(index).padStart(9, "0")}`;
  const value = (c: string) => (/\d/.test(c) ? Number(c) : (c.charCodeAt(0) - 3) % 10);
  const sum = [...body].reduce((total, c, i) => total + value(c) * (i % 2 ? 2 : 1), 0);
  const check = sum % 10 === 0 ? 0 : 10 - (sum % 10);
  return `1Z${body}${check}`;
}
