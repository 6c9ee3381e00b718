/**
 * Scale-out, run for real on 127.0.0.1: two Prometheus shards (the pinned upstream build) run the shard configs
 * mlmon generates, each scraping its share of the fake model services and remote-writing to one single-node
 * VictoriaMetrics; vmalert (VictoriaMetrics' ruler) evaluates mlmon's central rules (out/ruler/vmalert/) against
 * it and notifies a real Alertmanager running the generated alertmanager.yml, which calls webhook receivers.
 * The threshold alert of a model that only one shard scrapes must reach the receiver its route names, with the
 * labels it would carry from a single Prometheus.
 *
 * The only things passed on command lines are where to listen and store, the external labels Prometheus would
 * have added (docs/deploy.md gives vmalert the same flags) and the short delays a test can afford.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { generateInMemory } from '../../src/pipeline.js';
import { scratchDir } from '../support/fixtures.js';
import { tool, upstreamToolsDir } from '../support/tools.js';
import { startFakeModelService, type FakeModelService } from './support/fake-model-service.js';
import { freeLoopbackPort } from './support/free-port.js';
import { formatLabels, type Labels } from './support/live-stack.js';
import { startProcess, stopAllProcesses, type RunningProcess } from './support/processes.js';
import { waitFor } from './support/waiting.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const cluster = 'sharded-cluster';
const environment = 'sharded-e2e';
const shardCount = 2;
/** Remote write batches (1s here), VictoriaMetrics' flush, vmalert's 1s evaluations, `for: 2s`, Alertmanager's 1s group_wait. */
const deliveryTimeoutMs = 60_000;

