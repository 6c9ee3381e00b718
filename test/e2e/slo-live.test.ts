/**
 * An SLO's burn-rate alerts, live: hours of history backfilled into a real Prometheus with
 * `promtool tsdb create-blocks-from openmetrics`, the generated SLO rules evaluated on it, and the page tier's
 * ErrorBudgetBurn delivered to the pager through a real Alertmanager running the generated alertmanager.yml,
 * while its ticket tiers are muted by the generated inhibit rules (one of them only by the SLO's own: a page
 * tier mutes the ticket tiers of the same SLO). Everything listens on 127.0.0.1 only.
 *
 * The history (7h, one sample every 15s) is a model serving 10 predictions a second: 0.1% errors, then for
 * the last 90 minutes an incident at 30% errors, which goes on live. The objective is 99% (a budget of 1%), so
 * the incident burns the budget 30 times as fast as allowed, past every tier's factor (13.44, 5.6, 2.8, 0.93 for
 * 28 days). A small HTTP server in the test serves the same counters (a function of the time, so the scraped
 * samples continue the backfilled series with the same labels) and Prometheus scrapes it every 5s, so the
 * 5m rates stay defined.
 *
 * What the backfill covers: every window read from raw data (5m, 30m, 1h, 2h, 6h). Windows of a day or more
 * are averaged from the 5m recordings (src/normalize/slo-rules.ts); those are not backfilled here (that would
 * take `promtool tsdb create-blocks-from rules` against a first Prometheus and a restart), so the 1d and 3d
 * windows average only the recordings made live, during the incident: the ticket tiers are active all the same.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { tool, upstreamToolsDir } from '../support/tools.js';
import { formatLabels, startLiveStack, type Labels, type LiveStack } from './support/live-stack.js';
import { stopAllProcesses } from './support/processes.js';
import { holdsFor, waitFor } from './support/waiting.js';
import { startWebhookReceiver, type Delivery, type WebhookReceiver } from './support/webhook-receiver.js';

const model = 'fraud-detector';
const service = 'model-api';
const predictionsPerSecond = 10;
const objectivePercent = 99;
const historySeconds = 7 * 3600;
const incidentSeconds = 90 * 60;
const baselineErrorRatio = 0.001;
const incidentErrorRatio = 0.3;
const historyStepSeconds = 15;
/**
 * More events than a 1h window holds unless it reads the backfilled hour (36,000 events): the live scrapes
 * alone, extrapolated by rate(), come to a few hundred. The page tier firing at all shows the backfill is read.
 */
const minEvents = 20_000;
/**
 * Bounded wait for the page: the first evaluations, the page tier's `for` and Alertmanager's group_wait take
 * about half a minute; the rest is room on a busy 2-core machine.
 */
const pageTimeoutMs = 180_000;
/** The ticket tiers' `for` is 45s: they reach Alertmanager about a minute after the start. */
const ticketTimeoutMs = 180_000;

/** Predictions of each status served from `start` (unix seconds) until `t`: a piecewise-linear counter. */
function countersAt(t: number, start: number, incidentStart: number): { error: number; success: number } {
  const before = Math.max(0, Math.min(t, incidentStart) - start);
  const during = Math.max(0, t - incidentStart);
  const error = predictionsPerSecond * (before * baselineErrorRatio + during * incidentErrorRatio);
  return { error, success: predictionsPerSecond * (before + during) - error };
}

/** The fixed decimal text of a counter value: 3 decimals keep the file small and the rates exact enough. */
const value = (n: number) => n.toFixed(3);

