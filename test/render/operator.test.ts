/**
 * The Prometheus Operator target (config `deploy.target`): what out/operator holds, judged strictly by kubeconform
 * against the operator's own CRDs (pinned in scripts/install-tools.sh) and Kubernetes' schemas, and what the
 * standalone target keeps.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { MonitoringConfig } from '../../src/config/types.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { prometheusRules, serializedBytes } from '../../src/render/operator/rules.js';
import { generateFromConfig, modelOf, scratchDir } from '../support/fixtures.js';
import { upstreamToolsDir } from '../support/tools.js';

const fleet = (models: number, deploy?: MonitoringConfig['deploy']): MonitoringConfig => ({
  ...(deploy ? { deploy } : {}),
  prometheus: { scrapeInterval: '20s' },
  infrastructure: { nodeExporterTargets: ['node-1:9100'] },
  services: {
    'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'], port: 'metrics' } } },
    'Batch.Scorer': { discovery: { staticTargets: ['10.0.0.7:8000'] } },
  },
  models: Object.fromEntries(Array.from({ length: models }, (_, i) => [`model-${i}`, { service: 'model-api' }])),
  alerting: { defaultReceiver: 'ops', receivers: { ops: { webhook: [{ url: 'http://hooks.internal/ops' }] } } },
});
const operator = { target: 'prometheus-operator' } as const;

const scratches: (() => void)[] = [];
afterEach(() => scratches.splice(0).forEach((cleanup) => cleanup()));

interface Judged { readonly exitCode: number; readonly valid: number; readonly failed: { kind: string; name: string; msg: string }[] }

/** kubeconform -strict on the files, with the operator's CRD schemas and Kubernetes' own. */
function judge(files: readonly RenderedFile[]): Judged {
  const scratch = scratchDir('mlmon-operator-kubeconform-');
  scratches.push(scratch.cleanup);
  for (const { path, content } of files) {
    mkdirSync(dirname(join(scratch.dir, path)), { recursive: true });
    writeFileSync(join(scratch.dir, path), content);
  }
  const tools = upstreamToolsDir();
  const run = spawnSync(join(tools, 'kubeconform'), ['-strict', '-summary', '-output', 'json', '-skip', 'Kustomization',
    '-schema-location', `${join(tools, 'kubernetes-schemas')}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    '-schema-location', `${join(tools, 'prometheus-operator-schemas')}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, scratch.dir], { encoding: 'utf8', timeout: 60_000 });
  const report = JSON.parse(run.stdout) as { resources: { kind: string; name: string; status: string; msg: string }[]; summary: { valid: number } };
  return { exitCode: run.status ?? -1, valid: report.summary.valid, failed: report.resources.filter((r) => r.status !== 'statusValid' && r.status !== 'statusSkipped') };
}

const objectsOf = (file: RenderedFile | undefined): any[] => parseAllDocuments(file?.content ?? '').map((d) => d.toJS()).filter(Boolean);

