/** Prometheus durations (`1h30m`, `15s`, `500ms`) to seconds, and back. The config schema has checked the form. */
const unitSeconds: Record<string, number> = { y: 31536000, w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** `duration` in seconds (`1h30m` → 5400). */
export function durationSeconds(duration: string): number {
  // A fleet's proofs ask for the same few durations (`15m`, `30s`) tens of thousands of times; a regex walk each
  // time was ~10 ms of a first normalize at 1,000 models. Bounded, so a long-lived process can't grow it.
  let total = durations.get(duration);
  if (total !== undefined) return total;
  total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) total += Number(amount) * unitSeconds[unit!]!;
  if (durations.size >= 10_000) durations.clear();
  durations.set(duration, total);
  return total;
}
const durations = new Map<string, number>();

/** Seconds as a Prometheus duration in whole seconds (or milliseconds when below one second). */
export function secondsDuration(seconds: number): string {
  if (Number.isInteger(seconds)) return `${seconds}s`;
  return `${Math.round(seconds * 1000)}ms`;
}

/**
 * Whole seconds as a Prometheus duration in the largest units that fit, as people write them: 3840 → `1h4m`,
 * 86400 → `1d`, 90 → `1m30s` (for windows in rule names and labels, where `3840s` says little).
 */
export function compactDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) return secondsDuration(seconds);
  let rest = seconds;
  let text = '';
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text;
}
