/** Shortest exact decimal text of a number, never exponent notation (PromQL reads both; people read this). */
export function formatNumber(value: number): string {
  const text = String(value);
  const exponent = /^(-?)(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(text);
  if (!exponent) return text;
  // Shift the decimal point of JavaScript's shortest round-trip digits: toFixed(20) turned 3.4e-48 into 0,
  // a threshold no one set, and toFixed can't go past 100 digits.
  const [, sign, first, rest = '', power] = exponent;
  const digits = first! + rest;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
