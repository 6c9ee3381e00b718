/**
 * Bounded waits for a live system: poll until something is true, or prove that something stays false for a
 * while. Both fail with a message that says what was awaited and what the system looked like.
 */

export interface WaitOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Time between checks. */
  readonly intervalMs?: number;
  /** What the system looks like now, appended to the failure message. */
  readonly explain: () => Promise<string>;
}

/** Calls `check` until it returns a value other than undefined, and returns that value. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      // A service that is still starting refuses connections; that is "not yet", unless it lasts.
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `\nlast error: ${lastError.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}\n\n${await options.explain()}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}

/**
 * Checks for `durationMs` that `violation` finds nothing wrong; fails at the first thing it finds. A bounded
 * stand-in for "never": callers make `durationMs` longer than the whole path from metric to notification.
 */
export async function holdsFor(what: string, violation: () => Promise<string | undefined> | string | undefined, options: { durationMs: number; intervalMs?: number; explain: () => Promise<string> }): Promise<void> {
  const until = Date.now() + options.durationMs;
  for (;;) {
    const found = await violation();
    if (found !== undefined) throw new Error(`expected ${what}, but ${found}\n\n${await options.explain()}`);
    if (Date.now() >= until) return;
    await sleep(options.intervalMs ?? 200);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
