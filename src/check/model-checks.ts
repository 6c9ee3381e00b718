/**
 * The checks mlmon does itself, on the in-memory model and rendered files, as registry entries (registry.ts),
 * in report order. Each says which problem ids it can report; docs/checks.md has a heading for every one.
 */
import type { MonitoringModel } from '../normalize/model.js';
import { isYamlArtifact, readerMismatchProblems } from '../render/yaml-check.js';
import { isKubernetesManifest } from './kubernetes-objects.js';
import { checkDashboards } from './dashboards.js';
import { checkInhibitRules } from './inhibit-rules.js';
import { checkLogstashPipelines } from './logstash-pipelines.js';
import { checkPromql, type PromqlSource } from './promql-semantics.js';
import type { ModelCheck } from './registry.js';
import { checkRuleHygiene } from './rule-hygiene.js';
import { checkOutputForSecrets } from './secrets.js';

/**
 * The config stage's problems, by id. The pipeline reports them (generation stops on an error), and the
 * `config` check carries its warnings into the report.
 */
export const configProblemIds = {
  'config/unknown-key': 'error', 'config/missing-key': 'error', 'config/invalid-value': 'error', 'config/invalid-name': 'error',
  'config/unreadable': 'error', 'config/literal-secret': 'error', 'config/secret-outside-mount': 'error',
  'config/unknown-receiver': 'error', 'config/unknown-service': 'error', 'config/unknown-alert': 'error',
  'config/empty-receiver': 'warning', 'config/missing-smtp': 'error', 'config/missing-slack-url': 'error', 'config/webhook-url': 'error',
  'config/discovery': 'error', 'config/duplicate-alert': 'error', 'config/unpinned-image': 'error', 'config/toleration': 'error',
  'config/node-exporter-discovery': 'error', 'config/go-template': 'error', 'config/alert-window': 'error',
  'config/unused-window': 'warning', 'config/logstash-value': 'error', 'config/duration-range': 'error',
  'config/invalid-promql': 'error', 'config/reserved-label': 'error', 'config/unreachable-threshold': 'error',
  'config/incomplete-slo': 'error', 'config/slo-latency-bucket': 'error', 'config/slo-ratio-query': 'error',
  'config/slo-same-indicator': 'error', 'config/slo-window': 'error', 'config/slo-indicator-not-exported': 'error', 'config/slo-default-not-exported': 'warning', 'config/slo-unreachable-tier': 'warning',
  'config/shards-need-central-ruler': 'error', 'config/rule-group-interval': 'error', 'config/grafana-datasource-with-shards': 'warning', 'config/central-ruler-needs-remote-write': 'warning', 'config/remote-write-drops-rule-label': 'error', 'config/remote-write-duplicate-name': 'error',
  'config/integration-version': 'error',
  'config/gpu-discovery': 'error', 'config/gpu-thresholds': 'error',
} as const;

