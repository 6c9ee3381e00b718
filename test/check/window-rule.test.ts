/**
 * Every range window mlmon writes or accepts survives one lost scrape. Prometheus 3 range selectors are
 * left-open, right-closed, so a window of n scrape intervals holds n samples and n - 1 after a lost scrape:
 * functions that need 2 samples (rate family) need 3 intervals, functions that need 1 (*_over_time, changes,
 * resets) need 2. Each edge: exactly at the bound passes, one second under fails.
 */
import { describe, expect, it } from 'vitest';
import { checkPromql } from '../../src/check/promql-semantics.js';
import { alertCatalog } from '../../src/catalog/index.js';
import { activeCatalog } from '../../src/catalog/integrations/index.js';
import { windowFamilyOf } from '../../src/config/semantics.js';
import { generateExample, generateFromConfig, modelOf, problemsOf } from '../support/fixtures.js';

const catalog = modelOf({}).metricCatalog;
const scrape = 15;

// [function call with the window as `W`, scrape intervals the window must span]
const families: [string, number][] = [
  ['rate(http_requests_total[W])', 3],
  ['increase(http_requests_total[W])', 3],
  ['irate(http_requests_total[W])', 3],
  ['delta(model_accuracy[W])', 3],
  ['idelta(model_accuracy[W])', 3],
  ['deriv(model_accuracy[W])', 3],
  ['predict_linear(model_accuracy[W], 3600)', 3],
  ['avg_over_time(model_accuracy[W])', 2],
  ['min_over_time(model_accuracy[W])', 2],
  ['max_over_time(model_accuracy[W])', 2],
  ['sum_over_time(model_accuracy[W])', 2],
  ['count_over_time(model_accuracy[W])', 2],
  ['last_over_time(model_accuracy[W])', 2],
  ['quantile_over_time(0.9, model_accuracy[W])', 2],
  ['stddev_over_time(model_accuracy[W])', 2],
  ['present_over_time(model_accuracy[W])', 2],
  ['absent_over_time(model_accuracy[W])', 2],
  ['changes(model_accuracy[W])', 2],
  ['resets(http_requests_total[W])', 2],
];

async function windowProblems(expr: string, scrapeIntervalSeconds = scrape): Promise<string[]> {
  const problems = await checkPromql({ expr, artifact: 'prometheus/rules/alerts.yml', object: 'A' }, { catalog, scrapeIntervalSeconds });
  return problems.filter((p) => p.id === 'rules/rate-window').map((p) => p.message);
}

describe('rules/rate-window', () => {
  for (const [call, intervals] of families) {
    const bound = intervals * scrape;
    it(`${call.replace('W', `${bound}s`)} passes at a ${scrape}s scrape interval (exactly ${intervals} intervals)`, async () => {
      expect(await windowProblems(call.replace('W', `${bound}s`))).toEqual([]);
    });
    it(`${call.replace('W', `${bound - 1}s`)} fails at a ${scrape}s scrape interval (one second under)`, async () => {
      const messages = await windowProblems(call.replace('W', `${bound - 1}s`));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(new RegExp(`one lost scrape leaves ${intervals - 2}`));
    });
  }

  it('leaves a Grafana $__rate_interval alone', async () => {
    expect(await windowProblems('rate(http_requests_total[$__rate_interval])')).toEqual([]);
  });

  it('follows the scrape interval: [2m] is enough for a rate at 40s and not at 41s', async () => {
    expect(await windowProblems('rate(http_requests_total[2m])', 40)).toEqual([]);
    expect(await windowProblems('rate(http_requests_total[2m])', 41)).toHaveLength(1);
  });
  // A user's custom rule with a short window: test/fixtures/validate/over-time-window-one-lost-scrape.
});

