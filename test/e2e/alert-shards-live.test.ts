/**
 * The per-shard alerts, live (src/normalize/alert-shards.ts): a real Prometheus scrapes a model service
 * with the generated prometheus.yml and evaluates the generated rules, with four model shards and four service
 * shards. It shows what the proofs (promtool, which applies no relabelling) take on trust:
 * - the `model_shard` Prometheus' own hashmod writes on every model series is the one mlmon computes for the
 *   proofs' input series (prometheusHashmod), and `service_shard` is on the service's series but not on `up`;
 * - a listed and an unlisted model below their accuracy threshold are recorded as breaches by their own shard's
 *   group (no other model is), and no rule fails to evaluate;
 * - the alerts read the recorded breaches: both models fire (no other model does), as does the service's error
 *   ratio, and neither alert carries a shard label.
 * Everything listens on 127.0.0.1 only, and everything started is stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { prometheusHashmod } from '../../src/formats/prometheus-hashmod.js';
import { upstreamToolsDir } from '../support/tools.js';
import { startFakeModelService, type FakeModelService } from './support/fake-model-service.js';
import { formatLabels, startLiveStack, type LiveStack } from './support/live-stack.js';
import { stopAllProcesses } from './support/processes.js';
import { waitFor } from './support/waiting.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const shards = 4;
const service = 'model-api';
const listed = Array.from({ length: 16 }, (_, i) => `model-${String(i).padStart(2, '0')}`);
const unlisted = 'unlisted-model';
const window = '5s';
const timeoutMs = 30_000;

function monitoringConfig(target: string, webhook: WebhookReceiver, alertmanager: string): MonitoringConfig {
  return {
    prometheus: { scrapeInterval: '1s', evaluationInterval: '1s', ruleGroupInterval: '1s', alertmanagers: [alertmanager], modelShards: shards, serviceShards: shards },
    infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
    services: { [service]: { discovery: { staticTargets: [target] }, thresholds: { maxErrorRatio: 0.2 } } },
    models: Object.fromEntries(listed.map((m) => [m, { service, thresholds: { minAccuracy: 0.9 } }])),
    alerts: {
      ModelAccuracyDrop: { for: '2s', window },
      HighErrorRate: { for: '2s', window },
      // The generated `prometheus` job scrapes localhost:9090, where no Prometheus listens here.
      ServiceDown: { enabled: false },
    },
    alerting: { defaultReceiver: 'ops', receivers: { ops: { webhook: [{ url: webhook.url('ops') }] } } },
  };
}

describe('alert shards in a real Prometheus: hashmod labels, recorded breaches, alerts', () => {
  let stack: LiveStack | undefined;
  let fake: FakeModelService | undefined;
  let webhook: WebhookReceiver | undefined;
  const live = () => ({ stack: stack!, fake: fake!, explain: () => stack!.describeState() });

  beforeAll(async () => {
    upstreamToolsDir();
    try {
      webhook = await startWebhookReceiver();
      fake = await startFakeModelService();
      for (const model of [...listed, unlisted]) fake.setModel(model, { accuracy: 0.95, driftScore: 0.05, confidence: 0.95 });
      fake.setTraffic({ requestsPerSecond: 20, errorRatio: 0 });
      stack = await startLiveStack({ webhook, config: (alertmanager) => monitoringConfig(fake!.target, webhook!, alertmanager) });
    } catch (error) {
      await stopEverything();
      throw error;
    }
  }, 15 * 60_000);

  afterAll(stopEverything, 30_000);

  async function stopEverything(): Promise<void> {
    await Promise.allSettled([stack?.stop(), stopAllProcesses(), webhook?.close(), fake?.close()]);
  }

  it('labels every model series with the shard mlmon computes, and the service\'s series but not `up` with the service\'s', async () => {
    const { stack, explain } = live();
    const seen = await waitFor('every model\'s accuracy to be scraped', async () => {
      const rows = await stack.query('group by (model, model_shard, service_shard) (model_accuracy)');
      return rows.length === listed.length + 1 ? rows : undefined;
    }, { timeoutMs, explain });
    const expected = [...listed, unlisted].map((model) => ({ model, model_shard: String(prometheusHashmod(model, shards)), service_shard: String(prometheusHashmod(service, shards)) }));
    expect(seen.map((r) => r.labels).sort((a, b) => (a.model! < b.model! ? -1 : 1))).toEqual(expected);
    // The sample is spread: more than one shard is in use, so the groups really split the fleet.
    expect(new Set(expected.map((e) => e.model_shard)).size).toBeGreaterThan(1);
    const up = await stack.query(`up{job="${service}"}`);
    expect(up).toHaveLength(1);
    expect(Object.keys(up[0]!.labels).filter((l) => l.endsWith('_shard'))).toEqual([]);
    // A series without a `model` label gets the hash of "", as mlmon's proofs assume.
    const modelless = await stack.query(`group by (model, model_shard) (http_requests_total{job="${service}"})`);
    expect(modelless.map((r) => r.labels)).toEqual([{ model_shard: String(prometheusHashmod('', shards)) }]);
  }, 60_000);

  it('evaluates every rule without error, each per-shard alert once per shard', async () => {
    const { stack, explain } = live();
    const rules = await waitFor('every rule to have been evaluated', async () => {
      const all = await stack.prometheusRules();
      return all.every((r) => r.health !== 'unknown') ? all : undefined;
    }, { timeoutMs, explain });
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    expect(rules.filter((r) => r.name === 'mlmon:model_accuracy_drop:breach')).toHaveLength(shards);
    expect(rules.filter((r) => r.name === 'mlmon:high_error_rate:breach')).toHaveLength(shards);
    // Nothing is past its threshold yet: no shard records a breach.
    expect(await stack.query('mlmon:model_accuracy_drop:breach')).toEqual([]);
  }, 60_000);

  it('fires ModelAccuracyDrop for exactly the listed and unlisted model below their thresholds, and HighErrorRate for the service, without shard labels', async () => {
    const { stack, fake, explain } = live();
    const failing = [listed[5]!, unlisted];
    for (const model of failing) fake.setModel(model, { accuracy: 0.5 });
    fake.setTraffic({ requestsPerSecond: 20, errorRatio: 0.5 });
    const firing = await waitFor('ModelAccuracyDrop for both models and HighErrorRate to fire', async () => {
      const alerts = (await stack.prometheusAlerts()).filter((a) => a.state === 'firing');
      const accuracy = alerts.filter((a) => a.labels.alertname === 'ModelAccuracyDrop');
      const errors = alerts.filter((a) => a.labels.alertname === 'HighErrorRate');
      return accuracy.length >= failing.length && errors.length >= 1 ? { accuracy, errors } : undefined;
    }, { timeoutMs: 60_000, explain });
    expect(firing.accuracy.map((a) => a.labels.model).sort()).toEqual([...failing].sort());
    // Each breach was recorded by its model's shard, and only there.
    const breaches = await stack.query('mlmon:model_accuracy_drop:breach');
    expect(breaches.map((b) => [b.labels.model, b.labels.model_shard]).sort()).toEqual(failing.map((m) => [m, String(prometheusHashmod(m, shards))]).sort());
    expect(firing.errors.map((a) => a.labels.service)).toEqual([service]);
    for (const alert of [...firing.accuracy, ...firing.errors]) {
      expect(Object.keys(alert.labels).filter((l) => l.endsWith('_shard')), formatLabels(alert.labels)).toEqual([]);
    }
  }, 90_000);
});
