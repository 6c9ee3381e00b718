/**
 * mlmon's SLOs as OpenSLO v1 documents (github.com/OpenSLO/OpenSLO, README "SLO" and "SLI"), for tools that
 * read OpenSLO (dashboards, SLO catalogues). Pure: definitions in, YAML text out; `generate` wires it as an
 * artifact. `mlmon import openslo` reads these documents back into the same SLOs (test/config/openslo-export.test.ts).
 */
import { durationSeconds } from '../../formats/prometheus-duration.js';
import { yamlStringify } from '../../formats/yaml/layout.js';
import type { Duration, SloIndicator } from '../types.js';
import { indicatorQueries, type SloScope } from './queries.js';

/** One SLO of a model or a service, as mlmon defines it (defaults applied or not). */
export interface OpenSloExportSlo {
  /** The SLO's name (its key in `slos`). */
  readonly name: string;
  readonly scope: SloScope;
  /** The model's or the service's name. */
  readonly target: string;
  readonly indicator: SloIndicator;
  /** Percent of good events, in (0, 100). */
  readonly objective: number;
  /** The rolling window; mlmon's default `28d` when not given. */
  readonly window?: Duration | undefined;
  /** For a model: the service that serves it, named as the OpenSLO `spec.service` (the model's name otherwise). */
  readonly service?: string | undefined;
}

/**
 * Annotations that carry what OpenSLO has no field for, so that the import puts the SLO back where it was:
 * the mlmon SLO name (the document's name must be unique across targets) and, for a model SLO, the model.
 */
export const mlmonAnnotations = { slo: 'mlmon.dev/slo', model: 'mlmon.dev/model' } as const;

/** mlmon's default SLO window (config types, `SloConfig.window`). */
const defaultWindow = '28d';

/** The OpenSLO `SLO` document of one mlmon SLO, with its indicator inline as a `ratioMetric`. */
export function openSloDocument(slo: OpenSloExportSlo): Record<string, unknown> {
  const name = `${slo.target}-${slo.name}`;
  const queries = indicatorQueries(slo.indicator, slo.scope, slo.target);
  const source = (query: string) => ({ metricSource: { type: 'Prometheus', spec: { query } } });
  const ratioMetric = 'good' in queries
    ? { counter: true, good: source(queries.good), total: source(queries.total) }
    : { counter: true, bad: source(queries.bad), total: source(queries.total) };
  const annotations: Record<string, string> = { [mlmonAnnotations.slo]: slo.name };
  if (slo.scope === 'model') annotations[mlmonAnnotations.model] = slo.target;
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name, annotations },
    spec: {
      service: slo.scope === 'model' ? (slo.service ?? slo.target) : slo.target,
      indicator: { metadata: { name }, spec: { ratioMetric } },
      timeWindow: [{ duration: openSloDuration(slo.window ?? defaultWindow), isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ displayName: slo.name, target: percentToRatio(slo.objective) }],
    },
  };
}

/**
 * The SLOs as one multi-document OpenSLO v1 YAML file, models' SLOs first, each sorted by target and SLO name
 * (plain < comparison), so the file is the same for the same SLOs whatever order they come in.
 * Throws when a window is not a whole number of minutes, which OpenSLO's duration shorthand cannot write.
 */
export function toOpenSlo(slos: readonly OpenSloExportSlo[]): string {
  const key = (slo: OpenSloExportSlo): [string, string, string] => [slo.scope, slo.target, slo.name];
  const sorted = [...slos].sort((a, b) => compareKeys(key(a), key(b)));
  // Written as every other YAML file of mlmon's: an SLO named `no` is the string "no" to a YAML 1.1 reader too.
  return sorted.map((slo) => `---\n${yamlStringify(openSloDocument(slo))}`).join('');
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/**
 * A Prometheus duration in OpenSLO's shorthand (one number, one unit of `m h d`): `1d12h` is `36h`, `4w` is
 * `28d` (SLO windows are said in days). OpenSLO's `M`, `Q` and `Y` are never written: calendar units of no fixed
 * length.
 */
export function openSloDuration(duration: Duration): string {
  const seconds = durationSeconds(duration);
  if (seconds <= 0 || seconds % 60 !== 0) throw new Error(`the SLO window ${duration} is not a whole number of minutes, which OpenSLO's duration shorthand cannot write`);
  const minutes = seconds / 60;
  for (const [unit, size] of [['d', 1440], ['h', 60]] as const) if (minutes % size === 0) return `${minutes / size}${unit}`;
  return `${minutes}m`;
}

/**
 * Percent to a ratio and back without binary noise (99.5 / 100 is 0.995, but 0.995 * 100 is 99.49999999999999):
 * twelve significant digits are more than any objective has.
 */
export function percentToRatio(percent: number): number {
  return Number((percent / 100).toPrecision(12));
}

export function ratioToPercent(ratio: number): number {
  return Number((ratio * 100).toPrecision(12));
}
