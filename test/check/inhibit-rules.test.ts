/**
 * `inhibit/mutes-other-things`: an inhibit rule, the defaults or the user's, that lets an alert about one
 * thing (one scrape target, one model) mute an alert about another (the whole service, another model).
 */
import { describe, expect, it } from 'vitest';
import { checkInhibitRules } from '../../src/check/inhibit-rules.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { buildInhibitRules } from '../../src/normalize/routing.js';
import { modelOf } from '../support/fixtures.js';

const base: MonitoringConfig = {
  services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml'] } } } },
  models: { 'fraud-detector': { service: 'model-api' }, recommender: { service: 'model-api' } },
};

const withRules = (inhibitRules: NonNullable<NonNullable<MonitoringConfig['alerting']>['inhibitRules']>, extra: Partial<MonitoringConfig> = {}) =>
  checkInhibitRules(modelOf({ ...base, ...extra, alerting: { inhibitRules } }));

describe('inhibit/mutes-other-things', () => {
  it('finds nothing wrong with the default inhibit rules, for the example-like config and with custom alerts', async () => {
    expect(await checkInhibitRules(modelOf(base))).toEqual([]);
    const custom: MonitoringConfig = {
      ...base,
      rules: { alerts: [{ name: 'QueueBacklog', expr: 'sum by (service) (rate(http_requests_total[5m])) > 100', severity: 'warning', summary: 's', description: 'd' }] },
    };
    expect(await checkInhibitRules(modelOf(custom))).toEqual([]);
  });

  // Every integration's alerts, alone and together, with the DCGM pack and an SLO: the defaults are derived
  // from the alerts' identities, so none of them can pair alerts about different things.
  const integrations = { vllm: { version: '0.11' }, triton: { version: '25.01' }, kserve: { version: '0.14' } } as const;
  it.each([...Object.keys(integrations).map((name) => [name]), [Object.keys(integrations).join(' + ')]])('finds nothing wrong with the default inhibit rules with %s, the DCGM pack and an SLO', async (names) => {
    const services = Object.fromEntries(names.split(' + ').map((name) => [`${name}-api`, { discovery: { staticTargets: [`${name}-api:8000`] }, integration: { [name]: integrations[name as keyof typeof integrations] } }]));
    const config: MonitoringConfig = {
      ...base,
      services: { ...base.services, ...services },
      infrastructure: { gpus: { dcgm: { targets: ['dcgm-exporter:9400'] } } },
      // The SLO on a model of mlmon's own instrumentation: a model-server integration exports no predictions_total.
      models: { ...base.models, 'fraud-detector': { service: 'model-api', slos: { availability: { indicator: { kind: 'availability' }, objective: 99.5 } } }, 'llm-chat': { service: Object.keys(services)[0]! } },
    };
    const model = modelOf(config);
    // The integrations' and the GPU pack's alerts are in use (else this proves nothing about them).
    expect(model.builtinAlerts.some((a) => a.name.startsWith('Gpu'))).toBe(true);
    expect(model.builtinAlerts.filter((a) => a.identity.length > 1).length).toBeGreaterThan(0);
    expect(model.slos.slos.length).toBe(1);
    expect(await checkInhibitRules(model)).toEqual([]);
  });

  it("flags main's old default rules: ServiceDown on ONE replica (it carries `service`) muting the whole service's warnings", async () => {
    const model = modelOf(base);
    // The default inhibit rules as main shipped them.
    const old = ['model', 'service', 'instance'].map((label, i) => ({
      sourceMatchers: ['severity="critical"', `${label}=~".+"`, ...(label === 'model' ? [] : ['model=""'])],
      targetMatchers: ['severity="warning"', `${label}=~".+"`],
      equal: ['cluster', label],
      source: `the old default rule ${i + 1}`,
    }));
    const problems = await checkInhibitRules({ ...model, alertmanager: { ...model.alertmanager, inhibitRules: old } });
    const latency = problems.find((p) => p.message.includes('mute HighLatency'));
    expect(latency).toMatchObject({ id: 'inhibit/mutes-other-things', severity: 'warning', path: 'the old default rule 2', object: 'inhibit_rules[1]', artifact: 'alertmanager/alertmanager.yml' });
    expect(latency!.message).toContain('ServiceDown (about one instance)');
    expect(latency!.message).toContain('lacks "instance"');
    expect(latency!.hint).toContain('add "instance" to equal');
    expect(problems.map((p) => p.message.match(/mute (\w+)/)![1]).sort()).toEqual(['HighLatency', 'LowThroughput']);
  });

  it("flags a user's rule by its config path, keyed on the service, whatever alerts carry the service", async () => {
    const problems = await withRules([{ source: { severity: 'critical' }, target: { severity: 'warning' }, equal: ['cluster', 'service'] }]);
    const latency = problems.find((p) => p.message.includes('mute HighLatency'))!;
    expect(latency.path).toBe('alerting.inhibitRules[0]');
    // ServiceDown is about one target; ModelMetricsMissing, which names its model's service, about one model.
    expect(latency.message).toContain('ModelMetricsMissing (about one model), ServiceDown (about one instance)');
    expect(latency.message).toContain('lacks "instance", "model"');
  });

  it('flags a rule keyed on the service that lets a critical about one model mute a warning about another model', async () => {
    const problems = await withRules([{ source: { alertname: 'ModelMetricsMissing' }, target: { alertname: 'ModelMetricsMissing' }, equal: ['service'] }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/lets ModelMetricsMissing \(about one model\) mute ModelMetricsMissing .* lacks "model"/);
  });

  it('flags a service alert muting model alerts, naming every missing label, and accepts the same rule once equal has them', async () => {
    const broad = { source: { severity: 'critical' }, target: { severity: 'warning' }, equal: ['cluster'] };
    const problems = await withRules([broad]);
    const drift = problems.find((p) => p.message.includes('mute DataDriftDetected'))!;
    expect(drift.message).toContain('HighErrorRate (about one service)');
    expect(drift.message).toContain('ModelAccuracyDrop (about one model)');
    // ScrapeJobAbsent, about one job, is among the sources: `job` too.
    expect(drift.message).toMatch(/lacks "instance", "job", "model", "service"/);
    // Keyed on the model alone, node and service alerts still pair (neither side has a model: Alertmanager
    // counts that as equal) and are flagged; keyed on every identity label, nothing is about something else.
    expect((await withRules([{ ...broad, equal: ['cluster', 'model'] }])).map((p) => p.message.match(/mute (\w+)/)![1]).sort())
      .toEqual(['HighCPUUsage', 'HighLatency', 'HighMemoryUsage', 'LowThroughput']);
    expect(await withRules([{ ...broad, equal: ['cluster', 'model', 'service', 'instance'] }])).toEqual([]);
  });

  it("reads a custom alert's labels from its top-level by (...), and leaves alone one whose labels it can't read", async () => {
    const rules: MonitoringConfig['rules'] = {
      alerts: [
        { name: 'ModelErrors', expr: 'sum by (model) (rate(predictions_total{status="error"}[5m])) > 1', severity: 'critical', summary: 's', description: 'd' },
        { name: 'RawErrors', expr: 'rate(predictions_total{status="error"}[5m]) > 1', severity: 'critical', summary: 's', description: 'd' },
      ],
    };
    const problems = await withRules([{ source: { severity: 'critical' }, target: { alertname: 'HighLatency' }, equal: ['cluster'] }], { rules });
    const latency = problems.find((p) => p.message.includes('mute HighLatency'))!;
    expect(latency.message).toContain('ModelErrors (about one model)');
    expect(latency.message).not.toContain('RawErrors');
  });

  it('names the default rule in the path and says how to replace the defaults', async () => {
    const model = modelOf(base);
    const defaults = buildInhibitRules(undefined);
    expect(defaults.map((r) => r.source)).toEqual([
      'alerting.inhibitRules (default rule 1, about the same model)',
      'alerting.inhibitRules (default rule 2, about the same service)',
      'alerting.inhibitRules (default rule 3, about the same instance)',
    ]);
    // The default service rule with its `instance=""` dropped lets ServiceDown in as a source again.
    const loosened = { ...model, alertmanager: { ...model.alertmanager, inhibitRules: [{ ...defaults[1]!, sourceMatchers: defaults[1]!.sourceMatchers.filter((m) => m !== 'instance=""') }] } };
    const problems = await checkInhibitRules(loosened);
    expect(problems.map((p) => p.path)).toEqual(['alerting.inhibitRules (default rule 2, about the same service)', 'alerting.inhibitRules (default rule 2, about the same service)']);
    expect(problems.map((p) => p.message.match(/mute (\w+)/)![1]).sort()).toEqual(['HighLatency', 'LowThroughput']);
    expect(problems[0]!.hint).toContain('rules of your own there replace them');
  });
});
