/**
 * Environments that share one Alertmanager, judged by the real Alertmanager running the alertmanager.yml mlmon
 * generates: a production critical mutes production's warning about the same model, and not staging's, which
 * carries `environment: staging` (its Prometheus' external label). Without environments the default inhibit
 * rules are equal on cluster and model only, so the same staging warning is muted: the control that shows this
 * test can fail. Alerts are posted to Alertmanager's API directly, as a Prometheus would; everything listens on
 * 127.0.0.1 only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { generateStacks } from '../../src/pipeline.js';
import { startProcess, stopAllProcesses, type RunningProcess } from '../e2e/support/processes.js';
import { freeLoopbackPort } from '../e2e/support/free-port.js';
import { sleep, waitFor } from '../e2e/support/waiting.js';
import { startWebhookReceiver, type WebhookReceiver } from '../e2e/support/webhook-receiver.js';
import { scratchDir } from '../support/fixtures.js';
import { tool, upstreamToolsDir } from '../support/tools.js';

const receivers = ['pager', 'chat', 'ops'] as const;

function config(webhook: WebhookReceiver): MonitoringConfig {
  return {
    cluster: 'shared-cluster',
    infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
    services: { 'model-api': { discovery: { staticTargets: ['127.0.0.1:1'] } } },
    models: { 'fraud-detector': { service: 'model-api' } },
    alerting: {
      defaultReceiver: 'ops',
      grouping: { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' },
      receivers: Object.fromEntries(receivers.map((name) => [name, { webhook: [{ url: webhook.url(name) }] }])),
      routes: [
        { receiver: 'pager', match: { severity: 'critical' }, continue: true },
        { receiver: 'chat', match: { severity: 'warning' } },
      ],
    },
  };
}

/** The alertmanager.yml generated for `raw` (for its production environment, when it has environments). */
async function alertmanagerYaml(raw: MonitoringConfig): Promise<string> {
  const { dir, cleanup } = scratchDir('mlmon-env-am-');
  try {
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(raw));
    const { stacks } = await generateStacks({ cwd: dir });
    const stack = stacks.find((s) => s.environment === undefined || s.environment === 'production')!;
    return stack.generated.files.find((f) => f.path === 'alertmanager/alertmanager.yml')!.content;
  } finally {
    cleanup();
  }
}

interface RunningAlertmanager {
  readonly url: string;
  readonly process: RunningProcess;
  stop(): Promise<void>;
}

async function startAlertmanager(yaml: string): Promise<RunningAlertmanager> {
  const scratch = scratchDir('mlmon-env-am-run-');
  mkdirSync(join(scratch.dir, 'data'));
  writeFileSync(join(scratch.dir, 'alertmanager.yml'), yaml);
  const port = await freeLoopbackPort();
  const process = startProcess('alertmanager', tool('alertmanager'), [
    `--config.file=${join(scratch.dir, 'alertmanager.yml')}`,
    `--storage.path=${join(scratch.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // Empty disables clustering; otherwise Alertmanager gossips on 0.0.0.0:9094.
    '--cluster.listen-address=',
  ], { cwd: scratch.dir });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await process.stop();
    scratch.cleanup();
  };
  try {
    await waitFor('Alertmanager ready', async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok || undefined, { timeoutMs: 20_000, explain: async () => process.outputTail() });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, process, stop };
}

const alert = (environment: string, alertname: string, severity: string) => ({
  labels: { alertname, severity, model: 'fraud-detector', service: 'model-api', team: 'ml-platform', cluster: 'shared-cluster', environment },
  startsAt: new Date().toISOString(),
});

async function post(alertmanager: RunningAlertmanager, alerts: readonly object[]): Promise<void> {
  const response = await fetch(`${alertmanager.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  expect(response.ok, await response.text()).toBe(true);
}

/**
 * Posts production's critical, waits until it is delivered (so it is in Alertmanager's store as a source), then
 * the two warnings; returns which warnings reached `chat` within a quiet period.
 */
async function warningsDelivered(yaml: string, webhook: WebhookReceiver): Promise<string[]> {
  const alertmanager = await startAlertmanager(yaml);
  try {
    const explain = async () => `${alertmanager.process.outputTail()}\ndeliveries: ${JSON.stringify(webhook.deliveries())}`;
    const before = webhook.deliveries().length;
    const fresh = () => webhook.deliveries().slice(before);
    await post(alertmanager, [alert('production', 'ModelAccuracyDrop', 'critical')]);
    await waitFor('the production critical delivered', () => fresh().find((d) => d.receiver === 'pager'), { timeoutMs: 20_000, explain });
    await post(alertmanager, [alert('production', 'DataDriftDetected', 'warning'), alert('staging', 'DataDriftDetected', 'warning')]);
    // Five group waits: long enough for both warnings to be delivered, unless inhibited.
    await sleep(5_000);
    return fresh().filter((d) => d.receiver === 'chat').map((d) => d.labels.environment!).sort();
  } finally {
    await alertmanager.stop();
  }
}

describe('environments sharing one Alertmanager, run by the real Alertmanager', () => {
  let webhook: WebhookReceiver | undefined;

  beforeAll(() => void upstreamToolsDir(), 15 * 60_000);
  beforeAll(async () => {
    webhook = await startWebhookReceiver();
  });
  afterAll(async () => {
    await Promise.allSettled([stopAllProcesses(), webhook?.close()]);
  }, 30_000);

  it("a production critical mutes production's warning about the same model, never staging's", async () => {
    const yaml = await alertmanagerYaml({ ...config(webhook!), environments: { staging: {}, production: {} } });
    expect(await warningsDelivered(yaml, webhook!)).toEqual(['staging']);
  }, 60_000);

  it('without environments (equal on cluster and model only), the same staging warning is muted: the control', async () => {
    const yaml = await alertmanagerYaml(config(webhook!));
    expect(await warningsDelivered(yaml, webhook!)).toEqual([]);
  }, 60_000);
});
