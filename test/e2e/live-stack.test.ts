/**
 * The generated monitoring works: a real Prometheus and a real Alertmanager (the pinned upstream builds) run
 * exactly the files mlmon generates from a config, scrape a fake model service whose metrics the test
 * controls, and notify webhook receivers. Each scenario drives a metric across a threshold and checks which
 * receiver got which alert with which labels. Everything listens on 127.0.0.1 only.
 *
 * Timing: the config sets every interval to 1s and the tested alerts' `for` to 2s, so a breach reaches a
 * webhook within about five seconds. "Never" is checked as "not within a bounded wait longer than that path".
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { upstreamToolsDir } from '../support/tools.js';
import { startFakeModelService, type FakeModelService } from './support/fake-model-service.js';
import { formatLabels, startLiveStack, type Labels, type LiveStack } from './support/live-stack.js';
import { stopAllProcesses } from './support/processes.js';
import { holdsFor, waitFor } from './support/waiting.js';
import { startWebhookReceiver, type Delivery, type WebhookReceiver, webhookAlerting } from './support/webhook-receiver.js';

const cluster = 'e2e-cluster';
const environment = 'e2e';
const receivers = ['pager', 'chat', 'ml-team', 'ops'] as const;
type ReceiverName = (typeof receivers)[number];

/** Long enough for a breach to travel scrape → rule evaluation → `for` → Alertmanager → webhook, with room on a busy 2-core machine. */
const deliveryTimeoutMs = 20_000;
/**
 * For checks that something does NOT happen: four rule evaluations (a breach would show as pending after
 * one) and four Alertmanager flushes (group_wait and group_interval are 1s).
 */
const quietPeriodMs = 4_000;
/**
 * The service fails 10% of its requests throughout: above the default 5% threshold, below model-api's own
 * 20%. Starting with the stack means the rate window is already full of it when the error scenario begins.
 */
const baselineTraffic = { requestsPerSecond: 20, errorRatio: 0.1 };
/** The window of the tested rates: five scrapes, so that a breach that ends resolves within seconds. */
const rateWindow = '5s';

function monitoringConfig(serviceTarget: string, webhook: WebhookReceiver, alertmanager: string): MonitoringConfig {
  return {
    cluster,
    environment,
    prometheus: { scrapeInterval: '1s', evaluationInterval: '1s', ruleGroupInterval: '1s', alertmanagers: [alertmanager] },
    infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
    services: {
      'model-api': { discovery: { staticTargets: [serviceTarget] }, team: 'ml-platform', thresholds: { maxErrorRatio: 0.2 } },
    },
    models: {
      'fraud-detector': { service: 'model-api', team: 'fraud-team', thresholds: { minAccuracy: 0.9 } },
      'churn-predictor': { service: 'model-api', thresholds: { minAccuracy: false } },
      recommender: { service: 'model-api', team: 'reco-team' },
    },
    // Unlisted models get these thresholds (the seed's 0.85 accuracy) and this team.
    defaults: { team: 'data-science' },
    alerts: {
      // The gauges are averaged over the window: five scrapes, so that a change shows within seconds.
      ModelAccuracyDrop: { for: '2s', window: rateWindow },
      DataDriftDetected: { for: '2s', window: rateWindow },
      HighErrorRate: { for: '2s', window: rateWindow },
      // No route matches `info`: it goes to the default receiver.
      LowPredictionConfidence: { for: '2s', window: rateWindow, severity: 'info' },
      // The generated `prometheus` job scrapes localhost:9090, where Prometheus listens in the cluster; here it
      // listens on a free port, so that target is down and ServiceDown would fire for it after 2m.
      ServiceDown: { enabled: false },
    },
    alerting: webhookAlerting(webhook, receivers, [{ receiver: 'ml-team', match: { alertname: 'ModelAccuracyDrop' } }]),
  };
}