describe('config/alert-window', () => {
  // The built-ins: an integration's alerts are judged only where a service runs it.
  const rateAlerts: string[] = activeCatalog(alertCatalog, new Set()).filter((a) => windowFamilyOf(a) === 'rate').map((a) => a.name);

  for (const name of rateAlerts) {
    it(`alerts.${name}.window of 45s passes at a 15s scrape interval, 44s fails on its config path`, async () => {
      expect((await problemsOf({ alerts: { [name]: { window: '45s' } } })).filter((p) => p.id === 'config/alert-window')).toEqual([]);
      const problems = (await problemsOf({ alerts: { [name]: { window: '44s' } } })).filter((p) => p.id === 'config/alert-window');
      expect(problems).toEqual([expect.objectContaining({ path: `alerts.${name}.window`, value: '44s', severity: 'error' })]);
    });
  }

  it('a window on an alert that takes none is reported, not silently ignored', async () => {
    const gaugeAlerts = alertCatalog.filter((a) => windowFamilyOf(a) === undefined).map((a) => a.name);
    expect(gaugeAlerts.length).toBeGreaterThan(0);
    for (const name of gaugeAlerts) {
      // A warning: generate still writes, and says so.
      const problems = (await generateFromConfig({ alerts: { [name]: { window: '10m' } } })).warnings.filter((p) => p.id === 'config/unused-window');
      expect(problems).toEqual([expect.objectContaining({ path: `alerts.${name}.window`, severity: 'warning' })]);
    }
  });

  it('a disabled alert\'s window is not judged', async () => {
    expect((await problemsOf({ alerts: { HighErrorRate: { window: '10s', enabled: false } } })).filter((p) => p.id === 'config/alert-window')).toEqual([]);
  });

  it('the example\'s defaults hold at a 15s scrape interval and at 60s', async () => {
    expect((await problemsOf({ prometheus: { scrapeInterval: '15s' } })).filter((p) => p.id === 'config/alert-window')).toEqual([]);
    expect((await problemsOf({ prometheus: { scrapeInterval: '60s' } })).filter((p) => p.id === 'config/alert-window')).toEqual([]);
  });

  it('a scrape interval too long for the default windows is reported on prometheus.scrapeInterval', async () => {
    // ServiceUnreachable's default 2m window holds an *_over_time at up to 60s; the default 5m window holds a
    // rate at up to 100s; LowPredictionConfidence's 10m up to 200s.
    const reported = async (interval: string) => (await problemsOf({ prometheus: { scrapeInterval: interval } }))
      .filter((p) => p.id === 'config/alert-window').map((p) => /too long for (\w+)'s default window/.exec(p.message)?.[1] ?? p.message);
    expect(await reported('60s')).toEqual([]);
    expect(await reported('61s')).toEqual(['ServiceUnreachable']);
    expect(await reported('100s')).toEqual(['ServiceUnreachable']);
    const at101 = await reported('101s');
    expect([...at101].sort()).toEqual([...rateAlerts.filter((n) => n !== 'LowPredictionConfidence'), 'ServiceUnreachable'].sort());
    const hint = (await problemsOf({ prometheus: { scrapeInterval: '101s' } })).find((p) => p.id === 'config/alert-window' && p.message.includes('for HighErrorRate\'s'))!.hint;
    expect(hint).toMatch(/set alerts\.HighErrorRate\.window to 303s or more/);
  });

  it('the family table matches the generated expressions: rate-family alerts take a rate over their window, the others use no window', async () => {
    const { model } = await generateExample();
    for (const alert of model.builtinAlerts) {
      const family = windowFamilyOf(alert.definition);
      // The functions needing two samples in their window (config/semantics.ts windowSamplesNeeded).
      const windowed = /\b(rate|increase|irate|deriv|predict_linear)\([^)]*\[\w+\]/.test(alert.rule.expr);
      const overTime = /_over_time\(/.test(alert.rule.expr);
      expect({ alert: alert.name, family: family ?? null }).toEqual({ alert: alert.name, family: windowed ? 'rate' : overTime ? 'overTime' : null });
    }
  });

  it('mlmon\'s own rules pass the window check at the example\'s scrape interval', async () => {
    const { model } = await generateExample();
    const seconds = Number(model.prometheus.scrapeInterval.replace(/s$/, ''));
    for (const file of model.ruleFiles) {
      for (const group of file.groups) {
        for (const rule of group.rules) expect(await windowProblems(rule.expr, seconds)).toEqual([]);
      }
    }
  });
});