describe('the prometheus-operator target', () => {
  it('writes every object out/operator and out/k8s hold so that kubeconform -strict accepts it against the operator CRDs', async () => {
    const { files } = await generateFromConfig(fleet(3, operator));
    const operatorFiles = files.filter((f) => f.path.startsWith('operator/'));
    expect(operatorFiles.map((f) => f.path)).toEqual(['operator/alertmanager-config.yaml', 'operator/grafana-dashboards.yaml', 'operator/kustomization.yaml', 'operator/prometheus-rules.yaml', 'operator/scrape-targets.yaml']);
    const judged = judge(files.filter((f) => f.path.startsWith('operator/') || f.path.startsWith('k8s/')));
    expect(judged.failed).toEqual([]);
    expect(judged.exitCode).toBe(0);
    const kinds = operatorFiles.flatMap(objectsOf).map((o) => `${o.kind}/${o.metadata?.name ?? ''}`);
    expect(kinds).toEqual(expect.arrayContaining(['PodMonitor/mlmon-model-api', 'ScrapeConfig/mlmon-node-exporter', 'Secret/mlmon-alertmanager-config', 'ConfigMap/mlmon-dashboard-ml-models']));
    // Scraped at the config's interval, which the rules' windows are sized for, not the cluster Prometheus' own.
    const scrape = operatorFiles.flatMap(objectsOf).filter((o) => o.kind === 'PodMonitor' || o.kind === 'ScrapeConfig');
    expect(scrape.map((o) => o.spec.podMetricsEndpoints?.[0].interval ?? o.spec.scrapeInterval)).toEqual(scrape.map(() => '20s'));
    // A config name that is no object name gets a folded one with a hash, not an invalid one.
    expect(kinds.some((k) => /^ScrapeConfig\/mlmon-batch-scorer-[0-9a-f]{8}$/.test(k))).toBe(true);
  });

  it('carries each job\'s metric relabelling: a vLLM server\'s model_name is copied to model, as the standalone job does', async () => {
    const config = fleet(1, operator);
    const services = {
      ...config.services,
      llm: { discovery: { kubernetesPods: { namespaces: ['llm'] } }, integration: { vllm: { version: '0.11' } } },
      'llm-static': { discovery: { staticTargets: ['10.0.0.9:8000'] }, integration: { vllm: { version: '0.11' } } },
    } as MonitoringConfig['services'];
    const { files, model } = await generateFromConfig({ ...config, services });
    const objects = files.filter((f) => f.path.startsWith('operator/')).flatMap(objectsOf);
    const standalone = (job: string) => model.scrapeJobs.find((j) => j.name === job)!.metricRelabelConfigs;
    expect(standalone('llm')).toEqual([{ source_labels: ['model_name'], regex: '(.+)', target_label: 'model', action: 'replace' }]);
    const copy = [{ sourceLabels: ['model_name'], regex: '(.+)', targetLabel: 'model', action: 'replace' }];
    expect(objects.find((o) => o.kind === 'PodMonitor' && o.metadata?.name === 'mlmon-llm')!.spec.podMetricsEndpoints[0].metricRelabelings).toEqual(copy);
    expect(objects.find((o) => o.kind === 'ScrapeConfig' && o.metadata?.name === 'mlmon-llm-static')!.spec.metricRelabelings).toEqual(copy);
    // A job without any has none.
    expect(objects.find((o) => o.kind === 'PodMonitor' && o.metadata?.name === 'mlmon-model-api')!.spec.podMetricsEndpoints[0].metricRelabelings).toBeUndefined();
    const judged = judge(files.filter((f) => f.path.startsWith('operator/')));
    expect(judged.failed).toEqual([]);
  });

  it('is checked strictly: an unknown field or a wrong type in a PodMonitor or PrometheusRule is refused', async () => {
    const { files } = await generateFromConfig(fleet(1, operator));
    const monitors = files.find((f) => f.path === 'operator/scrape-targets.yaml')!;
    const rules = files.find((f) => f.path === 'operator/prometheus-rules.yaml')!;
    const broken = [
      { path: 'operator/scrape-targets.yaml', content: monitors.content.replace('  selector: {}', '  selector: {}\n  scrapeEverything: true') },
      { path: 'operator/prometheus-rules.yaml', content: rules.content.replace(/interval: (\S+)/, 'interval: [$1]') },
    ];
    const judged = judge(broken);
    expect(judged.exitCode).not.toBe(0);
    expect(judged.failed.map((f) => f.kind).sort()).toEqual(['PodMonitor', 'PrometheusRule']);
  });

  it('is read back by mlmon validate as object streams, not as single templated YAML documents', async () => {
    const { checkTemplatedYaml } = await import('../../src/render/yaml-check.js');
    const { files } = await generateFromConfig(fleet(1, { ...operator, prometheusOperator: { routing: 'alertmanager-config' } }));
    expect(() => checkTemplatedYaml(files)).not.toThrow();
    expect(files.map((f) => f.path)).toContain('operator/routing-tests.yml');
  });

  it('leaves out our own Prometheus, Alertmanager and Grafana, and keeps Logstash and Filebeat', async () => {
    const { files } = await generateFromConfig(fleet(1, operator));
    const k8s = files.filter((f) => f.path.startsWith('k8s/')).map((f) => f.path);
    expect(k8s).toEqual(['k8s/filebeat.yaml', 'k8s/kustomization.yaml', 'k8s/logstash.yaml', 'k8s/namespace.yaml']);
    expect(parse(files.find((f) => f.path === 'operator/kustomization.yaml')!.content).resources[0]).toBe('../k8s');
  });

  it('renders the standalone target, the default, with no operator objects and its own Prometheus, Alertmanager and Grafana', async () => {
    for (const deploy of [undefined, { target: 'standalone' as const }]) {
      const { files } = await generateFromConfig(fleet(1, deploy));
      expect(files.filter((f) => f.path.startsWith('operator/'))).toEqual([]);
      expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['k8s/prometheus.yaml', 'k8s/alertmanager.yaml', 'k8s/grafana.yaml']));
    }
  });

  it('labels rules and monitors for the ruleSelector (release by default, configurable), and dashboards for the Grafana sidecar with a folder', async () => {
    const defaults = await generateFromConfig(fleet(1, operator));
    for (const path of ['operator/prometheus-rules.yaml', 'operator/scrape-targets.yaml']) {
      for (const object of objectsOf(defaults.files.find((f) => f.path === path))) expect(object.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    }
    const custom = await generateFromConfig(fleet(1, { ...operator, prometheusOperator: { release: 'monitoring', labels: { team: 'ml' }, dashboardFolder: 'ML models' } }));
    for (const path of ['operator/prometheus-rules.yaml', 'operator/scrape-targets.yaml']) {
      for (const object of objectsOf(custom.files.find((f) => f.path === path))) expect(object.metadata.labels).toEqual({ release: 'monitoring', team: 'ml' });
    }
    const dashboards = objectsOf(custom.files.find((f) => f.path === 'operator/grafana-dashboards.yaml'));
    expect(dashboards.length).toBeGreaterThan(0);
    for (const map of dashboards) {
      expect(map.metadata.labels.grafana_dashboard).toBe('1');
      expect(map.metadata.annotations).toEqual({ grafana_folder: 'ML models' });
      const [key, json] = Object.entries(map.data)[0] as [string, string];
      expect(json).toBe(custom.files.find((f) => f.path === `grafana/dashboards/${key}`)!.content);
    }
  });

  it('puts alertmanager.yml into the configSecret byte for byte, under the key the operator reads', async () => {
    const { files } = await generateFromConfig(fleet(1, operator));
    const [secret] = objectsOf(files.find((f) => f.path === 'operator/alertmanager-config.yaml'));
    expect(Object.keys(secret.stringData)).toEqual(['alertmanager.yaml']);
    expect(secret.stringData['alertmanager.yaml']).toBe(files.find((f) => f.path === 'alertmanager/alertmanager.yml')!.content);
  });

  it('splits the rule groups over PrometheusRules each within the byte budget, keeping every group whole and in order', () => {
    // 200 models: threshold files of one group each (~60,000 bytes); 3 models: small groups, so that a budget
    // that still holds the largest one must split alerts.yml (a group per alert) over several objects.
    for (const models of [200, 3]) {
      const model = modelOf(fleet(models, operator));
      const whole = prometheusRules(model, { release: 'x' }, 10_000_000);
      const largestGroup = Math.max(...whole.flatMap((o) => o.spec.groups.map((g) => serializedBytes(g))));
      const alertsBytes = serializedBytes(whole.find((o) => o.metadata.name === 'mlmon-alerts-1')!);
      const budgets = [400_000, 150_000, Math.max(largestGroup + 2_000, Math.ceil(alertsBytes / 2))];
      const counts: number[] = [];
      for (const budget of budgets) {
        const objects = prometheusRules(model, { release: 'x' }, budget);
        counts.push(objects.length);
        for (const object of objects) expect(serializedBytes(object)).toBeLessThanOrEqual(budget);
        // Exactly the groups of the rule files, in their order, none split.
        expect(objects.flatMap((o) => o.spec.groups.map((g) => `${g.name}:${g.rules?.length}`))).toEqual(model.ruleFiles.flatMap((f) => f.groups.map((g) => `${g.name}:${g.rules.length}`)));
        expect(new Set(objects.map((o) => o.metadata.name)).size).toBe(objects.length);
      }
      // Smaller budgets need more objects: the split happens.
      if (models === 3) expect(counts[2]).toBeGreaterThan(counts[0]!);
    }
  });

  it('refuses a rule group larger than the budget rather than write an object the API server would refuse', () => {
    expect(() => prometheusRules(modelOf(fleet(50, operator)), {}, 500)).toThrow(/over the 500-byte budget/);
  });
});
