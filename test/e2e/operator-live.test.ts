/**
 * The Prometheus Operator target, run by the real tools: what the operator would make of out/operator, fed to the
 * pinned Prometheus and Alertmanager on 127.0.0.1, behaves as the standalone files do.
 *
 * - Scrape targets: a PodMonitor becomes a scrape job the way prometheus-operator v0.85.0 builds it
 *   (pkg/prometheus/promcfg.go generatePodMonitorConfig: its own relabelling first, then the PodMonitor's). The
 *   operator's job and the standalone job get the same synthetic pods through file discovery (the pod discovery's
 *   `__meta_kubernetes_*` labels, as test/e2e/scrape-discovery.test.ts builds them), and Prometheus' own
 *   /api/v1/targets must show the same targets with the same labels and scrape URLs for both.
 * - Rules and routing: three stacks scrape one fake model service. The standalone one runs the generated
 *   prometheus.yml, rule files and alertmanager.yml; the operator ones run the PrometheusRules' spec.groups,
 *   one rule file per object as the operator writes them, and either the alertmanager.yaml of the configSecret or
 *   the configuration the operator renders from the AlertmanagerConfig (receivers `<namespace>/mlmon/<name>`,
 *   matcher strategy None; src/check/operator-rendering.ts). The same breaches must reach the same receivers with the same
 *   labels from all three.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import type { MonitoringConfig } from '../../src/config/types.js';
import { renderAll } from '../../src/render/render.js';
import { modelOf, scratchDir } from '../support/fixtures.js';
import { tool, upstreamToolsDir } from '../support/tools.js';
import { startFakeModelService, type FakeModelService } from './support/fake-model-service.js';
import { freeLoopbackPort } from './support/free-port.js';
import { startLiveStack, type LiveStack } from './support/live-stack.js';
import { startProcess, stopAllProcesses } from './support/processes.js';
import { operatorAlertmanagerConfig } from '../../src/check/operator-rendering.js';
import { discoveredTargets, type Labels, type Pod } from './support/pod-discovery.js';
import { waitFor } from './support/waiting.js';
import { startWebhookReceiver, type WebhookReceiver, webhookAlerting } from './support/webhook-receiver.js';

const operatorNamespace = 'monitoring';
const objectsOf = (text: string): any[] => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);

beforeAll(() => void upstreamToolsDir(), 15 * 60_000);
afterAll(() => stopAllProcesses(), 30_000);

// ---- Scrape targets -------------------------------------------------------------------------------------------


const snake: Record<string, string> = { sourceLabels: 'source_labels', targetLabel: 'target_label', regex: 'regex', replacement: 'replacement', action: 'action', separator: 'separator', modulus: 'modulus' };
const toPrometheus = (relabeling: Record<string, unknown>) => Object.fromEntries(Object.entries(relabeling).map(([k, v]) => [snake[k] ?? k, v]));

/**
 * The scrape job prometheus-operator v0.85.0 writes for a PodMonitor's first endpoint (generatePodMonitorConfig),
 * for the parts our PodMonitors use: no port, no selector labels, default filterRunning, no shards, no
 * enforced namespace label.
 */