export const modelChecks: readonly ModelCheck[] = [
  {
    kind: 'model', id: 'config', title: 'config shape and meaning', artifact: 'config', emits: configProblemIds,
    run: ({ output }) => ({ problems: output.warnings, detail: output.configFile }),
  },
  {
    // Every YAML file but the Kubernetes manifests (kubernetes/objects reads those) parses (generate checks the
    // templated ones itself when template overrides are in play, and would have stopped before the checks).
    kind: 'model', id: 'render/invalid-output', title: 'the rendered files parse in their own format', artifact: 'out',
    emits: { 'render/invalid-output': 'error' },
    run: ({ output, templatedYaml }) => ({ problems: templatedYaml().problems, detail: count(output.files.filter((f) => isYamlArtifact(f) && !isKubernetesManifest(f.path)).length, 'YAML file') }),
  },
  {
    kind: 'model', id: 'promql', title: 'PromQL parses and matches the metric catalog', artifact: 'prometheus/rules',
    emits: {
      'promql/syntax': 'error', 'promql/unknown-metric': 'error', 'promql/unknown-label': 'error', 'promql/histogram-base-name': 'error',
      'promql/histogram-quantile-without-le': 'error', 'promql/rate-on-gauge': 'error', 'promql/counter-without-rate': 'warning',
      'promql/ratio-label-mismatch': 'error', 'promql/irate-in-alert': 'warning', 'rules/rate-window': 'error',
    },
    run: async ({ output, promql }) => {
      const sources = promqlSources(output.model);
      const problems = (await Promise.all(sources.map((s) => checkPromql(s, promql)))).flat();
      return { problems, detail: `${sources.length} expressions` };
    },
  },
  {
    kind: 'model', id: 'rules/hygiene', title: 'rule hygiene', artifact: 'prometheus/rules',
    emits: { 'rules/severity': 'error', 'rules/alert-name': 'error', 'rules/annotations': 'error', 'rules/runbook': 'error', 'rules/duplicate': 'error', 'rules/for': 'warning' },
    run: ({ output: { model } }) => ({ problems: checkRuleHygiene(model, model.builtinAlerts.some((a) => 'runbook_url' in a.rule.annotations)) }),
  },
  {
    kind: 'model', id: 'inhibit/rules', title: 'inhibit rules mute only alerts about the same thing', artifact: 'alertmanager/alertmanager.yml',
    emits: { 'inhibit/mutes-other-things': 'warning' },
    run: async ({ output }) => ({ problems: await checkInhibitRules(output.model) }),
  },
  {
    kind: 'model', id: 'secrets', title: 'no secret in the output', artifact: 'out',
    emits: { 'secrets/literal-in-output': 'error' },
    run: ({ output: { files } }) => ({ problems: checkOutputForSecrets(files), detail: `${files.length} files scanned` }),
  },
  {
    // Kubernetes objects against the API's schemas.
    kind: 'model', id: 'kubernetes/objects', title: 'objects match the Kubernetes API schemas', artifact: 'k8s',
    emits: { 'kubernetes/invalid-object': 'error', 'kubernetes/unknown-kind': 'error' },
    run: async ({ kubernetes }) => {
      const { problems, objects } = await kubernetes();
      return { problems, detail: count(objects, 'object') };
    },
  },
  {
    // Values Kubernetes (YAML 1.1 rules) or another reader takes for something else than YAML 1.2 does.
    kind: 'model', id: 'yaml/reader-mismatch', title: 'YAML files read the same under YAML 1.1 (Kubernetes) and 1.2', artifact: 'out',
    emits: { 'yaml/reader-mismatch': 'error' },
    run: async ({ output, templatedYaml, kubernetes }) => ({
      problems: [...templatedYaml().misread, ...(await kubernetes()).misread].flatMap(readerMismatchProblems),
      detail: count(output.files.filter(isYamlArtifact).length, 'YAML file'),
    }),
  },
  {
    // Dashboards against Grafana's model, their PromQL against the catalog.
    kind: 'model', id: 'grafana/dashboards', title: 'dashboards match Grafana\'s model, their queries the metric catalog', artifact: 'grafana/dashboards',
    emits: {
      'grafana/invalid-dashboard': 'error', 'grafana/unknown-variable': 'error',
      // The queries go through the same PromQL analysis as the rules.
      'promql/syntax': 'error', 'promql/unknown-metric': 'error', 'promql/unknown-label': 'error', 'promql/histogram-base-name': 'error',
      'promql/histogram-quantile-without-le': 'error', 'promql/rate-on-gauge': 'error', 'promql/counter-without-rate': 'warning',
      'promql/ratio-label-mismatch': 'error', 'rules/rate-window': 'error',
    },
    run: async ({ output, promql }) => {
      const { problems, dashboards, queries } = await checkDashboards(output.files, promql);
      return { problems, detail: `${count(dashboards, 'dashboard')}, ${count(queries, 'query', 'queries')}` };
    },
  },
  {
    // The Logstash pipeline against Logstash's grammar.
    kind: 'model', id: 'logstash/syntax', title: 'pipelines parse with Logstash\'s grammar', artifact: 'logstash/pipeline',
    emits: { 'logstash/syntax': 'error' },
    run: ({ output }) => {
      const { problems, pipelines } = checkLogstashPipelines(output.files);
      return { problems, detail: count(pipelines, 'pipeline') };
    },
  },
];

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Every rule's expression, with the `$labels.x` its annotations read (alerts only). */
function promqlSources(model: MonitoringModel): PromqlSource[] {
  const sources: PromqlSource[] = [];
  for (const file of model.ruleFiles) {
    for (const group of file.groups) {
      for (const rule of group.rules) {
        const annotationLabels = rule.kind === 'alert'
          ? [...new Set([...Object.values(rule.annotations).join('\n').matchAll(/\$labels\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))]
          : undefined;
        sources.push({
          expr: rule.expr, artifact: `prometheus/rules/${file.name}`, object: rule.kind === 'alert' ? rule.alert : rule.record, path: rule.source,
          ...(annotationLabels ? { annotationLabels } : {}),
        });
      }
    }
  }
  return sources;
}
