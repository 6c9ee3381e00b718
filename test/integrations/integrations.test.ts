/**
 * The model-server integrations (src/catalog/integrations/): their versioned metric catalogs against their
 * alerts, the config that enables them, and what the pipeline makes of it (scrape relabelling, rules that stay
 * one per alert as the fleet grows, dashboard rows).
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { alertCatalog } from '../../src/catalog/index.js';
import { activeCatalog, integrationNamed, integrationOfAlert, metricsAt, serviceIntegrations } from '../../src/catalog/integrations/index.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { renderAll } from '../../src/render/render.js';
import { modelOf, problemsOf } from '../support/fixtures.js';

/** The series names an expression reads: a metric name with any histogram suffix stripped. */
function metricsRead(expr: string, known: readonly string[]): string[] {
  return known.filter((name) => new RegExp(`(^|[^a-zA-Z0-9_:])${name}(_bucket|_count|_sum)?([^a-zA-Z0-9_:]|$)`).test(expr));
}

const llmConfig = (models: number, extra: Partial<MonitoringConfig> = {}): MonitoringConfig => ({
  services: {
    llm: { discovery: { kubernetesPods: { namespaces: ['llm'] } }, integration: { vllm: { version: '0.11' } } },
    vision: { discovery: { staticTargets: ['vision:8002'] }, integration: { triton: { version: '24.08' } } },
    scorer: { discovery: { kubernetesPods: { namespaces: ['kserve'] } }, integration: { kserve: { version: '0.14' } } },
  },
  models: Object.fromEntries(Array.from({ length: models }, (_, i) => [`model-${i}`, { service: ['llm', 'vision', 'scorer'][i % 3]! }])),
  ...extra,
} as MonitoringConfig);

describe('the integration catalogs', () => {
  for (const integration of serviceIntegrations) {
    it(`${integration.name}: every alert reads only metrics its server exports at every supported version`, () => {
      for (const version of integration.versions) {
        const names = metricsAt(integration, version).map((m) => m.name);
        for (const alert of integration.alerts) {
          for (const metric of alert.metrics) expect(names, `${alert.name} reads ${metric} at ${integration.name} ${version}`).toContain(metric);
        }
      }
    });

    it(`${integration.name}: every metric names its source and unit, every alert its units and source in its docs`, () => {
      for (const version of integration.versions) {
        for (const m of metricsAt(integration, version)) {
          expect(m.source, m.name).toMatch(/^https:\/\//);
          expect(m.unit, m.name).not.toBe('');
        }
      }
      for (const alert of integration.alerts) expect(alert.about, alert.name).toMatch(/\((?:[^)]*(?:ratio|seconds|requests|milliseconds|per second|in requests)[^)]*)\)/);
    });

    it(`${integration.name}: its alerts are catalog entries and are generated only for a config that enables it`, () => {
      for (const alert of integration.alerts) {
        expect(alertCatalog).toContain(alert);
        expect(integrationOfAlert(alert)?.name).toBe(integration.name);
      }
      expect(activeCatalog(alertCatalog, new Set()).some((a) => integration.alerts.includes(a))).toBe(false);
      expect(activeCatalog(alertCatalog, new Set([integration.name])).filter((a) => integration.alerts.includes(a))).toHaveLength(integration.alerts.length);
    });
  }

  it('vLLM: the renamed names are not exported at or after the version that dropped them, and their successors are', () => {
    const vllm = integrationNamed('vllm')!;
    const gpuCache = vllm.renames.find((r) => r.from === 'vllm:gpu_cache_usage_perc');
    expect(gpuCache).toMatchObject({ to: 'vllm:kv_cache_usage_perc', inVersion: '0.11' });
    expect(gpuCache!.source).toMatch(/github\.com\/vllm-project\/vllm\/pull\/24245/);
    for (const rename of vllm.renames) {
      const from = vllm.versions.indexOf(rename.inVersion);
      expect(from, rename.from).toBeGreaterThan(0);
      vllm.versions.forEach((version, i) => {
        const names = metricsAt(vllm, version).map((m) => m.name);
        if (i >= from) expect(names, `${rename.from} at ${version}`).not.toContain(rename.from);
        else expect(names, `${rename.from} at ${version}`).toContain(rename.from);
        expect(names, `${rename.to} at ${version}`).toContain(rename.to);
      });
    }
  });

  it('no integration alert reads a name that a rename says is gone', () => {
    const gone = serviceIntegrations.flatMap((i) => i.renames.map((r) => r.from));
    for (const alert of alertCatalog) {
      const rule = alert.rule({ window: '5m', for: '5m', infrastructureTeam: 'x', modelPresence: [], scraped: { nodeExporterPods: true, kubelets: true, dcgmPods: true, integrations: serviceIntegrations.map((i) => i.name) }, compare: (signal) => `${signal} > 1`, select: (m, matchers) => (matchers ? `${m}{${matchers}}` : m), target: (s) => s });
      expect(metricsRead(rule.expr, gone), alert.name).toEqual([]);
    }
  });

  it('vLLM: KV-cache usage is a ratio (0–1) with a threshold in the same unit, and counters are read with _total', () => {
    const vllm = integrationNamed('vllm')!;
    expect(metricsAt(vllm, '0.11').find((m) => m.name === 'vllm:kv_cache_usage_perc')).toMatchObject({ type: 'gauge', unit: 'ratio' });
    const kv = vllm.alerts.find((a) => a.name === 'VllmKvCacheSaturated')!;
    expect(kv.threshold).toMatchObject({ type: 'Ratio', default: 0.9, bounds: { ceiling: 1 } });
    for (const m of metricsAt(vllm, '0.12')) if (m.type === 'counter') expect(m.name).toMatch(/_total$/);
    for (const m of metricsAt(vllm, '0.12')) expect(m.labels, m.name).toContain('model_name');
  });
});