function monitoringConfig(ports: { vm: number; alertmanager: number }, targets: { modelApi: string; batchApi: string }, webhook: WebhookReceiver): MonitoringConfig {
  return {
    cluster,
    environment,
    prometheus: {
      scrapeInterval: '1s', evaluationInterval: '1s', ruleGroupInterval: '1s', alertmanagers: [`127.0.0.1:${ports.alertmanager}`],
      shards: shardCount,
      // The fake services export no `pod`; dropping it still proves the write relabelling loads and passes the rest.
      remoteWrite: [{ url: `http://127.0.0.1:${ports.vm}/api/v1/write`, name: 'victoriametrics', dropLabels: ['pod'], queue: { batchSendDeadline: '1s' } }],
      centralRuler: { kind: 'vmalert' },
    },
    infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
    services: {
      'model-api': { discovery: { staticTargets: [targets.modelApi] }, team: 'ml-platform' },
      'batch-api': { discovery: { staticTargets: [targets.batchApi] }, team: 'ml-platform' },
    },
    models: {
      'fraud-detector': { service: 'model-api', team: 'fraud-team', thresholds: { minAccuracy: 0.9 } },
      'churn-predictor': { service: 'batch-api', team: 'churn-team' },
    },
    alerts: {
      ModelAccuracyDrop: { for: '2s', window: '5s' },
      // The `prometheus` self-scrape job targets localhost:<prometheus.port>, where the shards don't listen here.
      ServiceDown: { enabled: false },
    },
    alerting: {
      defaultReceiver: 'ops',
      grouping: { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' },
      receivers: Object.fromEntries(['ml-team', 'ops'].map((name) => [name, { webhook: [{ url: webhook.url(name) }] }])),
      routes: [{ receiver: 'ml-team', match: { alertname: 'ModelAccuracyDrop' } }],
    },
  };
}

interface Running {
  readonly out: string;
  readonly shardUrls: readonly string[];
  readonly vmUrl: string;
  readonly vmalertUrl: string;
  readonly alertmanagerUrl: string;
  readonly processes: readonly RunningProcess[];
}

const getJson = async <T>(url: string): Promise<T> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

describe('two Prometheus shards, VictoriaMetrics and vmalert, run on mlmon\'s sharded output', () => {
  const scratch = scratchDir('mlmon-sharded-');
  let webhook: WebhookReceiver | undefined;
  const services: FakeModelService[] = [];
  let running: Running | undefined;

  beforeAll(() => void upstreamToolsDir(), 20 * 60_000);

  beforeAll(async () => {
    try {
      webhook = await startWebhookReceiver();
      const [modelApi, batchApi] = [await startFakeModelService(), await startFakeModelService()];
      services.push(modelApi, batchApi);
      modelApi.setModel('fraud-detector', { accuracy: 0.95, driftScore: 0.05, confidence: 0.95 });
      batchApi.setModel('churn-predictor', { accuracy: 0.95, driftScore: 0.05, confidence: 0.95 });
      for (const s of services) s.setTraffic({ requestsPerSecond: 20, errorRatio: 0 });
      running = await startStack(modelApi.target, batchApi.target, webhook);
    } catch (error) {
      await stopEverything();
      throw error;
    }
  }, 90_000);

  afterAll(stopEverything, 30_000);

  async function stopEverything(): Promise<void> {
    await Promise.allSettled([stopAllProcesses(), webhook?.close(), ...services.map((s) => s.close())]);
    scratch.cleanup();
  }

  async function startStack(modelApi: string, batchApi: string, hooks: WebhookReceiver): Promise<Running> {
    const [vm, alertmanager, vmalertPort, ...shardPorts] = await Promise.all([freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort(), ...Array.from({ length: shardCount }, freeLoopbackPort)]);
    writeFileSync(join(scratch.dir, 'monitoring.config.json'), JSON.stringify(monitoringConfig({ vm: vm!, alertmanager: alertmanager! }, { modelApi, batchApi }, hooks)));
    const generated = await generateInMemory({ cwd: scratch.dir });
    const out = join(scratch.dir, 'out');
    for (const file of generated.files) {
      mkdirSync(dirname(join(out, file.path)), { recursive: true });
      writeFileSync(join(out, file.path), file.content);
    }
    const vmTools = join(upstreamToolsDir(), 'victoriametrics');
    const vmUrl = `http://127.0.0.1:${vm}`;
    const processes = [
      startProcess('victoria-metrics', join(vmTools, 'victoria-metrics'), [
        `-storageDataPath=${join(scratch.dir, 'vm-data')}`, `-httpListenAddr=127.0.0.1:${vm}`, '-retentionPeriod=1d',
        // Samples are queryable at once (its default hides the last 30s), and no cached answer hides new ones.
        '-search.latencyOffset=0s', '-search.disableCache', '-inmemoryDataFlushInterval=1s',
      ], { cwd: scratch.dir }),
      startProcess('alertmanager', tool('alertmanager'), [
        `--config.file=${join(out, 'alertmanager/alertmanager.yml')}`, `--storage.path=${join(scratch.dir, 'alertmanager-data')}`,
        `--web.listen-address=127.0.0.1:${alertmanager}`, '--cluster.listen-address=',
      ], { cwd: scratch.dir }),
      ...shardPorts.map((port, i) => startProcess(`prometheus-shard-${i}`, tool('prometheus'), [
        `--config.file=${join(out, `prometheus/shards/shard-${i}/prometheus.yml`)}`, `--storage.tsdb.path=${join(scratch.dir, `shard-${i}-data`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ], { cwd: scratch.dir })),
      startProcess('vmalert', join(vmTools, 'vmalert'), [
        `-rule=${join(out, 'ruler/vmalert/*.yml')}`,
        `-datasource.url=${vmUrl}`, `-remoteWrite.url=${vmUrl}`, `-notifier.url=http://127.0.0.1:${alertmanager}`,
        // What Prometheus adds to its alerts (its external labels), and not what it doesn't (the group's name).
        `-external.label=cluster=${cluster}`, `-external.label=environment=${environment}`, '-disableAlertgroupLabel',
        `-httpListenAddr=127.0.0.1:${vmalertPort}`,
        '-rule.evalDelay=0s', '-remoteWrite.flushInterval=1s', '-rule.resendDelay=1s',
      ], { cwd: scratch.dir }),
    ];
    const result: Running = {
      out, vmUrl, processes,
      shardUrls: shardPorts.map((p) => `http://127.0.0.1:${p}`),
      vmalertUrl: `http://127.0.0.1:${vmalertPort}`,
      alertmanagerUrl: `http://127.0.0.1:${alertmanager}`,
    };
    const explain = () => describeState(result);
    for (const [server, readyUrl] of [
      [processes[0]!, `${vmUrl}/health`], [processes[1]!, `${result.alertmanagerUrl}/-/ready`],
      ...result.shardUrls.map((u, i) => [processes[2 + i]!, `${u}/-/ready`] as const), [processes.at(-1)!, `${result.vmalertUrl}/health`],
    ] as const) {
      const outcome = await waitFor(`${server.name} to be ready at ${readyUrl}`, async () => {
        if (server.exit()) return 'exited';
        return (await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.ok ? 'ready' : undefined;
      }, { timeoutMs: 30_000, intervalMs: 200, explain });
      if (outcome === 'exited') throw new Error(`${server.name} exited before it was ready\n\n${await explain()}`);
    }
    return result;
  }

  async function describeState(r: Running): Promise<string> {
    const lines = await Promise.all(r.shardUrls.map(async (url, i) => {
      try {
        const targets = (await getJson<{ data: { activeTargets: { labels: Labels; health: string }[] } }>(`${url}/api/v1/targets`)).data.activeTargets;
        return `shard ${i}: ${targets.map((t) => `${t.labels.job}/${t.labels.instance} ${t.health}`).join(', ')}`;
      } catch (error) {
        return `shard ${i}: unavailable (${(error as Error).message})`;
      }
    }));
    const deliveries = (webhook?.deliveries() ?? []).slice(-10).map((d) => `/${d.receiver} ${d.status} ${formatLabels(d.labels)}`);
    return [...lines, `webhook deliveries: ${deliveries.join('; ') || '(none)'}`, ...r.processes.map((p) => `${p.name}${p.exit() ? ` exited ${JSON.stringify(p.exit())}` : ''}:\n${p.outputTail(8)}`)].join('\n\n');
  }

  const live = () => {
    if (!running || !webhook) throw new Error('the sharded stack did not start');
    return { running, webhook, explain: () => describeState(running!) };
  };

  /** An instant query against VictoriaMetrics: each result's labels. */
  const vmQuery = async (expr: string): Promise<Labels[]> =>
    (await getJson<{ data: { result: { metric: Labels }[] } }>(`${live().running.vmUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).data.result.map((r) => r.metric);

  it('scrapes each model service on exactly one shard, and both shards write to the central store', async () => {
    const { running, explain } = live();
    const jobsByShard = async (): Promise<string[][]> => Promise.all(running.shardUrls.map(async (url) =>
      (await getJson<{ data: { activeTargets: { labels: Labels }[] } }>(`${url}/api/v1/targets`)).data.activeTargets.map((t) => t.labels.job!)));
    // Discovery takes a moment, and each scrape pool appears in /api/v1/targets on its own: wait until both
    // services' targets are placed somewhere and every shard lists its self-scrape.
    const placed = await waitFor('both model services to be scraped, and every shard to scrape itself', async () => {
      const jobs = await jobsByShard();
      return ['model-api', 'batch-api'].every((job) => jobs.flat().includes(job)) && jobs.every((own) => own.includes('prometheus')) ? jobs : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    for (const job of ['model-api', 'batch-api']) expect(placed.filter((jobs) => jobs.includes(job)), `shards scraping ${job}`).toHaveLength(1);
    // And every shard scrapes itself.
    expect(placed.map((jobs) => jobs.filter((j) => j === 'prometheus').length)).toEqual([1, 1]);
    // Each shard's self-scrape carries its index: the two `up` series of job prometheus reach VictoriaMetrics apart.
    const shards = await waitFor('both shards\' self-scrape series in VictoriaMetrics', async () => {
      const found = [...new Set((await vmQuery('up{job="prometheus"}')).map((l) => l.shard))].sort();
      return found.length === shardCount ? found : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    expect(shards).toEqual(['0', '1']);
    // Samples keep the external labels the shards add, and the model label the rules join on.
    const accuracy = await waitFor('model_accuracy of both models in VictoriaMetrics', async () => {
      const found = await vmQuery('model_accuracy');
      return found.length === 2 ? found : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    expect(accuracy.map((l) => [l.model, l.cluster, l.environment]).sort()).toEqual([['churn-predictor', cluster, environment], ['fraud-detector', cluster, environment]]);
  });

  it('vmalert loads every central rule file and evaluates each rule without error', async () => {
    const { running, explain } = live();
    type VmalertRule = { name: string; type: string; health?: string; lastError?: string; lastEvaluation?: string };
    const rules = await waitFor('every vmalert rule to have been evaluated', async () => {
      const groups = (await getJson<{ data: { groups: { file: string; rules: VmalertRule[] }[] } }>(`${running.vmalertUrl}/api/v1/rules`)).data.groups;
      const all = groups.flatMap((g) => g.rules.map((r) => ({ ...r, file: g.file })));
      return all.length > 0 && all.every((r) => r.lastEvaluation && !r.lastEvaluation.startsWith('0001')) ? all : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    expect(rules.filter((r) => r.lastError).map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    expect(new Set(rules.map((r) => r.file.split('/').pop()))).toEqual(new Set(['thresholds.yml', 'alerts.yml']));
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(['ModelAccuracyDrop', 'mlmon:model_min_accuracy:threshold']));
  });

  it('a model under its threshold, scraped by one shard, reaches the receiver its route names with the labels a single Prometheus would give it', async () => {
    const { webhook, explain } = live();
    const mark = webhook.deliveries().length;
    services[0]!.setModel('fraud-detector', { accuracy: 0.8 }); // its own threshold is 0.9
    const delivered = await waitFor('ml-team to receive ModelAccuracyDrop for fraud-detector', () =>
      webhook.deliveries().slice(mark).find((d) => d.receiver === 'ml-team' && d.status === 'firing' && d.labels.alertname === 'ModelAccuracyDrop' && d.labels.model === 'fraud-detector'),
    { timeoutMs: deliveryTimeoutMs, explain });
    expect(delivered.payloadReceiver).toBe('ml-team');
    expect(delivered.labels).toEqual({ alertname: 'ModelAccuracyDrop', severity: 'critical', model: 'fraud-detector', team: 'fraud-team', cluster, environment });
    // The healthy model on the other service never fired, and nothing went to the default receiver for it.
    expect(webhook.deliveries().filter((d) => d.labels.model === 'churn-predictor')).toEqual([]);
    expect(webhook.deliveries().slice(mark).filter((d) => d.labels.alertname === 'ModelAccuracyDrop' && d.receiver !== 'ml-team')).toEqual([]);
    expect(webhook.rejected()).toEqual([]);

    services[0]!.setModel('fraud-detector', { accuracy: 0.95 });
    await waitFor('ml-team to receive the resolution', () =>
      webhook.deliveries().slice(mark).find((d) => d.receiver === 'ml-team' && d.status === 'resolved' && d.labels.model === 'fraud-detector'),
    { timeoutMs: deliveryTimeoutMs, explain });
  }, 2 * deliveryTimeoutMs + 10_000);
});
