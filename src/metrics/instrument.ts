/**
 * `mlmon instrument`: the application's part of the metric contract (src/metrics/contract.ts) as a module for
 * the service's own client library, so the app and the alerts cannot disagree on a name, a label or a bucket.
 * Every decision (identifiers, class names, literals) is made here; templates/instrument/ only lays it out.
 */
import { basename } from 'node:path';
import { formatNumber } from '../formats/decimal.js';
import type { MetricDefinition, MonitoringModel } from '../normalize/model.js';
import { createTemplates } from '../render/templating.js';
import { applicationMetrics } from './contract.js';

export type InstrumentLanguage = 'python' | 'typescript';

/** The file name `instrument` writes when `--out` is not given. */
export const defaultInstrumentFile: Readonly<Record<InstrumentLanguage, string>> = { python: 'mlmon_metrics.py', typescript: 'mlmon-metrics.ts' };

const pythonClass = { counter: 'Counter', gauge: 'Gauge', histogram: 'Histogram', summary: 'Summary' } as const;

/** The port the Python module serves on by default: prometheus_client's examples' 8000, as the seed's app. */
const defaultPythonPort = 8000;

/** `predictions_total` → `PREDICTIONS_TOTAL` (Python) and `predictionsTotal` (TypeScript). */
function identifiers(name: string): { python: string; typescript: string } {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const typescript = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase())).join('');
  return { python: words.join('_').toUpperCase(), typescript: /^[0-9]/.test(typescript) ? `m${typescript}` : typescript };
}

function metricContext(metric: MetricDefinition) {
  const ids = identifiers(metric.name);
  const pythonTuple = (items: readonly string[]) => (items.length === 0 ? '()' : `(${items.join(', ')}${items.length === 1 ? ',' : ''})`);
  return {
    name: metric.name,
    help: metric.help || metric.name,
    // The help text inside a /** */ comment: a `*/` in it would end the comment early.
    docHelp: (metric.help || metric.name).replace(/\*\//g, '*\\/'),
    labels: metric.labels,
    labelList: metric.labels.join(', '),
    // prometheus_client and prom-client both have defaults; the catalog's buckets, when it has them, are the
    // ones the SLOs and thresholds were checked against, so they are written out.
    buckets: metric.type === 'histogram' && metric.buckets ? metric.buckets : null,
    pythonBuckets: metric.buckets ? pythonTuple(metric.buckets.map(formatNumber)) : '',
    pythonName: ids.python,
    pythonClass: pythonClass[metric.type],
    pythonLabels: pythonTuple(metric.labels.map((l) => JSON.stringify(l))),
    typescriptName: ids.typescript,
    typescriptClass: pythonClass[metric.type],
  };
}

/** The module's text for `language`: every application metric of the model's catalog, in catalog order. */
export function renderInstrumentation(model: MonitoringModel, language: InstrumentLanguage): string {
  const templates = createTemplates(undefined);
  const metrics = applicationMetrics(model);
  // Only the classes the module uses: an unused import fails a strict linter or `noUnusedLocals`.
  const classes = [...new Set(metrics.map((m) => pythonClass[m.type]))].sort();
  const context = { version: model.generator.version, configFile: basename(model.generator.configFile), port: defaultPythonPort, imports: classes.join(', '), metrics: metrics.map(metricContext) };
  return templates.render(language === 'python' ? 'instrument/metrics.py.hbs' : 'instrument/metrics.ts.hbs', context);
}