describe('the integration config', () => {
  it('refuses an unknown vLLM version, listing the supported ones with a did-you-mean', async () => {
    const problems = await problemsOf({ services: { llm: { discovery: { staticTargets: ['llm:8000'] }, integration: { vllm: { version: '0.111' } } } } });
    expect(problems).toEqual([expect.objectContaining({
      id: 'config/integration-version', severity: 'error', path: 'services.llm.integration.vllm.version', value: '0.111', allowed: '0.10, 0.11, 0.12', hint: 'did you mean "0.11"?',
    })]);
  });

  it('refuses an unknown Triton version the same way', async () => {
    const problems = await problemsOf({ services: { vision: { discovery: { staticTargets: ['v:8002'] }, integration: { triton: { version: '24.8' } } } } });
    expect(problems).toEqual([expect.objectContaining({ id: 'config/integration-version', path: 'services.vision.integration.triton.version', hint: 'did you mean "24.08"?' })]);
  });

  it('refuses an unknown integration name with a did-you-mean', async () => {
    const problems = await problemsOf({ services: { llm: { discovery: { staticTargets: ['llm:8000'] }, integration: { vlm: { version: '0.11' } } } } });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('services.llm.integration.vlm');
    expect(problems[0]!.hint).toMatch(/vllm/);
  });

  it('takes the integration alerts\' thresholds per model, and refuses a KV-cache threshold in percent', async () => {
    const problems = await problemsOf({
      services: { llm: { discovery: { staticTargets: ['llm:8000'] }, integration: { vllm: { version: '0.11' } } } },
      models: { chat: { service: 'llm', thresholds: { maxVllmKvCacheUsage: 90 } } },
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(new Set(problems.map((p) => p.path))).toEqual(new Set(['models.chat.thresholds.maxVllmKvCacheUsage']));
  });
});

describe('a config with integrations', () => {
  const alertRules = (models: number) => modelOf(llmConfig(models)).ruleFiles
    .flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r) => r.kind === 'alert');

  it('has the same alert rules at 10 and at 10,000 models (thresholds are series)', () => {
    const few = alertRules(10);
    const many = alertRules(10_000);
    expect(many.map((r) => (r.kind === 'alert' ? r.alert : ''))).toEqual(few.map((r) => (r.kind === 'alert' ? r.alert : '')));
    const names = few.map((r) => (r.kind === 'alert' ? r.alert : ''));
    for (const integration of serviceIntegrations) for (const alert of integration.alerts) expect(names).toContain(alert.name);
  });

  it('generates no integration alert for a config without integrations', () => {
    const model = modelOf({ services: { api: { discovery: { staticTargets: ['api:8080'] } } } } as MonitoringConfig);
    const integrationAlerts = new Set(serviceIntegrations.flatMap((i) => i.alerts.map((a) => a.name)));
    expect(model.builtinAlerts.filter((a) => integrationAlerts.has(a.name))).toEqual([]);
    expect(model.metricCatalog.filter((m) => m.origin === 'integration')).toEqual([]);
  });

  it('copies vLLM\'s and KServe\'s model_name to model at scrape time, scrapes pods on the server\'s port, and leaves Triton\'s model label as it is', () => {
    const files = renderAll(modelOf(llmConfig(3)));
    const prometheus = parseYaml(files.find((f) => f.path === 'prometheus/prometheus.yml')!.content) as { scrape_configs: Record<string, unknown>[] };
    const job = (name: string) => prometheus.scrape_configs.find((j) => j.job_name === name)!;
    const copy = [{ source_labels: ['model_name'], regex: '(.+)', target_label: 'model', action: 'replace' }];
    expect(job('llm').metric_relabel_configs).toEqual(copy);
    expect(job('scorer').metric_relabel_configs).toEqual(copy);
    expect(job('vision').metric_relabel_configs).toBeUndefined();
    expect(JSON.stringify(job('llm').relabel_configs)).toContain('"replacement":"8000"');
    expect(JSON.stringify(job('scorer').relabel_configs)).toContain('"replacement":"8080"');
  });

  it('gives a model threshold series only for the alerts of the server its service runs', () => {
    const records = modelOf(llmConfig(3)).ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules))
      .flatMap((r) => (r.kind === 'record' && r.labels.model ? [`${r.record} ${r.labels.model}`] : []));
    // model-0 is served by vLLM (llm), model-1 by Triton (vision), model-2 by KServe (scorer).
    expect(records).toContain('mlmon:model_max_vllm_waiting_requests:threshold model-0');
    expect(records).not.toContain('mlmon:model_max_vllm_waiting_requests:threshold model-1');
    expect(records).toContain('mlmon:model_max_triton_pending_requests:threshold model-1');
    expect(records).not.toContain('mlmon:model_max_triton_pending_requests:threshold model-2');
    expect(records).toContain('mlmon:model_max_kserve_predict_p95_seconds:threshold model-2');
    expect(records).not.toContain('mlmon:model_max_kserve_predict_p95_seconds:threshold model-0');
  });

  it('knows the integrations\' metrics at their versions, with the model label the rules join on', () => {
    const catalog = modelOf(llmConfig(3)).metricCatalog;
    expect(catalog.find((m) => m.name === 'vllm:kv_cache_usage_perc')).toMatchObject({ origin: 'integration', labels: ['model_name', 'engine', 'model'] });
    expect(catalog.find((m) => m.name === 'vllm:gpu_cache_usage_perc')).toBeUndefined();
    expect(catalog.find((m) => m.name === 'nv_inference_pending_request_count')).toMatchObject({ labels: ['model', 'version'] });
  });

  it('adds a dashboard row per integration, each alert\'s threshold drawn on its panel', () => {
    const files = renderAll(modelOf(llmConfig(3)));
    const dashboard = JSON.parse(files.find((f) => f.path === 'grafana/dashboards/ml-models.json')!.content) as { panels: { type: string; title: string; description?: string }[] };
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(expect.arrayContaining(['vLLM', 'Triton', 'KServe']));
    for (const integration of serviceIntegrations) {
      for (const alert of integration.alerts) {
        const title = (alert.panel as { title: string }).title;
        const panel = dashboard.panels.find((p) => p.title === title);
        expect(panel, `${alert.name}'s panel "${title}"`).toBeDefined();
        // drawAlertThresholds says in the description whose line it drew (it throws for a panel it can't find).
        expect(panel!.description, `${alert.name}'s line`).toContain(`threshold of the ${alert.name} alert`);
      }
    }
  });
});
