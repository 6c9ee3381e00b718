/**
 * Inhibition that mutes only alerts about the same thing, judged by the real Alertmanager running the default
 * inhibit rules mlmon generates, fed by the real Prometheus running the generated alert rules.
 *
 * model-api has two replicas: one healthy (a fake model service whose metrics the test controls) and one that
 * is down (a loopback port nothing listens on), so ServiceDown (critical) fires for that one replica from the
 * start, with model-api's team. While it does, the healthy replica's HighLatency (about the service) and
 * DataDriftDetected (about a model) must still be delivered. A critical about the service itself mutes the
 * service's warnings, and not its models'. Everything listens on 127.0.0.1 only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { upstreamToolsDir } from '../support/tools.js';
import { startFakeModelService, type FakeModelService } from './support/fake-model-service.js';
import { freeLoopbackPort } from './support/free-port.js';
import { formatLabels, startLiveStack, type Labels, type LiveStack } from './support/live-stack.js';
import { stopAllProcesses } from './support/processes.js';
import { holdsFor, waitFor } from './support/waiting.js';
import { startWebhookReceiver, type Delivery, type WebhookReceiver, webhookAlerting } from './support/webhook-receiver.js';

const deliveryTimeoutMs = 20_000;
const quietPeriodMs = 4_000;
const receivers = ['pager', 'chat', 'ops'] as const;
const healthyModel = { accuracy: 0.95, driftScore: 0.05, confidence: 0.95 };
const healthyTraffic = { requestsPerSecond: 20, errorRatio: 0 };

function monitoringConfig(replicas: readonly string[], webhook: WebhookReceiver, alertmanager: string): MonitoringConfig {
  const fast = { for: '2s', window: '5s' };
  return {
    cluster: 'e2e-cluster',
    prometheus: { scrapeInterval: '1s', evaluationInterval: '1s', ruleGroupInterval: '1s', alertmanagers: [alertmanager] },
    infrastructure: { team: 'platform', nodeExporterTargets: [], kubernetesNodes: false },
    services: { 'model-api': { team: 'ml-platform', discovery: { staticTargets: [...replicas] }, thresholds: { maxLatencyP95Seconds: 0.5, maxErrorRatio: 0.2 } } },
    models: { 'fraud-detector': { service: 'model-api', team: 'fraud-team' }, recommender: { service: 'model-api', team: 'reco-team' } },
    alerts: { ServiceDown: { for: '2s' }, HighLatency: fast, HighErrorRate: fast, DataDriftDetected: fast, ModelAccuracyDrop: fast },
    alerting: webhookAlerting(webhook, receivers),
  };
}

describe('the default inhibit rules, run by the real Alertmanager', () => {
  let service: FakeModelService | undefined;
  let webhook: WebhookReceiver | undefined;
  let stack: LiveStack | undefined;
  let deadReplica = '';

  beforeAll(() => void upstreamToolsDir(), 15 * 60_000);

  beforeAll(async () => {
    try {
      service = await startFakeModelService();
      webhook = await startWebhookReceiver();
      for (const model of ['fraud-detector', 'recommender']) service.setModel(model, healthyModel);
      service.setTraffic(healthyTraffic);
      deadReplica = `127.0.0.1:${await freeLoopbackPort()}`;
      const [replicas, hooks] = [[service.target, deadReplica], webhook];
      stack = await startLiveStack({ webhook: hooks, config: (alertmanager) => monitoringConfig(replicas, hooks, alertmanager) });
    } catch (error) {
      await stopEverything();
      throw error;
    }
  }, 60_000);

  afterAll(stopEverything, 30_000);

  async function stopEverything(): Promise<void> {
    await Promise.allSettled([stack?.stop(), stopAllProcesses(), webhook?.close(), service?.close()]);
  }

  const live = () => {
    if (!stack || !webhook || !service) throw new Error('the live stack did not start');
    return { stack, webhook, service, explain: () => stack!.describeState() };
  };

  const isAlert = (alertname: string, labels: Labels = {}) => (l: Labels) => l.alertname === alertname && Object.entries(labels).every(([k, v]) => l[k] === v);

  async function waitForDelivery(mark: number, receiver: string, status: Delivery['status'], alertname: string, labels: Labels = {}): Promise<Labels> {
    const found = await waitFor(`${receiver} to receive ${alertname} ${formatLabels(labels)} ${status}`,
      () => live().webhook.deliveries().slice(mark).find((d) => d.receiver === receiver && d.status === status && isAlert(alertname, labels)(d.labels)),
      { timeoutMs: deliveryTimeoutMs, explain: live().explain });
    return found.labels;
  }

  /** Whatever the scenario changed, back to healthy, and every warning of it resolved. */
  beforeEach(async () => {
    const { stack, service, explain } = live();
    for (const model of ['fraud-detector', 'recommender']) service.setModel(model, healthyModel);
    service.setTraffic(healthyTraffic);
    service.setLatency(0.05);
    await waitFor('the warnings and HighErrorRate of earlier scenarios to have resolved', async () => {
      const alerts = await stack.alertmanagerAlerts();
      return alerts.some((a) => a.labels.alertname !== 'ServiceDown') ? undefined : true;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    // And notified resolved: Alertmanager sends that a group interval after the alert left it, and a late one
    // would land in the next scenario's deliveries (a fresh-clone CI run saw HighLatency's arrive there).
    const { webhook } = live();
    await waitFor('the notified alerts of earlier scenarios to be notified resolved', async () => {
      const last = new Map<string, string>();
      for (const d of webhook.deliveries()) if (d.labels.alertname !== 'ServiceDown') last.set(`${d.receiver} ${formatLabels(d.labels)}`, d.status);
      return [...last.values()].every((status) => status === 'resolved') ? true : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
  }, 60_000);

  it('pages ServiceDown for the one replica that is down, with the team of the service it belongs to', async () => {
    const labels = await waitForDelivery(0, 'pager', 'firing', 'ServiceDown', { instance: deadReplica });
    expect(labels).toEqual({ alertname: 'ServiceDown', severity: 'critical', cluster: 'e2e-cluster', environment: 'production', job: 'model-api', service: 'model-api', instance: deadReplica, team: 'ml-platform' });
  });

  it("delivers the healthy replica's HighLatency and a model's DataDriftDetected while ServiceDown fires for the other replica", async () => {
    const { stack, webhook, service, explain } = live();
    await waitForDelivery(0, 'pager', 'firing', 'ServiceDown', { instance: deadReplica });
    const mark = webhook.deliveries().length;
    service.setLatency(2);
    service.setModel('fraud-detector', { driftScore: 0.9 });

    expect(await waitForDelivery(mark, 'chat', 'firing', 'HighLatency')).toEqual({ alertname: 'HighLatency', severity: 'warning', cluster: 'e2e-cluster', environment: 'production', service: 'model-api', team: 'ml-platform' });
    expect(await waitForDelivery(mark, 'chat', 'firing', 'DataDriftDetected', { model: 'fraud-detector' })).toEqual({ alertname: 'DataDriftDetected', severity: 'warning', cluster: 'e2e-cluster', environment: 'production', model: 'fraud-detector', team: 'fraud-team' });
    const held = await stack.alertmanagerAlerts();
    for (const name of ['HighLatency', 'DataDriftDetected']) {
      const alert = held.find((a) => a.labels.alertname === name);
      expect(alert?.status, `${name} in Alertmanager\n${await explain()}`).toMatchObject({ state: 'active', inhibitedBy: [] });
    }
    expect(held.some((a) => isAlert('ServiceDown', { instance: deadReplica })(a.labels) && a.status.state === 'active')).toBe(true);
  }, 60_000);

  it("mutes the service's own warning while a critical about the service fires, but not a warning about one of its models", async () => {
    const { stack, webhook, service, explain } = live();
    const mark = webhook.deliveries().length;
    // The critical first, delivered, so that the warnings cannot win a race to the webhook.
    service.setTraffic({ requestsPerSecond: 20, errorRatio: 0.5 });
    await waitForDelivery(mark, 'pager', 'firing', 'HighErrorRate', { service: 'model-api' });
    service.setLatency(2);
    service.setModel('recommender', { driftScore: 0.9 });

    // The model's warning is about the model, not the service: delivered.
    await waitForDelivery(mark, 'chat', 'firing', 'DataDriftDetected', { model: 'recommender' });
    // The service's warning: held, inhibited by HighErrorRate about the same service.
    const inhibited = await waitFor('Alertmanager to hold HighLatency for model-api, inhibited', async () => {
      const alerts = await stack.alertmanagerAlerts();
      const critical = alerts.find((a) => isAlert('HighErrorRate', { service: 'model-api' })(a.labels));
      const warning = alerts.find((a) => isAlert('HighLatency', { service: 'model-api' })(a.labels));
      return critical && warning?.status.state === 'suppressed' ? { critical, warning } : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    expect(inhibited.warning.status.inhibitedBy).toEqual([inhibited.critical.fingerprint]);
    await holdsFor('chat not to be told about the muted HighLatency', () => {
      const leaked = webhook.deliveries().slice(mark).find((d) => d.labels.alertname === 'HighLatency');
      return leaked && `/${leaked.receiver} received it ${leaked.status}`;
    }, { durationMs: quietPeriodMs, explain });

    // Once the critical resolves, the warning it muted is delivered.
    service.setTraffic(healthyTraffic);
    await waitForDelivery(mark, 'pager', 'resolved', 'HighErrorRate', { service: 'model-api' });
    await waitForDelivery(mark, 'chat', 'firing', 'HighLatency', { service: 'model-api' });
  }, 90_000);
});