function operatorJob(monitor: any): Record<string, unknown> {
  const endpoint = monitor.spec.podMetricsEndpoints[0];
  return {
    job_name: `podMonitor/${operatorNamespace}/${monitor.metadata.name}/0`,
    relabel_configs: [
      { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
      { action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { target_label: 'job', replacement: `${operatorNamespace}/${monitor.metadata.name}` },
      ...endpoint.relabelings.map(toPrometheus),
    ],
  };
}

const pods: readonly Pod[] = [
  // Two app containers with two TCP ports and a UDP one, plus an init container: one target per pod port.
  { name: 'api-0', namespace: 'ml-serving', phase: 'Running', ip: '127.0.0.11', annotations: { 'prometheus.io/scrape': 'true' },
    containers: [{ name: 'app', ports: ['8080/TCP/metrics', '9000/UDP/dns'] }, { name: 'sidecar', ports: ['9090/TCP/admin'] }, { name: 'init', ports: ['7000/TCP/setup'], init: true }] },
  // The annotation names the port; the path and scheme come from annotations too.
  { name: 'api-1', namespace: 'ml-serving', phase: 'Running', ip: '127.0.0.12', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8081', 'prometheus.io/path': '/custom' },
    containers: [{ name: 'app', ports: ['8080/TCP/metrics'] }, { name: 'logs' }] },
  // IPv6.
  { name: 'api-2', namespace: 'ml-serving', phase: 'Unknown', ip: '::1', annotations: { 'prometheus.io/scrape': 'true' }, containers: [{ name: 'app', ports: ['8080/TCP/metrics'] }] },
  // Dropped by both: finished, evicted, not started, not annotated.
  { name: 'done', namespace: 'ml-serving', phase: 'Succeeded', ip: '127.0.0.13', annotations: { 'prometheus.io/scrape': 'true' }, containers: [{ name: 'app', ports: ['8080/TCP/metrics'] }] },
  { name: 'evicted', namespace: 'ml-serving', phase: 'Failed', ip: '127.0.0.14', annotations: { 'prometheus.io/scrape': 'true' }, containers: [{ name: 'app', ports: ['8080/TCP/metrics'] }] },
  { name: 'starting', namespace: 'ml-serving', phase: 'Pending', ip: '127.0.0.15', annotations: { 'prometheus.io/scrape': 'true' }, containers: [{ name: 'app', ports: ['8080/TCP/metrics'] }] },
  { name: 'quiet', namespace: 'ml-serving', phase: 'Running', ip: '127.0.0.16', containers: [{ name: 'app', ports: ['8080/TCP/metrics'] }] },
];

describe('a PodMonitor, as the operator turns it into a scrape job, keeps the standalone targets and labels', () => {
  // Every port form of a service's discovery: none (the annotation's only), a named port, a port number.
  const services: Record<string, { port?: string | number }> = { 'annotated-port': {}, 'named-port': { port: 'metrics' }, 'numbered-port': { port: 8080 } };

  it('for every port form, the real Prometheus lists the same targets with the same labels and scrape URLs', async () => {
    const config: MonitoringConfig = {
      deploy: { target: 'prometheus-operator' },
      infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
      services: Object.fromEntries(Object.entries(services).map(([name, d]) => [name, { discovery: { kubernetesPods: { namespaces: ['ml-serving'], ...d } } }])),
      alerting: { defaultReceiver: 'ops', receivers: { ops: { webhook: [{ url: 'http://127.0.0.1:9/ops' }] } } },
    };
    const files = renderAll(modelOf(config));
    const standalone = parseYaml(files.find((f) => f.path === 'prometheus/prometheus.yml')!.content);
    const monitors = objectsOf(files.find((f) => f.path === 'operator/scrape-targets.yaml')!.content).filter((o) => o.kind === 'PodMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(Object.keys(services).map((s) => `mlmon-${s}`).sort());

    const scratch = scratchDir('mlmon-operator-scrape-');
    try {
      const sdFile = join(scratch.dir, 'pods.json');
      writeFileSync(sdFile, JSON.stringify(pods.flatMap(discoveredTargets)));
      const fileSd = [{ files: [sdFile] }];
      const jobs = Object.keys(services).flatMap((service) => {
        const { kubernetes_sd_configs: _, ...own } = standalone.scrape_configs.find((j: any) => j.job_name === service);
        const monitor = monitors.find((m) => m.metadata.name === `mlmon-${service}`);
        return [{ ...own, file_sd_configs: fileSd }, { ...operatorJob(monitor), file_sd_configs: fileSd }];
      });
      const port = await freeLoopbackPort();
      writeFileSync(join(scratch.dir, 'prometheus.yml'), stringifyYaml({ global: { scrape_interval: '1h' }, scrape_configs: jobs }));
      const prometheus = startProcess('prometheus', tool('prometheus'), [`--config.file=${join(scratch.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(scratch.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { cwd: scratch.dir });
      const url = `http://127.0.0.1:${port}`;
      try {
        const active = await waitFor('both jobs of every service to list their targets', async () => {
          if (prometheus.exit()) throw new Error(`Prometheus exited:\n${prometheus.outputTail()}`);
          const response = await fetch(`${url}/api/v1/targets`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
          if (!response?.ok) return undefined;
          const targets = ((await response.json()) as any).data.activeTargets as { scrapePool: string; labels: Labels; scrapeUrl: string }[];
          return new Set(targets.map((t) => t.scrapePool)).size === jobs.length ? targets : undefined;
        }, { timeoutMs: 30_000, intervalMs: 200, explain: async () => prometheus.outputTail() });
        for (const service of Object.keys(services)) {
          const of = (pool: string) => active.filter((t) => t.scrapePool === pool).map((t) => `${t.scrapeUrl} ${JSON.stringify(Object.entries(t.labels).sort())}`).sort();
          const ours = of(service);
          expect(ours.length, `${service} keeps some targets`).toBeGreaterThan(0);
          expect(of(`podMonitor/${operatorNamespace}/mlmon-${service}/0`), service).toEqual(ours);
        }
        // Without a known port a pod is not scraped (its every declared port would be a target, most of them
        // down for ever): the annotated-port job keeps api-1 alone, on its annotated port and path.
        expect(active.filter((t) => t.scrapePool === 'annotated-port').map((t) => `${t.labels.pod} ${t.scrapeUrl}`)).toEqual(['api-1 http://127.0.0.12:8081/custom']);
        // The one-address rule: the named-port job keeps api-0 once, on its port named metrics.
        expect(active.filter((t) => t.scrapePool === 'named-port' && t.labels.pod === 'api-0').map((t) => t.scrapeUrl)).toEqual(['http://127.0.0.11:8080/metrics']);
        expect(active.every((t) => !('container' in t.labels))).toBe(true);
      } finally {
        await prometheus.stop();
      }
    } finally {
      scratch.cleanup();
    }
  }, 60_000);

  it('for node-exporter and dcgm-exporter, the real Prometheus stores every scraped series with the standalone labels, the GPU\'s workload pod as dcgm-exporter exports it', async () => {
    // What the two exporters export: dcgm-exporter with pod mapping labels one GPU with the workload pod it is
    // lent to (namespace, pod, container) and leaves the other without; node-exporter has no pod labels.
    const dcgmMetrics = [
      '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-aaaa",modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-node-1",container="vllm",namespace="llm",pod="vllm-0"} 0',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-bbbb",modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-node-1"} 0',
    ];
    const nodeMetrics = ['# TYPE node_memory_MemAvailable_bytes gauge', 'node_memory_MemAvailable_bytes 1'];
    const exporters = await Promise.all([dcgmMetrics, nodeMetrics].map((lines) => startExporter(`${lines.join('\n')}\n`)));
    const [dcgmExporter, nodeExporter] = exporters as [Exporter, Exporter];
    const config: MonitoringConfig = {
      deploy: { target: 'prometheus-operator' },
      infrastructure: {
        nodeExporter: { kubernetes: { namespace: 'monitoring', podLabels: { app: 'node-exporter' }, port: nodeExporter.port } },
        kubernetesNodes: false,
        gpus: { dcgm: { kubernetes: { namespace: 'gpu-operator', podLabels: { app: 'nvidia-dcgm-exporter' }, port: dcgmExporter.port } } },
      },
      services: {},
      alerting: { defaultReceiver: 'ops', receivers: { ops: { webhook: [{ url: 'http://127.0.0.1:9/ops' }] } } },
    };
    const files = renderAll(modelOf(config));
    const standalone = parseYaml(files.find((f) => f.path === 'prometheus/prometheus.yml')!.content);
    const monitors = objectsOf(files.find((f) => f.path === 'operator/scrape-targets.yaml')!.content).filter((o) => o.kind === 'PodMonitor');
    const exporterJobs = ['node-exporter', 'dcgm-exporter'];
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['mlmon-dcgm-exporter', 'mlmon-node-exporter']);
    // The exporters' DaemonSet pods on one node, each on the loopback address its exporter listens on.
    const exporterPods: Pod[] = [
      { name: 'node-exporter-q9z8w', namespace: 'monitoring', phase: 'Running', ip: '127.0.0.1', node: 'gpu-node-1', labels: { app: 'node-exporter' }, containers: [{ name: 'node-exporter', ports: [`${nodeExporter.port}/TCP/metrics`] }] },
      { name: 'nvidia-dcgm-exporter-x7k2p', namespace: 'gpu-operator', phase: 'Running', ip: '127.0.0.1', node: 'gpu-node-1', labels: { app: 'nvidia-dcgm-exporter' }, containers: [{ name: 'nvidia-dcgm-exporter', ports: [`${dcgmExporter.port}/TCP/metrics`] }] },
    ];

    const scratch = scratchDir('mlmon-operator-exporters-');
    try {
      const sdFile = join(scratch.dir, 'pods.json');
      writeFileSync(sdFile, JSON.stringify(exporterPods.flatMap(discoveredTargets)));
      const fileSd = [{ files: [sdFile] }];
      // One Prometheus per target: the two jobs of an exporter write series of the same labels once fixed, which
      // one TSDB would merge.
      const stacks = {
        standalone: exporterJobs.map((name) => {
          const { kubernetes_sd_configs: _, ...own } = standalone.scrape_configs.find((j: any) => j.job_name === name);
          return { ...own, file_sd_configs: fileSd };
        }),
        operator: exporterJobs.map((name) => ({ ...operatorJob(monitors.find((m) => m.metadata.name === `mlmon-${name}`)), honor_labels: false, file_sd_configs: fileSd })),
      };
      const seen: Record<string, string[]> = {};
      for (const [target, jobs] of Object.entries(stacks)) {
        const dir = join(scratch.dir, target);
        mkdirSync(dir);
        const port = await freeLoopbackPort();
        writeFileSync(join(dir, 'prometheus.yml'), stringifyYaml({ global: { scrape_interval: '1s' }, scrape_configs: jobs }));
        const prometheus = startProcess(`prometheus-${target}`, tool('prometheus'), [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { cwd: dir });
        try {
          seen[target] = await waitFor(`${target}: both exporters scraped`, async () => {
            if (prometheus.exit()) throw new Error(`Prometheus exited:\n${prometheus.outputTail()}`);
            const match = encodeURIComponent('{__name__=~"up|DCGM_FI_DEV_GPU_UTIL|node_memory_MemAvailable_bytes"}');
            const response = await fetch(`http://127.0.0.1:${port}/api/v1/series?match[]=${match}`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
            if (!response?.ok) return undefined;
            const series = ((await response.json()) as any).data as Labels[];
            return series.length === 5 ? series.map((labels) => JSON.stringify(Object.entries(labels).sort())).sort() : undefined;
          }, { timeoutMs: 30_000, intervalMs: 200, explain: async () => prometheus.outputTail() });
        } finally {
          await prometheus.stop();
        }
      }
      expect(seen.operator).toEqual(seen.standalone);
      // What that equality means for the alerts: GpuIdleWhileRequestsQueue finds the GPU's workload pod in
      // `pod`/`namespace`, a GPU lent to no pod has neither, and a node's series name no exporter pod.
      const series = seen.operator!.map((text) => Object.fromEntries(JSON.parse(text) as [string, string][]));
      expect(series.filter((l) => l.__name__ === 'DCGM_FI_DEV_GPU_UTIL').map((l) => [l.gpu, l.namespace, l.pod]).sort()).toEqual([['0', 'llm', 'vllm-0'], ['1', undefined, undefined]]);
      expect(series.filter((l) => Object.keys(l).some((k) => k.startsWith('exported_')))).toEqual([]);
      expect(series.filter((l) => l.job === 'node-exporter').map((l) => [l.instance, l.pod, l.namespace])).toEqual([['gpu-node-1', undefined, undefined], ['gpu-node-1', undefined, undefined]]);
    } finally {
      scratch.cleanup();
      await Promise.all(exporters.map((e) => e.stop()));
    }
  }, 90_000);
});

interface Exporter { readonly port: number; stop(): Promise<void> }

/** An exporter on 127.0.0.1 that answers every scrape with `text` (the Prometheus text format). */
async function startExporter(text: string): Promise<Exporter> {
  const server = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// ---- Rules and routing ----------------------------------------------------------------------------------------

const receivers = ['pager', 'chat', 'ml-team', 'ops'] as const;

type StackName = 'standalone' | 'operator' | 'alertmanager-config';

function stackConfig(name: StackName, serviceTarget: string, webhook: WebhookReceiver, alertmanager: string): MonitoringConfig {
  return {
    deploy: name === 'standalone' ? { target: 'standalone' } : {
      target: 'prometheus-operator',
      prometheusOperator: { routing: name === 'alertmanager-config' ? 'alertmanager-config' : 'config-secret', alertmanagerConfigMatcherStrategy: 'None' },
    },
    kubernetes: { namespace: operatorNamespace },
    cluster: 'e2e-cluster',
    environment: 'e2e',
    prometheus: { scrapeInterval: '1s', evaluationInterval: '1s', ruleGroupInterval: '1s', alertmanagers: [alertmanager] },
    infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
    services: { 'model-api': { discovery: { staticTargets: [serviceTarget] }, team: 'ml-platform', thresholds: { maxErrorRatio: 0.2 } } },
    models: {
      'fraud-detector': { service: 'model-api', team: 'fraud-team', thresholds: { minAccuracy: 0.9 } },
      'churn-predictor': { service: 'model-api', thresholds: { minAccuracy: false } },
    },
    defaults: { team: 'data-science' },
    alerts: {
      ModelAccuracyDrop: { for: '2s', window: '5s' },
      DataDriftDetected: { for: '2s', window: '5s' },
      HighErrorRate: { for: '2s', window: '5s' },
      ServiceDown: { enabled: false },
    },
    alerting: webhookAlerting(webhook, receivers, [{ receiver: 'ml-team', match: { alertname: 'ModelAccuracyDrop' } }]),
  };
}

/**
 * Swaps the standalone rule files and alertmanager.yml for what the operator would hand the same tools: one rule
 * file per PrometheusRule holding its spec.groups (the operator's rule ConfigMaps), and the configSecret's
 * alertmanager.yaml or what the operator renders from the AlertmanagerConfig (src/check/operator-rendering.ts). The standalone files are deleted first, so nothing of them can be what passes.
 */
function runOperatorObjects(outDir: string, routing: 'config-secret' | 'alertmanager-config'): void {
  const read = (path: string) => readFileSync(join(outDir, path), 'utf8');
  const rules = objectsOf(read('operator/prometheus-rules.yaml'));
  rmSync(join(outDir, 'prometheus/rules'), { recursive: true });
  mkdirSync(join(outDir, 'prometheus/rules'));
  for (const rule of rules) writeFileSync(join(outDir, 'prometheus/rules', `${operatorNamespace}-${rule.metadata.name}.yaml`), stringifyYaml({ groups: rule.spec.groups }));
  const config = parseYaml(read('prometheus/prometheus.yml'));
  config.rule_files = readdirSync(join(outDir, 'prometheus/rules')).sort().map((f) => `rules/${f}`);
  writeFileSync(join(outDir, 'prometheus/prometheus.yml'), stringifyYaml(config));
  const [object] = objectsOf(read('operator/alertmanager-config.yaml'));
  const alertmanagerYml = routing === 'config-secret'
    ? object.stringData['alertmanager.yaml']
    : stringifyYaml(operatorAlertmanagerConfig(object, operatorNamespace, 'None', operatorNamespace));
  writeFileSync(join(outDir, 'alertmanager/alertmanager.yml'), alertmanagerYml);
}

describe('the PrometheusRules and the configSecret, run by the real Prometheus and Alertmanager, alert as the standalone files do', () => {
  let service: FakeModelService | undefined;
  const names = ['standalone', 'operator', 'alertmanager-config'] as const;
  const webhooks: Partial<Record<StackName, WebhookReceiver>> = {};
  const stacks: Partial<Record<StackName, LiveStack>> = {};

  beforeAll(async () => {
    service = await startFakeModelService();
    for (const model of ['fraud-detector', 'churn-predictor']) service.setModel(model, { accuracy: 0.95, driftScore: 0.05, confidence: 0.95 });
    service.setTraffic({ requestsPerSecond: 20, errorRatio: 0.1 });
    for (const name of names) {
      const webhook = (webhooks[name] = await startWebhookReceiver());
      stacks[name] = await startLiveStack({
        webhook,
        config: (alertmanager) => stackConfig(name, service!.target, webhook, alertmanager),
        ...(name === 'standalone' ? {} : { beforeStart: ({ outDir }: { outDir: string }) => runOperatorObjects(outDir, name === 'operator' ? 'config-secret' : 'alertmanager-config') }),
      });
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([...Object.values(stacks).map((s) => s.stop()), ...Object.values(webhooks).map((w) => w.close()), service?.close()]);
  }, 30_000);

  it('loads exactly the standalone rules from the PrometheusRules, each evaluating without error', async () => {
    const rulesOf = async (stack: LiveStack) => waitFor('every rule to have been evaluated', async () => {
      const all = await stack.prometheusRules();
      return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
    }, { timeoutMs: 20_000, explain: () => stack.describeState() });
    const [standalone, operator] = [await rulesOf(stacks.standalone!), await rulesOf(stacks.operator!)];
    expect(standalone.length).toBeGreaterThan(10);
    expect(operator.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    expect(operator.map((r) => `${r.type} ${r.name}`).sort()).toEqual(standalone.map((r) => `${r.type} ${r.name}`).sort());
  }, 30_000);

  it('sends a model accuracy drop, a drift warning and a service error rate to the same receivers with the same labels', async () => {
    const marks = Object.fromEntries(names.map((name) => [name, webhooks[name]!.deliveries().length])) as Record<StackName, number>;
    service!.setModel('fraud-detector', { accuracy: 0.8 });
    // minAccuracy: false, so no accuracy alert; its drift is a warning no critical alert of its own inhibits.
    service!.setModel('churn-predictor', { accuracy: 0.1, driftScore: 0.9 });
    service!.setTraffic({ requestsPerSecond: 20, errorRatio: 0.5 });
    // Critical alerts page (and ModelAccuracyDrop also goes to the ML team), warnings go to chat.
    const expected = ['chat DataDriftDetected churn-predictor', 'ml-team ModelAccuracyDrop fraud-detector', 'pager HighErrorRate model-api', 'pager ModelAccuracyDrop fraud-detector'];
    const seen = async (name: StackName) => waitFor(`${name}: ${expected.join(', ')}`, () => {
      const got = [...new Set(webhooks[name]!.deliveries().slice(marks[name]).filter((d) => d.status === 'firing')
        .map((d) => `${d.receiver} ${d.labels.alertname} ${d.labels.model ?? d.labels.service} ${JSON.stringify(Object.entries(d.labels).sort())}`))].sort();
      return expected.every((e) => got.some((g) => g.startsWith(`${e} `))) ? got : undefined;
    }, { timeoutMs: 30_000, explain: () => stacks[name]!.describeState() });
    const [standalone, operator, alertmanagerConfig] = [await seen('standalone'), await seen('operator'), await seen('alertmanager-config')];
    expect(operator).toEqual(standalone);
    // Through the AlertmanagerConfig: the same webhooks with the same alerts, called by the receivers as the
    // operator renames them.
    expect(alertmanagerConfig).toEqual(standalone);
    const renamed = new Set(webhooks['alertmanager-config']!.deliveries().slice(marks['alertmanager-config']).map((d) => `${d.receiver} → ${d.payloadReceiver}`));
    expect([...renamed].sort()).toEqual(['chat', 'ml-team', 'pager'].map((r) => `${r} → ${operatorNamespace}/mlmon/${r}`));
    expect(operator.some((d) => d.includes('ModelAccuracyDrop churn-predictor'))).toBe(false);
    for (const [name, hook] of Object.entries(webhooks)) expect(hook!.rejected(), name).toEqual([]);
  }, 60_000);
});
