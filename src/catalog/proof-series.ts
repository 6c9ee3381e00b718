/**
 * The pieces an alert's proof is built from: promtool input series (`series` and `values` in promtool's
 * expanding notation, https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/), and the
 * few facts of the fleet a proof needs. src/normalize/rule-proofs.ts assembles them into test files.
 */
import { formatNumber } from '../formats/decimal.js';
import type { ResolvedDcgm } from './integrations/dcgm/settings.js';

/** One promtool input series: `metric{labels}` and its values, one per `interval` step. */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** The clock of a proof: `steps` samples, one every `step` seconds. */
export interface ProofClock {
  readonly steps: number;
  readonly step: number;
}

/** A model or service whose threshold series a proof needs (which threshold file it is in). */
export interface ThresholdTarget {
  readonly kind: 'model' | 'service';
  readonly name: string;
}

/** One target's input series, and the alert labels and $value expected when it fires. */
export interface TargetSeries {
  /** The model or service whose threshold series the proof needs (none for infrastructure alerts). */
  readonly target?: ThresholdTarget;
  readonly series: readonly InputSeries[];
  readonly alertLabels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly fires: boolean;
}

/** What of the normalized model a proof reads (MonitoringModel has it). */
export interface ProofFleet {
  readonly defaults: { readonly team: string; readonly modelThresholds: Readonly<Record<string, number | false>> };
  readonly infrastructure: {
    readonly team: string;
    readonly thresholds: Readonly<Record<string, number>>;
    readonly nodeExporter: { readonly kind: string };
    readonly kubernetesNodes: boolean;
  };
  /** The DCGM GPU pack's settings, when `infrastructure.gpus.dcgm` enables it. */
  readonly dcgm?: ResolvedDcgm | undefined;
  readonly services: readonly { readonly name: string; readonly team: string; readonly thresholds: Readonly<Record<string, number | false>>; readonly integration?: { readonly name: string } | undefined }[];
  readonly models: readonly { readonly name: string; readonly service: string; readonly team: string; readonly thresholds: Readonly<Record<string, number | false>> }[];
}

/**
 * Up to this many models or services, every one is proven through its alert. Past it (a fleet), the alert is
 * proven for one target of each distinct threshold and team, a disabled one and an unlisted one, and every
 * target's threshold series is pinned to its configured value by an exact-value test, so a nudge to any of
 * them still fails a proof. Proving each of 10,000 models through its alert made the proofs most of out/ and
 * took promtool minutes.
 */
export const proofTargetsPerAlert = 20;

/** A model name no config lists, standing for every model that only has the default thresholds. */
export const unlistedModelName = 'mlmon-unlisted-model';

/** All targets for a small config; for a fleet, the first of each distinct `identity` (threshold, team). */
export function sampled<T>(targets: readonly T[], identity: (target: T) => unknown[]): readonly T[] {
  if (targets.length <= proofTargetsPerAlert) return targets;
  const seen = new Set<string>();
  const sample: T[] = [];
  for (const target of targets) {
    const key = JSON.stringify(identity(target));
    if (seen.has(key)) continue;
    seen.add(key);
    sample.push(target);
    // Full: no later target can join, so a fleet's other thousands are not even looked at.
    if (sample.length === proofTargetsPerAlert) break;
  }
  return sample;
}

/** `metric{k="v", …}`, values quoted as PromQL strings. */
export function selector(metric: string, labels: Readonly<Record<string, string>>): string {
  // A loop, not entries/map/join: a fleet's proofs write hundreds of thousands of these.
  let inner = '';
  for (const name of Object.keys(labels)) inner += `${inner ? ', ' : ''}${name}=${JSON.stringify(labels[name])}`;
  return `${metric}{${inner}}`;
}

/** A counter growing by `perStep` each step. */
export function counter(perStep: number, steps: number): string {
  return `0+${formatNumber(perStep)}x${steps}`;
}

/** A gauge holding `value`. */
export function gauge(value: number, steps: number): string {
  return `${formatNumber(value)}x${steps}`;
}

/**
 * A histogram whose 0.95 quantile is `quantileValue`: all observations in one bucket [0, le], which
 * histogram_quantile(0.95) interpolates to 0.95 × le.
 */
export function histogramAt(metric: string, labels: Readonly<Record<string, string>>, quantileValue: number, steps: number, perStep: number): InputSeries[] {
  const le = formatNumber(quantileValue / 0.95);
  return [
    { series: selector(`${metric}_bucket`, { ...labels, le }), values: counter(perStep, steps) },
    { series: selector(`${metric}_bucket`, { ...labels, le: '+Inf' }), values: counter(perStep, steps) },
    { series: selector(`${metric}_count`, labels), values: counter(perStep, steps) },
  ];
}

/** What histogram_quantile(0.95) computes from the single-bucket histogram histogramAt made for `value`. */
export function quantileOf(value: number): number {
  return Number(formatNumber(value / 0.95)) * 0.95;
}
