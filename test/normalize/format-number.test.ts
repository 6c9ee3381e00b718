/**
 * Thresholds are written into recording rules and promtool's series notation as plain decimals: every number
 * must read back as itself, without exponent notation (the fuzzer's 3.4e-48 became 0 before).
 */
import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/formats/decimal.js';

describe('formatNumber', () => {
  it('writes tiny, huge and ordinary numbers as plain decimals that read back exactly', () => {
    const values = [3.4e-48, -3.4e-48, 5e-324, 1e-7, 1.5e-7, 1e21, 1.7976931348623157e308, -2.5e22, 0.05, 0.85, 1, 0, 80, 123456.789];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) values.push((next() - 0.5) * 10 ** Math.floor(next() * 600 - 300));
    for (const value of values) {
      const text = formatNumber(value);
      expect(text, String(value)).toMatch(/^-?\d+(\.\d+)?$/);
      expect(Number(text), text).toBe(value);
    }
    expect(formatNumber(3.4e-48)).toBe(`0.${'0'.repeat(47)}34`);
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(0.05)).toBe('0.05');
  });
});
