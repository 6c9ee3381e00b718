/**
 * Config values that pass the schema but that Prometheus or Alertmanager would refuse, or that mlmon's proofs
 * cannot run: custom rules' PromQL and label names, and durations out of the tools' range. Found by fuzzing
 * (test/fixtures/fuzz/); each is reported on its config path, so `generate` never writes a file the tool rejects.
 */
import { alertCatalog, thresholdsOf, type AlertCatalog, type AlertScope } from '../catalog/index.js';
import type { AlertDefinition, SignalBounds, ThresholdDefinition } from '../catalog/alert-definition.js';
import { parsePromql } from '../formats/promql/parse.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import { configPath, type Problem } from '../problems.js';
import type { MonitoringConfig } from './types.js';

/** Go's time.Duration (int64 nanoseconds) holds at most ~292 years; Prometheus and Alertmanager parse into it. */
export const maxGoDurationSeconds = 9_223_372_036.854775807;
/**
 * The longest `for` or window mlmon proves: a generated promtool test simulates the whole of it, one sample per
 * scrape interval, so a `for` of years never finishes (the fuzzer's `for: 100y`).
 */
export const maxProvenDurationSeconds = 7 * 24 * 3600;

/** The config's Duration pattern (src/config/types.ts). */
const durationText = /^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

interface DurationField {
  readonly segments: readonly (string | number)[];
  readonly value: unknown;
  /** The tool refuses zero here (a scrape interval, a window, Alertmanager's group_interval and repeat_interval). */
  readonly positive: boolean;
  /** A proof simulates all of it. */
  readonly proven: boolean;
}

function durationFields(config: MonitoringConfig): DurationField[] {
  const fields: DurationField[] = [];
  const add = (segments: (string | number)[], value: unknown, positive: boolean, proven = false) => {
    if (typeof value === 'string') fields.push({ segments, value, positive, proven });
  };
  const p = config.prometheus ?? {};
  add(['prometheus', 'scrapeInterval'], p.scrapeInterval, true);
  add(['prometheus', 'evaluationInterval'], p.evaluationInterval, true);
  add(['prometheus', 'ruleGroupInterval'], p.ruleGroupInterval, true);
  add(['prometheus', 'retention'], p.retention, false);
  for (const [name, alert] of Object.entries(config.alerts ?? {})) {
    add(['alerts', name, 'for'], alert?.for, false, true);
    add(['alerts', name, 'window'], alert?.window, true, true);
  }
  const a = config.alerting ?? {};
  add(['alerting', 'resolveTimeout'], a.resolveTimeout, false);
  add(['alerting', 'grouping', 'groupWait'], a.grouping?.groupWait, false);
  add(['alerting', 'grouping', 'groupInterval'], a.grouping?.groupInterval, true);
  add(['alerting', 'grouping', 'repeatInterval'], a.grouping?.repeatInterval, true);
  (config.rules?.alerts ?? []).forEach((rule, i) => add(['rules', 'alerts', i, 'for'], rule?.for, false));
  return fields;
}

/** Durations the tools can't hold or refuse as zero, and `for`s and windows too long to prove. */
export function durationRangeProblems(config: MonitoringConfig): Problem[] {
  const problems: Problem[] = [];
  for (const field of durationFields(config)) {
    const text = field.value as string;
    // A value that isn't a duration at all is the schema's to report (config/invalid-value), once.
    if (!durationText.test(text)) continue;
    const seconds = durationSeconds(text);
    const path = configPath(field.segments);
    if (seconds > maxGoDurationSeconds) {
      problems.push({ id: 'config/duration-range', severity: 'error', path, value: text, message: `${path} is ${text}, longer than Prometheus and Alertmanager can hold (Go's durations end at about 292 years)`, allowed: 'a duration under 292y' });
    } else if (field.positive && seconds === 0) {
      problems.push({ id: 'config/duration-range', severity: 'error', path, value: text, message: `${path} is ${text}: the tool that reads it refuses a zero duration here`, allowed: 'a duration greater than 0, e.g. 5m' });
    } else if (field.proven && seconds > maxProvenDurationSeconds) {
      problems.push({ id: 'config/duration-range', severity: 'error', path, value: text, message: `${path} is ${text}: mlmon's generated proofs simulate the whole of it, and past 1w they would not finish`, allowed: 'at most 1w' });
    }
  }
  return problems;
}

/**
 * Custom rules: an expression that is not PromQL (Prometheus refuses the whole rule file), and label names
 * Prometheus reserves (`__name__` is refused; every `__`-prefixed name is Prometheus' own).
 */
export async function customRuleProblems(config: MonitoringConfig): Promise<Problem[]> {
  const problems: Problem[] = [];
  const rules = [
    ...(config.rules?.alerts ?? []).map((rule, i) => ({ rule, segments: ['rules', 'alerts', i] as (string | number)[] })),
    ...(config.rules?.recording ?? []).map((rule, i) => ({ rule, segments: ['rules', 'recording', i] as (string | number)[] })),
  ];
  for (const { rule, segments } of rules) {
    if (!rule || typeof rule !== 'object') continue;
    if (typeof rule.expr === 'string') {
      const { errors } = await parsePromql(rule.expr);
      if (rule.expr.trim() === '' || errors.length > 0) {
        const path = configPath([...segments, 'expr']);
        problems.push({ id: 'config/invalid-promql', severity: 'error', path, value: rule.expr, message: `${path} is not a PromQL expression${errors[0] ? `: ${errors[0].message}` : ''}`, allowed: 'a PromQL expression, e.g. rate(http_requests_total[5m]) > 10', hint: 'Prometheus refuses to load a rule file with an expression it cannot parse' });
      }
    }
    for (const label of Object.keys(rule.labels ?? {})) {
      if (!label.startsWith('__')) continue;
      const path = configPath([...segments, 'labels', label]);
      problems.push({ id: 'config/reserved-label', severity: 'error', path, value: label, message: `${path}: label names starting with __ are Prometheus' own (it refuses __name__ on a rule)`, allowed: 'a label name that does not start with __' });
    }
  }
  return problems;
}

