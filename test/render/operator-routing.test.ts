/**
 * Routing as an AlertmanagerConfig (`deploy.prometheusOperator.routing: 'alertmanager-config'`): the object is
 * valid against the operator's CRD, and the routing tests mlmon writes for it (operator/routing-tests.yml, the
 * standalone cases with the receiver names the operator renders) pass amtool against the configuration the
 * operator renders from it (src/check/operator-rendering.ts) under the matcher strategies mlmon accepts, and fail
 * under the operator's default, which is why that one is refused.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { MonitoringConfig } from '../../src/config/types.js';
import { generateFromConfig, problemsOf, scratchDir } from '../support/fixtures.js';
import { tool, upstreamToolsDir } from '../support/tools.js';
import { operatorAlertmanagerConfig, type MatcherStrategy } from '../../src/check/operator-rendering.js';

const namespace = 'monitoring';
type Strategy = 'None' | 'OnNamespaceExceptForAlertmanagerNamespace';

const config = (strategy: Strategy, overrides: Partial<NonNullable<MonitoringConfig['alerting']>> = {}): MonitoringConfig => ({
  deploy: { target: 'prometheus-operator', prometheusOperator: { routing: 'alertmanager-config', alertmanagerConfigMatcherStrategy: strategy } },
  kubernetes: { namespace },
  infrastructure: { nodeExporterTargets: ['node-1:9100'] },
  services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } },
  models: { 'fraud-detector': { service: 'model-api', team: 'ml-risk' } },
  alerting: {
    defaultReceiver: 'ops',
    smtp: { smarthost: 'smtp.example.com:587', from: 'am@example.com', authUsername: 'am@example.com', authPasswordFile: '/etc/alertmanager/secrets/smtp-password' },
    slackApiUrlFile: '/etc/alertmanager/secrets/slack-api-url',
    receivers: {
      ops: { email: [{ to: 'ops@example.com' }] },
      pager: { pagerduty: [{ routingKeyFile: '/etc/alertmanager/secrets/pagerduty-routing-key' }] },
      chat: { slack: [{ channel: '#ml-alerts' }] },
      'ml-team': { webhook: [{ url: 'http://hooks.internal/ml' }], slack: [{ channel: '#ml-team' }] },
    },
    routes: [
      { receiver: 'pager', match: { severity: 'critical' }, continue: true },
      { receiver: 'chat', match: { severity: 'warning' } },
      { receiver: 'ml-team', match: { alertname: 'ModelAccuracyDrop' } },
    ],
    ...overrides,
  },
});

const scratches: (() => void)[] = [];
afterEach(() => scratches.splice(0).forEach((cleanup) => cleanup()));
const fileOf = (files: readonly { path: string; content: string }[], path: string) => files.find((f) => f.path === path)!.content;

/** amtool's verdict on every case of routing-tests.yml against the operator's rendering: the failing case names. */
function failingCases(files: readonly { path: string; content: string }[], strategy: MatcherStrategy, alertmanagerNamespace: string): string[] {
  const scratch = scratchDir('mlmon-operator-routing-');
  scratches.push(scratch.cleanup);
  const [object] = parseAllDocuments(fileOf(files, 'operator/alertmanager-config.yaml')).map((d) => d.toJS()).filter(Boolean);
  writeFileSync(join(scratch.dir, 'alertmanager.yml'), stringify(operatorAlertmanagerConfig(object, namespace, strategy, alertmanagerNamespace)));
  const cases = parse(fileOf(files, 'operator/routing-tests.yml')).cases as { name: string; labels: Record<string, string>; receivers: string[] }[];
  expect(cases.length).toBeGreaterThan(5);
  return cases.filter((c) => {
    const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const run = spawnSync(tool('amtool'), ['config', 'routes', 'test', '--config.file=alertmanager.yml', `--verify.receivers=${c.receivers.join(',')}`, ...labels], { cwd: scratch.dir, encoding: 'utf8', timeout: 30_000 });
    return run.status !== 0;
  }).map((c) => c.name);
}

