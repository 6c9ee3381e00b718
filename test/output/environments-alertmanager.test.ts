/**
 * Environments that share one Alertmanager, judged by the real Alertmanager running the alertmanager.yml mlmon
 * generates: a production critical mutes production's warning about the same model, and not staging's, which
 * carries `environment: staging` (its Prometheus' external label). Without environments the default inhibit
 * rules are equal on cluster and model only, so the same staging warning is muted: the control that shows this
 * test can fail. Alerts are posted to Alertmanager's API directly, as a Prometheus would; everything listens on
 * 127.0.0.1 only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { generateStacks } from '../../src/pipeline.js';
import { startAlertmanager } from '../e2e/support/alertmanager.js';
import { stopAllProcesses } from '../e2e/support/processes.js';
import { sleep, waitFor } from '../e2e/support/waiting.js';
import { startWebhookReceiver, type WebhookReceiver, webhookAlerting } from '../e2e/support/webhook-receiver.js';
import { scratchDir } from '../support/fixtures.js';
import { upstreamToolsDir } from '../support/tools.js';

const receivers = ['pager', 'chat', 'ops'] as const;

function config(webhook: WebhookReceiver): MonitoringConfig {
  return {
    cluster: 'shared-cluster',
    infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
    services: { 'model-api': { discovery: { staticTargets: ['127.0.0.1:1'] } } },
    models: { 'fraud-detector': { service: 'model-api' } },
    alerting: webhookAlerting(webhook, receivers),
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

const alert = (environment: string, alertname: string, severity: string) => ({
  labels: { alertname, severity, model: 'fraud-detector', service: 'model-api', team: 'ml-platform', cluster: 'shared-cluster', environment },
  startsAt: new Date().toISOString(),
});

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
    await alertmanager.post([alert('production', 'ModelAccuracyDrop', 'critical')]);
    await waitFor('the production critical delivered', () => fresh().find((d) => d.receiver === 'pager'), { timeoutMs: 20_000, explain });
    await alertmanager.post([alert('production', 'DataDriftDetected', 'warning'), alert('staging', 'DataDriftDetected', 'warning')]);
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