/**
 * A threshold the alert's signal can never cross (the catalog's `bounds` of each threshold): a minimum of 0 or
 * less on a signal that is never negative (a rate, a ratio, an accuracy, a percentage of free disk) can never be
 * breached, so the alert could never fire and no proof can show it firing (`false` is how a threshold is
 * switched off); likewise a maximum at the top of a bounded signal (an error ratio of 1, 100% CPU or memory) and
 * a p95 latency threshold over a day.
 */
export function unreachableThresholdProblems(config: MonitoringConfig, catalog: AlertCatalog = alertCatalog): Problem[] {
  const problems: Problem[] = [];
  const report = (path: string, value: number, message: string, allowed: string, hint?: string) =>
    problems.push({ id: 'config/unreachable-threshold', severity: 'error', path, value, message, allowed, ...(hint ? { hint } : {}) });
  const outside = (value: number, bounds: SignalBounds): boolean =>
    (bounds.floor !== undefined && value <= bounds.floor) || (bounds.ceiling !== undefined && value >= bounds.ceiling) || (bounds.longest !== undefined && value > bounds.longest);
  const judge = (segments: (string | number)[], value: number, alert: string, bounds: SignalBounds): void => {
    const path = configPath(segments);
    if (bounds.floor !== undefined && value <= bounds.floor) {
      report(path, value, `${path} is ${value}: ${alert} fires below it, and its signal is never negative, so it could never fire`, 'a number greater than 0, or false to disable the alert', `did you mean ${path}: false?`);
    }
    // A maximum at the top of a bounded signal: an error ratio can't pass 1, nor CPU or memory use 100%.
    if (bounds.ceiling !== undefined && value >= bounds.ceiling) {
      report(path, value, `${path} is ${value}: ${alert} fires above it, and its signal never passes ${bounds.ceiling}, so it could never fire`, `a number below ${bounds.ceiling}, or false to disable the alert`);
    }
    // A p95 latency over a day: no request takes that long, and the proof can't build a histogram whose
    // quantile passes 1e308 (the fuzzer's maxLatencyP95Seconds: 1e+308).
    if (bounds.longest !== undefined && value > bounds.longest) {
      report(path, value, `${path} is ${value} seconds: ${alert} fires above it, and no request takes that long, so it could never fire`, `at most ${bounds.longest} (a day), or false to disable the alert`);
    }
  };
  // One target's thresholds: only the keys it sets are looked up (most of a fleet sets none, the rest a key or
  // two), and a path is spelt out only for a value out of bounds, reported in the catalog's order. At 10,000
  // models, building a path and a list per target was most of this check's time.
  const visit = (segments: () => (string | number)[], thresholds: Record<string, unknown> | undefined, byKey: ReadonlyMap<string, { alert: AlertDefinition; threshold: ThresholdDefinition; order: number }>): void => {
    if (!thresholds) return;
    let found: { alert: AlertDefinition; threshold: ThresholdDefinition; order: number }[] | undefined;
    for (const key in thresholds) {
      const entry = byKey.get(key);
      const value = thresholds[key];
      if (entry && typeof value === 'number' && outside(value, entry.threshold.bounds)) (found ??= []).push(entry);
    }
    for (const { alert, threshold } of found?.sort((a, b) => a.order - b.order) ?? []) judge([...segments(), threshold.key], thresholds[threshold.key] as number, alert.name, threshold.bounds);
  };
  const keyed = (scope: AlertScope) => new Map(thresholdsOf(scope, catalog).map((entry, order) => [entry.threshold.key, { ...entry, order }]));
  const thresholdsOfTarget = (target: { thresholds?: unknown } | undefined) => target?.thresholds as Record<string, unknown> | undefined;

  visit(() => ['infrastructure', 'thresholds'], config.infrastructure?.thresholds as Record<string, unknown> | undefined, keyed('infrastructure'));
  const serviceKeys = keyed('service');
  visit(() => ['defaults', 'serviceThresholds'], config.defaults?.serviceThresholds as Record<string, unknown> | undefined, serviceKeys);
  const services = config.services ?? {};
  for (const name of Object.keys(services)) visit(() => ['services', name, 'thresholds'], thresholdsOfTarget(services[name]), serviceKeys);
  const modelKeys = keyed('model');
  visit(() => ['defaults', 'modelThresholds'], config.defaults?.modelThresholds as Record<string, unknown> | undefined, modelKeys);
  const models = config.models ?? {};
  for (const name of Object.keys(models)) visit(() => ['models', name, 'thresholds'], thresholdsOfTarget(models[name]), modelKeys);
  return problems;
}
