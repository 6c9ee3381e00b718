/**
 * The default inhibit rules for alerts about something finer than a service (a KServe revision), judged by the
 * real Alertmanager running the alertmanager.yml mlmon generates. Alerts are posted to its API directly, as
 * Prometheus would post them, with the labels the generated rules give them; everything listens on 127.0.0.1.
 *
 * A revision is another thing than its service: a critical about one revision mutes the warnings about that
 * revision only, never the service's own warnings or another revision's; a critical about the service mutes the
 * service's warnings, not a revision's. Before the defaults were derived from the alerts' identities, the rule
 * "about the same service" selected the revision alerts too and muted all of these.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { generateStacks } from '../../src/pipeline.js';
import { scratchDir } from '../support/fixtures.js';
import { upstreamToolsDir } from '../support/tools.js';
import { startAlertmanager } from './support/alertmanager.js';
import { stopAllProcesses } from './support/processes.js';
import { sleep, waitFor } from './support/waiting.js';
import { startWebhookReceiver, type WebhookReceiver, webhookAlerting } from './support/webhook-receiver.js';

const receivers = ['pager', 'chat', 'ops'] as const;

function config(webhook: WebhookReceiver): MonitoringConfig {
  return {
    cluster: 'e2e-cluster',
    infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
    services: {
      'kserve-api': { team: 'serving', discovery: { staticTargets: ['127.0.0.1:1'] }, integration: { kserve: { version: '0.14' } } },
      'triton-api': { team: 'serving', discovery: { staticTargets: ['127.0.0.1:2'] }, integration: { triton: { version: '25.01' } } },
    },
    models: { 'fraud-detector': { service: 'kserve-api' } },
    alerting: webhookAlerting(webhook, receivers),
  };
}

async function generated(raw: MonitoringConfig) {
  const { dir, cleanup } = scratchDir('mlmon-inhibit-int-');
  try {
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(raw));
    const { stacks } = await generateStacks({ cwd: dir });
    return stacks[0]!.generated;
  } finally {
    cleanup();
  }
}

/** An alert as the generated rules label it: the rule's labels, the target's, the team's and the cluster's. */
function alert(alertname: string, severity: string, about: Record<string, string>) {
  return { labels: { alertname, severity, team: 'serving', cluster: 'e2e-cluster', ...about }, startsAt: new Date().toISOString() };
}
const service = { service: 'kserve-api' };
const revision = (name: string) => ({ service: 'kserve-api', revision_name: name });

/**
 * Runs a real Alertmanager on `yaml`, posts `critical` and waits for its page (so it is a source in the store),
 * then posts `warnings`; returns the warnings that reached `chat` within five group waits, as `alertname rev`.
 */
async function warningsDelivered(yaml: string, webhook: WebhookReceiver, critical: object, warnings: readonly object[]): Promise<string[]> {
  const alertmanager = await startAlertmanager(yaml);
  try {
    const explain = async () => `${alertmanager.process.outputTail()}\ndeliveries: ${JSON.stringify(webhook.deliveries())}`;
    const before = webhook.deliveries().length;
    const fresh = () => webhook.deliveries().slice(before);
    await alertmanager.post([critical]);
    await waitFor('the critical delivered', () => fresh().find((d) => d.receiver === 'pager'), { timeoutMs: 20_000, explain });
    await alertmanager.post(warnings);
    await sleep(5_000);
    return fresh().filter((d) => d.receiver === 'chat').map((d) => `${d.labels.alertname} ${d.labels.revision_name ?? '-'}`).sort();
  } finally {
    await alertmanager.stop();
  }
}

describe('the default inhibit rules with KServe revisions, run by the real Alertmanager', () => {
  let webhook: WebhookReceiver | undefined;
  let yaml = '';

  beforeAll(() => void upstreamToolsDir(), 15 * 60_000);
  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    const stack = await generated(config(webhook));
    yaml = stack.files.find((f) => f.path === 'alertmanager/alertmanager.yml')!.content;
    // The alerts posted below are the ones these rules write, with the labels they are about.
    const identities = new Map(stack.model.builtinAlerts.map((a) => [a.name, a.identity]));
    expect(identities.get('KnativeRevisionErrorRatioHigh')).toEqual(['service', 'revision_name']);
    expect(identities.get('KnativeRevisionLatencyHigh')).toEqual(['service', 'revision_name']);
    expect(identities.get('HighLatency')).toEqual(['service']);
    expect(identities.get('HighErrorRate')).toEqual(['service']);
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([stopAllProcesses(), webhook?.close()]);
  }, 30_000);

  it("a revision's critical mutes that revision's warning only: not the service's HighLatency, not another revision's", async () => {
    const delivered = await warningsDelivered(yaml, webhook!, alert('KnativeRevisionErrorRatioHigh', 'critical', revision('predictor-00001')), [
      alert('KnativeRevisionLatencyHigh', 'warning', revision('predictor-00001')),
      alert('KnativeRevisionLatencyHigh', 'warning', revision('predictor-00002')),
      alert('HighLatency', 'warning', service),
    ]);
    expect(delivered).toEqual(['HighLatency -', 'KnativeRevisionLatencyHigh predictor-00002']);
  }, 60_000);

  it("the service's critical mutes the service's warning, not a revision's", async () => {
    const delivered = await warningsDelivered(yaml, webhook!, alert('HighErrorRate', 'critical', service), [
      alert('HighLatency', 'warning', service),
      alert('KnativeRevisionLatencyHigh', 'warning', revision('predictor-00001')),
    ]);
    expect(delivered).toEqual(['KnativeRevisionLatencyHigh predictor-00001']);
  }, 60_000);

  // `instance` names a node in node-exporter's, the kubelets' and dcgm-exporter's jobs alike: an exporter's own
  // target being down is not the node, so it must not mute the node's warnings from another exporter.
  it("an exporter's ServiceDown on a node mutes no warning of another job about that node; a node critical mutes its own job's", async () => {
    const node = (job: string | undefined, extra: Record<string, string> = {}) => ({ instance: 'gpu-node-1', ...(job ? { job } : {}), ...extra });
    const fromOtherExporter = await warningsDelivered(yaml, webhook!, alert('ServiceDown', 'critical', node('dcgm-exporter')), [
      alert('HighMemoryUsage', 'warning', node('node-exporter')),
      alert('HighCPUUsage', 'warning', node(undefined)),
    ]);
    expect(fromOtherExporter).toEqual(['HighCPUUsage -', 'HighMemoryUsage -']);
    const sameJob = await warningsDelivered(yaml, webhook!, alert('DiskSpaceLow', 'critical', node('node-exporter', { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' })), [
      alert('HighMemoryUsage', 'warning', node('node-exporter')),
    ]);
    expect(sameJob).toEqual([]);
  }, 90_000);

  it('mlmon validate finds nothing wrong with these default rules (inhibit/mutes-other-things)', async () => {
    const { checkInhibitRules } = await import('../../src/check/inhibit-rules.js');
    const stack = await generated(config(webhook!));
    expect(await checkInhibitRules(stack.model)).toEqual([]);
  }, 60_000);
});
