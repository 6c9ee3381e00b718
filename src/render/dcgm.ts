/**
 * The DCGM GPU pack's files for dcgm-exporter itself (which mlmon doesn't deploy: NVIDIA's GPU Operator or the
 * exporter's Helm chart does):
 * - dcgm/counters.csv: the exporter's counters file (`-f`/`--collectors`), enabling exactly the DCGM fields the
 *   pack's enabled alerts read, the ECC and throttling counters that the exporter's default file leaves out
 *   among them;
 * - dcgm/exporter-metrics-config-map.yaml: the same text in a ConfigMap, under `metrics` (what the exporter's
 *   `-m <namespace>:<name>` reads, internal/pkg/counters/counter_config.go readConfigMap) and `dcgm-metrics.csv`
 *   (the key NVIDIA's GPU Operator mounts from the ConfigMap named in `dcgmExporter.config.name`).
 *
 * The grammar is the exporter's (counter_config.go at 4.5.3-4.8.2): Go's encoding/csv with `#` comments, every
 * record exactly three fields trimmed of spaces — DCGM field name, Prometheus type (gauge, counter, histogram,
 * summary, label), help text. So help text must hold no comma or double quote (a fourth field, or a quote
 * error); dcgmCountersProblems holds the file to that.
 */
import { dcgmFields, dcgmLabelFields, dcgmExporterRelease } from '../catalog/integrations/dcgm/metrics.js';
import { yamlDocument } from '../formats/yaml/layout.js';
import type { MonitoringModel } from '../normalize/model.js';
import { banner, RenderError, type RenderedFile } from './artifact.js';

export const dcgmCountersPath = 'dcgm/counters.csv';
export const dcgmConfigMapPath = 'dcgm/exporter-metrics-config-map.yaml';

/** The Prometheus types a counters file may name (counter_config.go's promMetricType). */
const exporterTypes = new Set(['gauge', 'counter', 'histogram', 'summary', 'label']);

/** The DCGM fields the enabled alerts read, in the pack's catalog order. */
export function enabledDcgmFields(model: MonitoringModel): typeof dcgmFields {
  const read = new Set(model.builtinAlerts.flatMap((a) => a.definition.metrics));
  return dcgmFields.filter((f) => read.has(f.name));
}

/** The counters file's text: a banner and notes as `#` comments, then one record per field. */
export function dcgmCountersCsv(model: MonitoringModel): string {
  const fields = enabledDcgmFields(model);
  const width = Math.max(...[...fields, ...dcgmLabelFields].map((f) => f.name.length)) + 1;
  const row = (name: string, type: string, help: string) => `${`${name},`.padEnd(width + 1)}${`${type},`.padEnd(9)}${help}`;
  return [
    banner(model),
    `# dcgm-exporter counters file (dcgm-exporter ${dcgmExporterRelease.tag} grammar): DCGM FIELD, Prometheus metric type, help message.`,
    '# The fields the mlmon GPU alerts read; ECC and throttling counters are off in the exporter\'s default-counters.csv.',
    '# Use with `dcgm-exporter -f counters.csv`, or the ConfigMap beside it.',
    '',
    ...fields.map((f) => row(f.name, f.type, f.help)),
    '',
    '# Static GPU facts, added as labels to every series (as in default-counters.csv).',
    ...dcgmLabelFields.map((f) => row(f.name, 'label', f.help)),
    '',
  ].join('\n');
}

/**
 * What dcgm-exporter's parser would refuse in a counters file, read as it reads one: records of other than three
 * fields, an unknown Prometheus type, a field the pack's catalog doesn't know, a quote (encoding/csv without
 * LazyQuotes refuses a bare `"`). One message per bad line; none for a good file.
 */
export function dcgmCountersProblems(text: string): string[] {
  const known = new Set([...dcgmFields, ...dcgmLabelFields].map((f) => f.name));
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    if (line.includes('"')) problems.push(`line ${i + 1}: a double quote, which dcgm-exporter's CSV reader refuses`);
    const record = line.split(',').map((f) => f.trim());
    if (record.length !== 3) return void problems.push(`line ${i + 1}: ${record.length} fields, dcgm-exporter expects 3`);
    if (!known.has(record[0]!)) problems.push(`line ${i + 1}: unknown DCGM field ${record[0]}`);
    if (!exporterTypes.has(record[1]!)) problems.push(`line ${i + 1}: unknown Prometheus type ${record[1]}`);
  });
  return problems;
}

/** The pack's files; none when the config doesn't enable it. */
export function renderDcgm(model: MonitoringModel): RenderedFile[] {
  const dcgm = model.dcgm;
  if (!dcgm) return [];
  const csv = dcgmCountersCsv(model);
  const problems = dcgmCountersProblems(csv);
  if (problems.length) throw new RenderError(dcgmCountersPath, problems.join('; '));
  const namespace = dcgm.discovery.kind === 'kubernetes-pods' ? dcgm.discovery.namespace : 'default';
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'exporter-metrics-config-map', namespace, labels: { 'app.kubernetes.io/managed-by': 'mlmon' } },
    data: { 'dcgm-metrics.csv': csv, metrics: csv },
  };
  return [
    { path: dcgmCountersPath, content: csv },
    { path: dcgmConfigMapPath, content: `${banner(model)}\n# Apply in dcgm-exporter's namespace; run it with \`-m ${namespace}:exporter-metrics-config-map\`, or name it in the GPU Operator's dcgmExporter.config.name.\n${yamlDocument(configMap)}` },
  ];
}
