/**
 * The burn-rate tiers of an SLO's multiwindow, multi-burn-rate alerts: how fast the error budget burns (the
 * factor) over a long window and, to reset quickly once the burn stops, a short one.
 *
 * - `sre-workbook`: the Google SRE workbook, "Alerting on SLOs", table 5-8
 *   (https://sre.google/workbook/alerting-on-slos/), as Sloth ships it (slok/sloth
 *   internal/alert/windows/google-30d.yaml): 2% of a 30-day budget in 1h (5m), 5% in 6h (30m) page; 10% in 1d
 *   (2h) and 10% in 3d (6h) ticket. The windows are fixed and the factor is the budget share over the long
 *   window's share of the SLO window, `budgetPercent / 100 × window / longWindow` (Sloth's
 *   `getBurnRateFactor`): 14.4, 6, 3, 1 at 30 days; 13.44, 5.6, 2.8, 0.93 at 28 days.
 * - `pyrra`: Pyrra's four (pyrra-dev/pyrra slo/rules.go `Windows`): the factors are fixed (14, 7, 2, 1) and
 *   the windows scale with the SLO window: for 28 days 1h/5m, 6h/30m, 1d/2h, 4d/6h.
 *
 * A tier's `for` (how long the burn must last) defaults to Pyrra's: a little under its short window, so a
 * single bad scrape can't page.
 */
import type { Duration, Severity, SloTierName, SloTierSet } from '../../config/types.js';
import { compactDuration, durationSeconds } from '../../formats/prometheus-duration.js';

/** A tier as an SLO uses it: its windows, the burn-rate factor, and how it alerts. */
export interface SloTier {
  readonly name: SloTierName;
  /** The burn rate (multiples of the rate that spends exactly the budget over the SLO window) that fires it. */
  readonly factor: number;
  readonly longWindow: Duration;
  readonly shortWindow: Duration;
  readonly severity: Severity;
  readonly for: Duration;
  /** A page tier: silent while its long window holds fewer than `minEvents` events. */
  readonly page: boolean;
}

export const sloTierNames: readonly SloTierName[] = ['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'];

const workbook: Readonly<Record<SloTierName, { budgetPercent: number; long: string; short: string; for: string }>> = {
  'page-fast': { budgetPercent: 2, long: '1h', short: '5m', for: '2m' },
  'page-slow': { budgetPercent: 5, long: '6h', short: '30m', for: '15m' },
  'ticket-fast': { budgetPercent: 10, long: '1d', short: '2h', for: '1h' },
  'ticket-slow': { budgetPercent: 10, long: '3d', short: '6h', for: '3h' },
};

/** Pyrra's factors, and its windows for a 28-day SLO window (they scale with the window). */
const pyrra: Readonly<Record<SloTierName, { factor: number; long: number; short: number; for: number }>> = {
  'page-fast': { factor: 14, long: 3600, short: 300, for: 120 },
  'page-slow': { factor: 7, long: 6 * 3600, short: 1800, for: 900 },
  'ticket-fast': { factor: 2, long: 86_400, short: 7200, for: 3600 },
  'ticket-slow': { factor: 1, long: 4 * 86_400, short: 6 * 3600, for: 3 * 3600 },
};

/** The factor rounded to 4 decimals, as Sloth prints 13.44 and 0.9333: an exact decimal in the rules. */
function roundFactor(factor: number): number {
  return Math.round(factor * 10_000) / 10_000;
}

/** A duration rounded to whole minutes, at least one (Pyrra rounds its scaled windows the same way). */
function minutes(seconds: number): Duration {
  return compactDuration(Math.max(60, Math.round(seconds / 60) * 60));
}

/** The default tiers of `set` for an SLO over `window` (before `tierSettings`). */
export function defaultTiers(set: SloTierSet, window: Duration): SloTier[] {
  const windowSeconds = durationSeconds(window);
  return sloTierNames.map((name): SloTier => {
    const page = name.startsWith('page-');
    const severity: Severity = page ? 'critical' : 'warning';
    if (set === 'sre-workbook') {
      const t = workbook[name];
      return { name, factor: roundFactor((t.budgetPercent / 100) * windowSeconds / durationSeconds(t.long)), longWindow: t.long, shortWindow: t.short, severity, for: t.for, page };
    }
    const t = pyrra[name];
    const scale = windowSeconds / (28 * 86_400);
    return { name, factor: t.factor, longWindow: minutes(t.long * scale), shortWindow: minutes(t.short * scale), severity, for: minutes(t.for * scale), page };
  });
}