describe('routing as an AlertmanagerConfig', () => {
  it('is valid against the operator CRD, with every credential a reference to a Secret key and no value', async () => {
    const { files } = await generateFromConfig(config('None'));
    const text = fileOf(files, 'operator/alertmanager-config.yaml');
    const scratch = scratchDir('mlmon-operator-amconfig-');
    scratches.push(scratch.cleanup);
    mkdirSync(dirname(join(scratch.dir, 'a.yaml')), { recursive: true });
    writeFileSync(join(scratch.dir, 'a.yaml'), text);
    const tools = upstreamToolsDir();
    const run = spawnSync(join(tools, 'kubeconform'), ['-strict', '-summary', '-schema-location', `${join(tools, 'prometheus-operator-schemas')}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, scratch.dir], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toContain('Valid: 1, Invalid: 0, Errors: 0');
    const [object] = parseAllDocuments(text).map((d) => d.toJS());
    expect(object.kind).toBe('AlertmanagerConfig');
    expect(object.spec.receivers.find((r: any) => r.name === 'pager').pagerdutyConfigs[0].routingKey).toEqual({ name: 'alertmanager-secrets', key: 'pagerduty-routing-key' });
    expect(object.spec.receivers.find((r: any) => r.name === 'chat').slackConfigs[0].apiURL).toEqual({ name: 'alertmanager-secrets', key: 'slack-api-url' });
    expect(object.spec.receivers.find((r: any) => r.name === 'ops').emailConfigs[0].authPassword).toEqual({ name: 'alertmanager-secrets', key: 'smtp-password' });
    // The top route matches every alert, as alertmanager.yml's root does.
    expect(object.spec.route.matchers).toBeUndefined();
  });

  it('writes routing tests with the receiver names the operator renders, which pass under None and under the Alertmanager-namespace exception', async () => {
    const { files } = await generateFromConfig(config('None'));
    const standalone = parse(fileOf(files, 'alertmanager/routing-tests.yml')).cases as { receivers: string[] }[];
    const renamed = parse(fileOf(files, 'operator/routing-tests.yml')).cases as { receivers: string[] }[];
    expect(renamed.map((c) => c.receivers)).toEqual(standalone.map((c) => c.receivers.map((r) => `${namespace}/mlmon/${r}`)));
    expect(failingCases(files, 'None', 'elsewhere')).toEqual([]);
    expect(failingCases(files, 'OnNamespaceExceptForAlertmanagerNamespace', namespace)).toEqual([]);
  }, 120_000);

  it('would lose every alert without a namespace label under the operator default OnNamespace, or with the Alertmanager in another namespace', async () => {
    const { files } = await generateFromConfig(config('OnNamespaceExceptForAlertmanagerNamespace'));
    const all = parse(fileOf(files, 'operator/routing-tests.yml')).cases.map((c: { name: string }) => c.name);
    // None of the cases carries a namespace label: every one of them fails.
    expect(failingCases(files, 'OnNamespace', namespace)).toEqual(all);
    expect(failingCases(files, 'OnNamespaceExceptForAlertmanagerNamespace', 'other-namespace')).toEqual(all);
  }, 120_000);

  it('refuses the OnNamespace strategy in the config, naming the allowed ones', async () => {
    const problems = await problemsOf({ deploy: { target: 'prometheus-operator', prometheusOperator: { routing: 'alertmanager-config', alertmanagerConfigMatcherStrategy: 'OnNamespace' } } });
    expect(problems.map((p) => `${p.path ?? ''} ${p.message} ${p.allowed ?? ''}`).join('\n')).toMatch(/alertmanagerConfigMatcherStrategy[\s\S]*None/);
  });

  it('refers to the Secret the config names, at the mount path the config names', async () => {
    const custom: MonitoringConfig = { ...config('None'), kubernetes: { namespace, alertmanagerSecretName: 'ml-alerting', alertmanagerSecretMountPath: '/etc/alertmanager/secrets/ml-alerting' } };
    custom.alerting = { ...custom.alerting, slackApiUrlFile: '/etc/alertmanager/secrets/ml-alerting/slack', smtp: { smarthost: 'smtp.example.com:587', from: 'am@example.com' },
      receivers: { ops: { email: [{ to: 'ops@example.com' }] }, pager: { pagerduty: [{ routingKeyFile: '/etc/alertmanager/secrets/ml-alerting/pd' }] }, chat: { slack: [{ channel: '#c' }] }, 'ml-team': { webhook: [{ urlFile: '/etc/alertmanager/secrets/ml-alerting/hook' }] } } };
    const { files } = await generateFromConfig(custom);
    const [object] = parseAllDocuments(fileOf(files, 'operator/alertmanager-config.yaml')).map((d) => d.toJS());
    const receiver = (name: string) => object.spec.receivers.find((r: any) => r.name === name);
    expect(receiver('pager').pagerdutyConfigs[0].routingKey).toEqual({ name: 'ml-alerting', key: 'pd' });
    expect(receiver('chat').slackConfigs[0].apiURL).toEqual({ name: 'ml-alerting', key: 'slack' });
    expect(receiver('ml-team').webhookConfigs[0].urlSecret).toEqual({ name: 'ml-alerting', key: 'hook' });
    expect(receiver('ops').emailConfigs[0].authPassword).toBeUndefined();
  });
});