describe('the generated Prometheus and Alertmanager configs, run by the real tools', () => {
  let service: FakeModelService | undefined;
  let webhook: WebhookReceiver | undefined;
  let stack: LiveStack | undefined;

  // With a cold cache this builds the pinned Prometheus and Alertmanager (minutes, once per machine); it
  // gets its own time limit so that it doesn't eat the stack's start-up time.
  beforeAll(() => void upstreamToolsDir(), 15 * 60_000);

  beforeAll(async () => {
    try {
      service = await startFakeModelService();
      webhook = await startWebhookReceiver();
      restoreHealthyState(service);
      const [target, hooks] = [service.target, webhook];
      stack = await startLiveStack({ webhook: hooks, config: (alertmanager) => monitoringConfig(target, hooks, alertmanager) });
    } catch (error) {
      await stopEverything();
      throw error;
    }
  }, 60_000);

  afterAll(stopEverything, 30_000);

  async function stopEverything(): Promise<void> {
    // stopAllProcesses also reaches a stack whose start-up was cut short by the hook's time limit.
    await Promise.allSettled([stack?.stop(), stopAllProcesses(), webhook?.close(), service?.close()]);
  }

  const healthyModel = { accuracy: 0.95, driftScore: 0.05, confidence: 0.95 };
  const modelsTheScenariosUse = ['fraud-detector', 'churn-predictor', 'recommender', 'unlisted-model', 'unlisted-steady-model'];
  function restoreHealthyState(fake: FakeModelService): void {
    for (const model of modelsTheScenariosUse) fake.setModel(model, healthyModel);
    fake.setTraffic(baselineTraffic);
  }

  // Each scenario ends with its alerts resolved, so this returns at once; after a failed scenario it keeps
  // that scenario's alerts from leaking into (and inhibiting warnings in) the next one. Pending alerts are
  // not waited for: LowThroughput is pending for as long as the service is younger than its 5m window (the
  // rate of a young series is low), and it needs 10m to fire.
  beforeEach(async () => {
    const { stack, service, explain } = live();
    restoreHealthyState(service);
    await waitFor('every alert of earlier scenarios to have resolved', async () =>
      !(await stack.prometheusAlerts()).some((a) => a.state === 'firing') && (await stack.alertmanagerAlerts()).length === 0 ? true : undefined,
    { timeoutMs: deliveryTimeoutMs, explain });
  }, 30_000);

  afterEach(() => {
    expect(live().webhook.rejected(), 'requests to the webhook receiver that were not Alertmanager notifications').toEqual([]);
  });

  const live = () => {
    if (!stack || !webhook || !service) throw new Error('the live stack did not start');
    return { stack, webhook, service, explain: () => stack!.describeState() };
  };

  /** Deliveries from `mark` on (a `webhook.deliveries().length` taken at the start of a scenario). */
  const deliveriesSince = (mark: number): Delivery[] => live().webhook.deliveries().slice(mark);

  const isAlert = (alertname: string, labels: Labels = {}) => (l: Labels) =>
    l.alertname === alertname && Object.entries(labels).every(([k, v]) => l[k] === v);

  /** Waits until `receiver` has been notified of the alert with `status`, and returns the delivered labels. */
  async function waitForDelivery(mark: number, receiver: ReceiverName, status: Delivery['status'], alertname: string, labels: Labels = {}): Promise<Labels> {
    const matches = isAlert(alertname, labels);
    const found = await waitFor(
      `${receiver} to receive ${alertname} ${formatLabels(labels)} ${status}`,
      () => deliveriesSince(mark).find((d) => d.receiver === receiver && d.status === status && matches(d.labels)),
      { timeoutMs: deliveryTimeoutMs, explain: live().explain },
    );
    expect(found.payloadReceiver, 'Alertmanager names the receiver whose webhook it called').toBe(receiver);
    return found.labels;
  }

  /** Receivers (other than `allowed`) that were notified of the alert since `mark`. */
  const otherReceiversOf = (mark: number, allowed: readonly ReceiverName[], alertname: string, labels: Labels = {}): string[] => {
    const matches = isAlert(alertname, labels);
    return [...new Set(deliveriesSince(mark).filter((d) => matches(d.labels) && !allowed.includes(d.receiver as ReceiverName)).map((d) => d.receiver))];
  };

  /** The receivers Alertmanager's routing tree picks for the (single) alert with these labels. */
  async function routedReceivers(alertname: string, labels: Labels): Promise<string[]> {
    const matching = (await live().stack.alertmanagerAlerts()).filter((a) => isAlert(alertname, labels)(a.labels));
    expect(matching, `Alertmanager holds exactly one ${alertname} ${formatLabels(labels)}`).toHaveLength(1);
    return matching[0]!.receivers.map((r) => r.name).sort();
  }

  it('loads every generated rule, evaluates each without error and scrapes the model service with its service label', async () => {
    const { stack, service, explain } = live();
    expect(stack.generatedFiles).toEqual(expect.arrayContaining(['prometheus/prometheus.yml', 'alertmanager/alertmanager.yml']));
    const rules = await waitFor('every rule to have been evaluated once', async () => {
      const all = await stack.prometheusRules();
      return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`)).toEqual([]);
    expect(rules.filter((r) => r.type === 'alerting').map((r) => r.name)).toEqual(expect.arrayContaining(['ModelAccuracyDrop', 'DataDriftDetected', 'HighErrorRate', 'LowPredictionConfidence']));

    const target = await waitFor('the model-api target to be up', async () =>
      (await stack.prometheusTargets()).find((t) => t.labels.job === 'model-api' && t.health === 'up'), { timeoutMs: deliveryTimeoutMs, explain });
    expect(target.labels).toMatchObject({ instance: service.target, service: 'model-api' });
  });

  it('pages and tells the ML team when a model falls below its own or the default accuracy threshold, and never for a disabled one', async () => {
    const { stack, webhook, service, explain } = live();
    const mark = webhook.deliveries().length;
    service.setModel('fraud-detector', { accuracy: 0.8 }); // its own threshold is 0.9
    service.setModel('unlisted-model', { accuracy: 0.8 }); // not in the config: the default 0.85 applies
    service.setModel('unlisted-steady-model', { accuracy: 0.87 }); // above the default, below fraud-detector's
    service.setModel('churn-predictor', { accuracy: 0.1 }); // minAccuracy: false

    // About the model, not the target it was scraped from: no job, instance or service.
    const expected = {
      'fraud-detector': { alertname: 'ModelAccuracyDrop', severity: 'critical', model: 'fraud-detector', team: 'fraud-team', cluster, environment },
      'unlisted-model': { alertname: 'ModelAccuracyDrop', severity: 'critical', model: 'unlisted-model', team: 'data-science', cluster, environment },
    };
    for (const [model, labels] of Object.entries(expected)) {
      for (const receiver of ['pager', 'ml-team'] as const) {
        expect(await waitForDelivery(mark, receiver, 'firing', 'ModelAccuracyDrop', { model }), `${model} at ${receiver}`).toEqual(labels);
      }
      expect(await routedReceivers('ModelAccuracyDrop', { model })).toEqual(['ml-team', 'pager']);
      expect(otherReceiversOf(mark, ['pager', 'ml-team'], 'ModelAccuracyDrop', { model })).toEqual([]);
    }

    // Both breaches above have gone all the way to a webhook; these two, set at the same moment, have not
    // even become pending.
    const modelsWithAlerts = (await stack.prometheusAlerts()).filter((a) => a.labels.alertname === 'ModelAccuracyDrop').map((a) => a.labels.model);
    expect(modelsWithAlerts.sort(), await explain()).toEqual(['fraud-detector', 'unlisted-model']);
    expect(await stack.query('count_over_time(ALERTS{alertname="ModelAccuracyDrop", model=~"churn-predictor|unlisted-steady-model"}[10m])')).toEqual([]);
    expect(deliveriesSince(mark).filter((d) => ['churn-predictor', 'unlisted-steady-model'].includes(d.labels.model ?? ''))).toEqual([]);

    service.setModel('fraud-detector', { accuracy: 0.95 });
    service.setModel('unlisted-model', { accuracy: 0.95 });
    service.setModel('unlisted-steady-model', { accuracy: 0.95 });
    service.setModel('churn-predictor', { accuracy: 0.95 });
    for (const [model, labels] of Object.entries(expected)) {
      for (const receiver of ['pager', 'ml-team'] as const) {
        expect(await waitForDelivery(mark, receiver, 'resolved', 'ModelAccuracyDrop', { model }), `${model} resolved at ${receiver}`).toEqual(labels);
      }
    }
  }, 60_000);

  it("pages for a 5xx ratio above the service's own threshold, and not for one above only the default threshold", async () => {
    const { stack, webhook, service, explain } = live();
    const errorRatio = `sum(rate(http_requests_total{service="model-api",status=~"5.."}[${rateWindow}])) / sum(rate(http_requests_total{service="model-api"}[${rateWindow}]))`;
    const mark = webhook.deliveries().length;

    service.setTraffic(baselineTraffic);
    await waitFor('Prometheus to see the baseline 10% error ratio', async () => {
      const [ratio] = await stack.query(errorRatio);
      return ratio && Math.abs(ratio.value - baselineTraffic.errorRatio) < 0.01 ? ratio : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    await holdsFor('no HighErrorRate at 10% errors against a 20% threshold', async () => {
      const alert = (await stack.prometheusAlerts()).find((a) => a.labels.alertname === 'HighErrorRate');
      return alert && `Prometheus has it ${alert.state}: ${formatLabels(alert.labels)}`;
    }, { durationMs: quietPeriodMs, explain });
    // Not even pending at any moment since the stack started (ALERTS records pending and firing alerts).
    expect(await stack.query('count_over_time(ALERTS{alertname="HighErrorRate"}[10m])')).toEqual([]);

    service.setTraffic({ ...baselineTraffic, errorRatio: 0.5 });
    const expected = { alertname: 'HighErrorRate', severity: 'critical', service: 'model-api', team: 'ml-platform', cluster, environment };
    expect(await waitForDelivery(mark, 'pager', 'firing', 'HighErrorRate')).toEqual(expected);
    // A critical alert that matches no later route stays with `pager`: it does not also go to the default.
    expect(await routedReceivers('HighErrorRate', { service: 'model-api' })).toEqual(['pager']);

    service.setTraffic(baselineTraffic);
    expect(await waitForDelivery(mark, 'pager', 'resolved', 'HighErrorRate')).toEqual(expected);
    expect(otherReceiversOf(mark, ['pager'], 'HighErrorRate')).toEqual([]);
  }, 60_000);

  it('sends an alert that no route matches to the default receiver only', async () => {
    const { webhook, service } = live();
    const mark = webhook.deliveries().length;
    service.setModel('recommender', { confidence: 0.3 }); // below the default mean of 0.7

    const expected = { alertname: 'LowPredictionConfidence', severity: 'info', model: 'recommender', team: 'reco-team', cluster, environment };
    expect(await waitForDelivery(mark, 'ops', 'firing', 'LowPredictionConfidence', { model: 'recommender' })).toEqual(expected);
    expect(await routedReceivers('LowPredictionConfidence', { model: 'recommender' })).toEqual(['ops']);

    service.setModel('recommender', { confidence: 0.95 });
    expect(await waitForDelivery(mark, 'ops', 'resolved', 'LowPredictionConfidence', { model: 'recommender' })).toEqual(expected);
    expect(otherReceiversOf(mark, ['ops'], 'LowPredictionConfidence')).toEqual([]);
  }, 60_000);

  it("mutes a model's warning while a critical alert on the same model fires, and delivers it once the critical resolves", async () => {
    const { stack, webhook, service, explain } = live();
    const mark = webhook.deliveries().length;
    const model = { model: 'recommender' };

    // The critical first, delivered, so that the warning cannot win a race to the webhook.
    service.setModel('recommender', { accuracy: 0.5 });
    await waitForDelivery(mark, 'pager', 'firing', 'ModelAccuracyDrop', model);
    service.setModel('recommender', { driftScore: 0.9 });

    const inhibited = await waitFor('Alertmanager to hold DataDriftDetected for recommender, inhibited', async () => {
      const alerts = await stack.alertmanagerAlerts();
      const critical = alerts.find((a) => isAlert('ModelAccuracyDrop', model)(a.labels));
      const warning = alerts.find((a) => isAlert('DataDriftDetected', model)(a.labels));
      return critical && warning?.status.state === 'suppressed' ? { critical, warning } : undefined;
    }, { timeoutMs: deliveryTimeoutMs, explain });
    expect(inhibited.warning.status.inhibitedBy).toEqual([inhibited.critical.fingerprint]);
    await holdsFor('chat not to be told about the muted DataDriftDetected', () => {
      const leaked = deliveriesSince(mark).find((d) => isAlert('DataDriftDetected', model)(d.labels));
      return leaked && `/${leaked.receiver} received it ${leaked.status}`;
    }, { durationMs: quietPeriodMs, explain });

    service.setModel('recommender', { accuracy: 0.95 });
    await waitForDelivery(mark, 'pager', 'resolved', 'ModelAccuracyDrop', model);
    const expected = { alertname: 'DataDriftDetected', severity: 'warning', model: 'recommender', team: 'reco-team', cluster, environment };
    expect(await waitForDelivery(mark, 'chat', 'firing', 'DataDriftDetected', model)).toEqual(expected);

    service.setModel('recommender', { driftScore: 0.05 });
    expect(await waitForDelivery(mark, 'chat', 'resolved', 'DataDriftDetected', model)).toEqual(expected);
    expect(otherReceiversOf(mark, ['chat'], 'DataDriftDetected')).toEqual([]);
  }, 60_000);

  it('does not mute a warning about another model that the same service serves', async () => {
    const { webhook, service } = live();
    const mark = webhook.deliveries().length;
    service.setModel('recommender', { accuracy: 0.5 });
    await waitForDelivery(mark, 'pager', 'firing', 'ModelAccuracyDrop', { model: 'recommender' });
    service.setModel('fraud-detector', { driftScore: 0.9 });
    await waitForDelivery(mark, 'chat', 'firing', 'DataDriftDetected', { model: 'fraud-detector' });

    service.setModel('fraud-detector', { driftScore: 0.05 });
    service.setModel('recommender', { accuracy: 0.95 });
    await waitForDelivery(mark, 'chat', 'resolved', 'DataDriftDetected', { model: 'fraud-detector' });
    await waitForDelivery(mark, 'pager', 'resolved', 'ModelAccuracyDrop', { model: 'recommender' });
  }, 60_000);
});
