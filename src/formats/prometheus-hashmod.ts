/**
 * Prometheus' `hashmod` relabel action, computed here so that a proof can give its input series the label a
 * real Prometheus would add at scrape time (src/normalize/alert-shards.ts).
 *
 * Prometheus (model/relabel/relabel.go, `case HashMod`): the MD5 of the source labels' values joined by the
 * separator (`;`), the last 8 bytes of it read as a big-endian unsigned 64-bit integer, modulo `modulus`,
 * written in decimal. Our own code because no library computes Prometheus' relabelling; node:crypto gives the
 * MD5. test/normalize/alert-shards.test.ts holds it to the values promtool's own relabelling writes.
 */
import { createHash } from 'node:crypto';

/**
 * The value `hashmod` with `modulus` writes for a series whose source labels join to `value`.
 * @param value the source labels' values joined by the relabel config's separator (one label: its value)
 * @param modulus a positive integer
 * @returns an integer in [0, modulus)
 */
export function prometheusHashmod(value: string, modulus: number): number {
  if (!Number.isInteger(modulus) || modulus < 1) throw new RangeError(`hashmod modulus must be a positive integer, got ${modulus}`);
  const digest = createHash('md5').update(value, 'utf8').digest();
  // (high · 2^32 + low) mod m from the two 32-bit halves: every product stays below 2^53 for any modulus up to
  // 2^20 (mlmon's are at most 256), so doubles are exact; a BigInt per model was most of this function's cost.
  if (modulus <= 2 ** 20) return (((digest.readUInt32BE(8) % modulus) * (2 ** 32 % modulus)) + (digest.readUInt32BE(12) % modulus)) % modulus;
  return Number(digest.readBigUInt64BE(8) % BigInt(modulus));
}