function monitoringConfig(metricsTarget: string, webhook: WebhookReceiver, alertmanager: string): MonitoringConfig {
  return {
    cluster: 'e2e-cluster',
    // 5s evaluations: a `for` is counted in evaluations, and the test should see several in a minute.
    prometheus: { scrapeInterval: '5s', evaluationInterval: '5s', ruleGroupInterval: '5s', alertmanagers: [alertmanager] },
    infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
    services: { [service]: { team: 'ml-platform', discovery: { staticTargets: [metricsTarget] } } },
    models: {
      [model]: {
        service,
        team: 'fraud-team',
        slos: {
          availability: {
            indicator: { kind: 'availability' },
            objective: objectivePercent,
            minEvents,
            // The defaults (2m, 1h, 3h) would keep the test waiting for hours; only `for` changes, not the
            // rules' shape. The ticket tiers wait longer than the page so the page is in Alertmanager first
            // (as in production, where a ticket tier's `for` is longer too), and inhibition is what decides.
            // page-slow keeps its 15m: it stays pending, so the page that fires is page-fast alone.
            // ticket-fast is `info`: the default inhibit rule "a critical about a model mutes its warnings"
            // mutes a `warning` ticket tier too, so only an `info` one shows the SLO's own rule (a page tier
            // mutes the ticket tiers of the same SLO) at work.
            tierSettings: { 'page-fast': { for: '15s' }, 'ticket-fast': { for: '45s', severity: 'info' }, 'ticket-slow': { for: '45s' } },
          },
        },
      },
    },
    // The generated `prometheus` job scrapes localhost:9090, where Prometheus listens in the cluster; here it
    // listens on a free port, so that target is down.
    alerts: { ServiceDown: { enabled: false } },
    alerting: {
      defaultReceiver: 'tickets',
      grouping: { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' },
      // The receivers' URLs are the test's webhook server, given in the config: the generated alertmanager.yml
      // is run exactly as written, nothing in it is adapted.
      receivers: { pager: { webhook: [{ url: webhook.url('pager') }] }, tickets: { webhook: [{ url: webhook.url('tickets') }] } },
      routes: [{ receiver: 'pager', match: { severity: 'critical' } }],
    },
  };
}

/** Serves `predictions_total` of the model at the time of each scrape, continuing the backfilled series. */
async function startCounterServer(start: number, incidentStart: number): Promise<{ target: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const now = countersAt(Date.now() / 1000, start, incidentStart);
    const text = [
      '# HELP predictions_total Total predictions',
      '# TYPE predictions_total counter',
      `predictions_total{model="${model}",status="error"} ${value(now.error)}`,
      `predictions_total{model="${model}",status="success"} ${value(now.success)}`,
      '',
    ].join('\n');
    // Prometheus 3 refuses a scrape without a Content-Type it knows.
    response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * The history as OpenMetrics text up to `end` (unix seconds), with the labels a scrape of `target` gives the
 * series (the generated scrape job adds `service`), so the live samples continue them.
 */
function openMetricsHistory(target: string, start: number, incidentStart: number, end: number): string {
  const lines = ['# HELP predictions Total predictions', '# TYPE predictions counter'];
  for (const status of ['error', 'success'] as const) {
    const labels = `instance="${target}",job="${service}",model="${model}",service="${service}",status="${status}"`;
    for (let t = start; t <= end; t += historyStepSeconds) lines.push(`predictions_total{${labels}} ${value(countersAt(t, start, incidentStart)[status])} ${t.toFixed(3)}`);
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

describe('an SLO whose history burns its error budget, backfilled into a real Prometheus', () => {
  let counters: Awaited<ReturnType<typeof startCounterServer>> | undefined;
  let webhook: WebhookReceiver | undefined;
  let stack: LiveStack | undefined;

  beforeAll(() => void upstreamToolsDir(), 15 * 60_000);

  beforeAll(async () => {
    try {
      // Whole seconds, so the backfilled timestamps are exact; the history ends "now", when it is written.
      const now = Math.floor(Date.now() / 1000);
      const start = now - historySeconds;
      const incidentStart = now - incidentSeconds;
      counters = await startCounterServer(start, incidentStart);
      webhook = await startWebhookReceiver();
      const [target, hooks] = [counters.target, webhook];
      stack = await startLiveStack({
        webhook: hooks,
        config: (alertmanager) => monitoringConfig(target, hooks, alertmanager),
        beforeStart: async ({ prometheusDataDir }) => {
          // On the 15s grid, up to the moment Prometheus is about to start.
          const backfillEnd = start + Math.floor((Date.now() / 1000 - start) / historyStepSeconds) * historyStepSeconds;
          const file = join(prometheusDataDir, '..', 'history.om.txt');
          writeFileSync(file, openMetricsHistory(target, start, incidentStart, backfillEnd));
          await promisify(execFile)(tool('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, prometheusDataDir]);
        },
      });
    } catch (error) {
      await stopEverything();
      throw error;
    }
  }, 90_000);

  afterAll(stopEverything, 30_000);

  async function stopEverything(): Promise<void> {
    await Promise.allSettled([stack?.stop(), stopAllProcesses(), webhook?.close(), counters?.close()]);
  }

  afterEach(() => {
    expect(live().webhook.rejected(), 'requests to the webhook receiver that were not Alertmanager notifications').toEqual([]);
  });

  const live = () => {
    if (!stack || !webhook) throw new Error('the live stack did not start');
    return { stack, webhook, explain: () => stack!.describeState() };
  };

  const isBurn = (labels: Labels) => (l: Labels) => l.alertname === 'ErrorBudgetBurn' && Object.entries(labels).every(([k, v]) => l[k] === v);
  const ticketDeliveries = (): Delivery[] => live().webhook.deliveries().filter((d) => d.receiver === 'tickets' && d.labels.alertname === 'ErrorBudgetBurn');

  /** The single value of an instant query that must have exactly one result. */
  async function single(expr: string): Promise<number> {
    const results = await live().stack.query(expr);
    expect(results, `${expr}\n${await live().explain()}`).toHaveLength(1);
    return results[0]!.value;
  }

  it('evaluates the SLO rules on the backfilled hours: the 6h burn rate and the 1h events are the history\'s', async () => {
    const { stack, explain } = live();
    const selector = `{model="${model}", slo="availability"}`;
    await waitFor('the 6h burn rate to be recorded', async () => ((await stack.query(`mlmon:slo_burn_rate:rate6h${selector}`)).length ? true : undefined), { timeoutMs: 60_000, explain });
    const rules = await stack.prometheusRules();
    expect(rules.filter((r) => r.health === 'err').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);

    // 6h: 4.5h at 0.1% and 1.5h at 30% (plus the seconds since the backfill ended, at 30%): 7.575 times the
    // budget. The live samples alone would say 30.
    const budget = 1 - objectivePercent / 100;
    const expected6h = ((6 * 3600 - incidentSeconds) * baselineErrorRatio + incidentSeconds * incidentErrorRatio) / (6 * 3600) / budget;
    const burn6h = await single(`mlmon:slo_burn_rate:rate6h${selector}`);
    expect(burn6h, await explain()).toBeGreaterThan(expected6h * 0.97);
    expect(burn6h, await explain()).toBeLessThan(expected6h * 1.1);
    // The 1h window lies inside the incident: 30 times the budget, and 36,000 events.
    expect(await single(`mlmon:slo_burn_rate:rate1h${selector}`)).toBeCloseTo(incidentErrorRatio / budget, 0);
    const events1h = await single(`mlmon:slo_events:rate1h{model="${model}"} * 3600`);
    expect(events1h).toBeGreaterThan(predictionsPerSecond * 3600 * 0.97);
    expect(events1h).toBeLessThan(predictionsPerSecond * 3600 * 1.03);
  }, 90_000);

  it('pages: ErrorBudgetBurn of the page-fast tier reaches the pager webhook through Alertmanager', async () => {
    const { webhook, explain } = live();
    const page = await waitFor('the pager to receive ErrorBudgetBurn {slo_tier="page-fast"} firing', () =>
      webhook.deliveries().find((d) => d.receiver === 'pager' && d.status === 'firing' && isBurn({ slo_tier: 'page-fast', model })(d.labels)),
    { timeoutMs: pageTimeoutMs, intervalMs: 500, explain });
    expect(page.payloadReceiver).toBe('pager');
    expect(page.labels).toEqual({
      alertname: 'ErrorBudgetBurn', severity: 'critical', slo_tier: 'page-fast', burn_windows: '1h/5m',
      model, slo: 'availability', sli: 'model-availability', slo_policy: 'sre-workbook-28d', team: 'fraud-team',
      cluster: 'e2e-cluster', environment: 'production',
    });
    // The alert's value is the 1h burn rate: 30% errors over a 1% budget.
    expect(Number(page.annotations.burn_rate), formatLabels(page.annotations)).toBeCloseTo(30, 0);
    expect(ticketDeliveries()).toEqual([]);
  }, pageTimeoutMs + 10_000);

  it('mutes the ticket tiers of the same SLO while the page fires: they never reach the tickets receiver', async () => {
    const { stack, explain } = live();
    const held = await waitFor('Alertmanager to hold both ticket tiers, inhibited by the page', async () => {
      const alerts = await stack.alertmanagerAlerts();
      const pageAlert = alerts.find((a) => isBurn({ slo_tier: 'page-fast', model })(a.labels));
      const tickets = ['ticket-fast', 'ticket-slow'].map((tier) => alerts.find((a) => isBurn({ slo_tier: tier, model })(a.labels)));
      return pageAlert && tickets.every((t) => t?.status.state === 'suppressed') ? { pageAlert, tickets: tickets.map((t) => t!) } : undefined;
    }, { timeoutMs: ticketTimeoutMs, intervalMs: 500, explain });
    expect(held.tickets.map((t) => t.labels.severity)).toEqual(['info', 'warning']);
    for (const ticket of held.tickets) {
      expect(ticket.receivers.map((r) => r.name), formatLabels(ticket.labels)).toEqual(['tickets']);
      expect(ticket.status.inhibitedBy, formatLabels(ticket.labels)).toEqual([held.pageAlert.fingerprint]);
    }
    // Several group intervals (1s) after both ticket tiers are held: still nothing at the tickets receiver.
    await holdsFor('the tickets receiver not to be told about a muted ticket tier', () => {
      const leaked = ticketDeliveries()[0];
      return leaked && `/tickets received ${formatLabels(leaked.labels)} ${leaked.status}`;
    }, { durationMs: 10_000, explain });
  }, ticketTimeoutMs + 20_000);
});
