import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/problems.js';
import { generateFromConfig, problemsOf } from '../support/fixtures.js';

const validBase = {
  services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } },
  models: { 'fraud-detector': { service: 'model-api' } },
  alerting: {
    receivers: { default: { webhook: [{ url: 'http://hooks.internal/alerts' }] }, oncall: { pagerduty: [{ routingKeyFile: '/etc/alertmanager/secrets/pd' }] } },
    routes: [{ match: { severity: 'critical' }, receiver: 'oncall' }],
  },
};

const patch = (changes: (c: any) => void) => {
  const config = structuredClone(validBase) as any;
  changes(config);
  return config;
};

describe('config problems', () => {
  it('accepts the valid base config', async () => {
    expect(await problemsOf(validBase)).toEqual([]);
  });

  const cases: { name: string; config: unknown; expected: Partial<Problem> & { id: string; path: string } }[] = [
    {
      name: 'a misspelt key is reported with its path and a did-you-mean',
      config: patch((c) => { c.models['fraud-detector'].thresholds = { minAcuracy: 0.9 }; }),
      expected: { id: 'config/unknown-key', path: 'models.fraud-detector.thresholds.minAcuracy', value: 'minAcuracy', hint: 'did you mean "minAccuracy"?' },
    },
    {
      name: 'a ratio of 1.5 is reported with the bad value and what is allowed',
      config: patch((c) => { c.models['fraud-detector'].thresholds = { minAccuracy: 1.5 }; }),
      expected: { id: 'config/invalid-value', path: 'models.fraud-detector.thresholds.minAccuracy', value: 1.5 },
    },
    {
      name: 'a route to an unknown receiver is reported with the known receivers and a did-you-mean',
      config: patch((c) => { c.alerting.routes[0].receiver = 'on-call'; }),
      expected: { id: 'config/unknown-receiver', path: 'alerting.routes[0].receiver', value: 'on-call', hint: 'did you mean "oncall"?' },
    },
    {
      name: 'a literal password is refused and pointed at its *File form',
      config: patch((c) => { c.alerting.smtp = { smarthost: 'smtp.example.com:587', from: 'am@example.com', authPassword: 'hunter2' }; }),
      expected: { id: 'config/literal-secret', path: 'alerting.smtp.authPassword', value: '<redacted>', hint: 'use authPasswordFile instead' },
    },
    {
      name: 'a Slack webhook URL in a webhook url is refused as a secret',
      config: patch((c) => { c.alerting.receivers.default.webhook[0].url = 'https://hooks.slack.com/services/T000/B000/XXXX'; }),
      expected: { id: 'config/literal-secret', path: 'alerting.receivers.default.webhook[0].url' },
    },
    {
      name: 'a model served by a service that does not exist is reported',
      config: patch((c) => { c.models['fraud-detector'].service = 'model-apii'; }),
      expected: { id: 'config/unknown-service', path: 'models.fraud-detector.service', hint: 'did you mean "model-api"?' },
    },
    {
      name: 'a route matching an alert that does not exist is reported with a did-you-mean',
      config: patch((c) => { c.alerting.routes[0].match = { alertname: 'ModelAccuracyDorp' }; }),
      expected: { id: 'config/unknown-alert', path: 'alerting.routes[0].match.alertname', hint: 'did you mean "ModelAccuracyDrop"?' },
    },
    {
      name: 'a malformed duration is reported with the Prometheus duration form',
      config: patch((c) => { c.prometheus = { scrapeInterval: '15 seconds' }; }),
      expected: { id: 'config/invalid-value', path: 'prometheus.scrapeInterval', value: '15 seconds' },
    },
    {
      name: 'a percentage of 0 is out of range',
      config: patch((c) => { c.infrastructure = { thresholds: { maxCpuPercent: 0 } }; }),
      expected: { id: 'config/invalid-value', path: 'infrastructure.thresholds.maxCpuPercent', value: 0 },
    },
    {
      name: 'a model name with a newline is not a valid label value',
      config: patch((c) => { c.models['bad\nname'] = { service: 'model-api' }; }),
      expected: { id: 'config/invalid-name', path: 'models["bad\\nname"]' },
    },
    {
      name: 'a misspelt severity gets a did-you-mean from the allowed values',
      config: patch((c) => { c.alerting.routes[0].match = { severity: 'critcal' }; }),
      expected: { id: 'config/invalid-value', path: 'alerting.routes[0].match.severity', value: 'critcal' },
    },
    {
      name: 'a service with both kinds of discovery is ambiguous',
      config: patch((c) => { c.services['model-api'].discovery.staticTargets = ['10.0.0.1:8080']; }),
      expected: { id: 'config/discovery', path: 'services.model-api.discovery' },
    },
  ];

  for (const { name, config, expected } of cases) {
    it(name, async () => {
      const problems = await problemsOf(config);
      expect(problems).toContainEqual(expect.objectContaining(expected));
      const problem = problems.find((p) => p.id === expected.id && p.path === expected.path)!;
      expect(problem.message.length).toBeGreaterThan(10);
    });
  }

  it('knows every alert mlmon generates, the GPU pack\'s and the SLO alerts included, for routes and custom alerts', async () => {
    const withGpus = (changes: (c: any) => void) => patch((c) => {
      c.infrastructure = { gpus: { dcgm: { version: '4.5', targets: ['gpu-node-1:9400'] } } };
      c.models['fraud-detector'].slos = { availability: { indicator: { kind: 'availability' }, objective: 99 } };
      changes(c);
    });
    // A route to each kind of generated alert is accepted.
    for (const alertname of ['GpuFatalXid', 'ErrorBudgetBurn', 'SLOIndicatorMissing', 'ServiceUnreachable']) {
      expect(await problemsOf(withGpus((c) => { c.alerting.routes = [{ match: { alertname }, receiver: 'oncall' }]; })), alertname).toEqual([]);
    }
    // A custom alert can't take the name of one of them: there would be two rules of one name.
    for (const name of ['GpuFatalXid', 'ErrorBudgetBurn']) {
      const problems = await problemsOf(withGpus((c) => { c.rules = { alerts: [{ name, expr: 'up == 0', severity: 'warning', summary: 's', description: 'd' }] }; }));
      expect(problems.map((p) => [p.id, p.path]), name).toEqual([['config/duplicate-alert', 'rules.alerts[0].name']]);
    }
  });

  it('says what is allowed for a ratio out of range', async () => {
    const [problem] = await problemsOf(patch((c) => { c.models['fraud-detector'].thresholds = { minAccuracy: 1.5 }; }));
    expect(problem!.allowed).toMatch(/at most 1/);
    expect(problem!.allowed).toMatch(/false/);
  });

  it('lists every problem of a config at once, not just the first', async () => {
    const problems = await problemsOf(patch((c) => {
      c.models['fraud-detector'].thresholds = { minAcuracy: 0.9, maxDriftScore: 7 };
      c.prometheus = { scrapeInterval: 'soon' };
      c.alerting.smtp = { smarthost: 'smtp:25', from: 'a@b', authPassword: 'x' };
    }));
    expect(problems.map((p) => p.path).sort()).toEqual([
      'alerting.smtp.authPassword',
      'models.fraud-detector.thresholds.maxDriftScore',
      'models.fraud-detector.thresholds.minAcuracy',
      'prometheus.scrapeInterval',
    ]);
  });

  it('never echoes a secret value back', async () => {
    const problems = await problemsOf(patch((c) => { c.alerting.smtp = { smarthost: 'smtp:25', from: 'a@b', authPassword: 'hunter2' }; }));
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});
