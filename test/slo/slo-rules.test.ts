/**
 * SLOs: the tier sets match their sources, the rules stay as many at 10,000 models as at 10, overrides and
 * defaults resolve as documented, and every config mistake is reported on its path.
 */
import { describe, expect, it } from 'vitest';
import { defaultTiers } from '../../src/catalog/slo/tiers.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { generateFromConfig, modelOf, problemsOf } from '../support/fixtures.js';

const modelSlos = {
  availability: { indicator: { kind: 'availability' }, objective: 99.5 },
  latency: { indicator: { kind: 'latency', thresholdSeconds: 0.5 }, objective: 99, window: '30d', tiers: 'pyrra' },
} as const;

function fleet(models: number, extra: Partial<MonitoringConfig> = {}): MonitoringConfig {
  return {
    services: { api: { discovery: { staticTargets: ['api:80'] }, slos: { availability: { indicator: { kind: 'availability' }, objective: 99.9 } } } },
    defaults: { modelSlos },
    models: Object.fromEntries(Array.from({ length: models }, (_, i) => [`m${i}`, { service: 'api' }])),
    ...extra,
  } as MonitoringConfig;
}

const sloRules = (config: MonitoringConfig) => modelOf(config).ruleFiles.filter((f) => f.name === 'slo.yml').flatMap((f) => f.groups.flatMap((g) => g.rules));

describe('SLO tiers', () => {
  it('are the SRE workbook\'s, with Sloth\'s factors at 30 and 28 days (2%/5%/10%/10% of the budget over 1h, 6h, 1d, 3d)', () => {
    expect(defaultTiers('sre-workbook', '30d').map((t) => [t.name, t.factor, t.longWindow, t.shortWindow, t.severity])).toEqual([
      ['page-fast', 14.4, '1h', '5m', 'critical'], ['page-slow', 6, '6h', '30m', 'critical'], ['ticket-fast', 3, '1d', '2h', 'warning'], ['ticket-slow', 1, '3d', '6h', 'warning'],
    ]);
    expect(defaultTiers('sre-workbook', '28d').map((t) => t.factor)).toEqual([13.44, 5.6, 2.8, 0.9333]);
    expect(defaultTiers('sre-workbook', '7d').map((t) => t.factor)).toEqual([3.36, 1.4, 0.7, 0.2333]);
  });

  it('are Pyrra\'s, whose windows scale with the SLO window (rounded to minutes) and whose factors don\'t', () => {
    expect(defaultTiers('pyrra', '28d').map((t) => [t.factor, t.longWindow, t.shortWindow, t.for])).toEqual([[14, '1h', '5m', '2m'], [7, '6h', '30m', '15m'], [2, '1d', '2h', '1h'], [1, '4d', '6h', '3h']]);
    expect(defaultTiers('pyrra', '7d').map((t) => [t.longWindow, t.shortWindow, t.for])).toEqual([['15m', '1m', '1m'], ['1h30m', '8m', '4m'], ['6h', '30m', '15m'], ['1d', '1h30m', '45m']]);
  });
});

describe('SLO rules', () => {
  it('are as many at 10,000 models as at 10: indicators, windows and tiers, never models', () => {
    const at10 = sloRules(fleet(10));
    const at10k = sloRules(fleet(10_000));
    expect(at10k.length).toBe(at10.length);
    expect(at10k.map((r) => (r.kind === 'alert' ? r.alert : r.record))).toEqual(at10.map((r) => (r.kind === 'alert' ? r.alert : r.record)));
    expect(at10.filter((r) => r.kind === 'alert').map((r) => r.kind === 'alert' && `${r.alert} ${r.labels.slo_tier ?? ''} ${r.labels.burn_windows ?? ''}`)).toEqual([
      'ErrorBudgetBurn page-fast 1h/5m', 'ErrorBudgetBurn page-slow 6h/30m', 'ErrorBudgetBurn ticket-fast 1d/2h', 'ErrorBudgetBurn ticket-slow 3d/6h',
      // Pyrra's windows for 30 days: its 28-day windows times 30/28, rounded to minutes.
      'ErrorBudgetBurn page-fast 1h4m/5m', 'ErrorBudgetBurn page-slow 6h26m/32m', 'ErrorBudgetBurn ticket-fast 1d1h43m/2h9m', 'ErrorBudgetBurn ticket-slow 4d6h51m/6h26m',
      'SLOIndicatorMissing  ',
    ]);
  });

  it('make objectives series: one per listed SLO, one default per default SLO, none for a dropped one', () => {
    const model = modelOf(fleet(2, { models: { m0: { service: 'api', slos: { availability: { objective: 99.9 }, latency: false } }, m1: { service: 'api', slos: { freshness: { indicator: { kind: 'ratio', errors: 'sum by (model) (rate(stale_total[{{window}}]))', total: 'sum by (model) (rate(served_total[{{window}}]))' }, objective: 95 } } } } } as Partial<MonitoringConfig>));
    const objectives = model.ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r) => r.kind === 'record' && r.record.startsWith('mlmon:slo_objective'));
    expect(objectives.map((r) => [r.kind === 'record' && r.record, r.labels.model ?? r.labels.service ?? '*', r.labels.slo, r.expr])).toEqual([
      ['mlmon:slo_objective:ratio', 'api', 'availability', 'vector(0.999)'],
      ['mlmon:slo_objective:default_ratio', '*', 'availability', 'vector(0.995)'],
      ['mlmon:slo_objective:default_ratio', '*', 'latency', 'vector(0.99)'],
      ['mlmon:slo_objective:ratio', 'm0', 'availability', 'vector(0.999)'],
      ['mlmon:slo_objective:ratio', 'm1', 'availability', 'vector(0.995)'],
      ['mlmon:slo_objective:ratio', 'm1', 'latency', 'vector(0.99)'],
      ['mlmon:slo_objective:ratio', 'm1', 'freshness', 'vector(0.95)'],
    ]);
    expect(model.slos.slos.find((s) => s.name === 'freshness')?.sli).toBe('model-ratio-freshness');
  });

  it('read windows of a day and more from the 5m recordings, not from raw samples', () => {
    const rules = sloRules(fleet(1));
    const threeDays = rules.find((r) => r.kind === 'record' && r.record === 'mlmon:slo_errors:rate3d');
    expect(threeDays?.expr).toBe('avg_over_time(mlmon:slo_errors:rate5m{sli="model-availability"}[3d])');
    expect(rules.find((r) => r.kind === 'record' && r.record === 'mlmon:slo_errors:rate6h')?.expr).toBe('sum by (model) (rate(predictions_total{status="error"}[6h]))');
  });

  it('mute an SLO\'s ticket tiers under its page tiers, by a default inhibit rule on the same SLO', () => {
    const rule = modelOf(fleet(1)).alertmanager.inhibitRules.find((r) => r.sourceMatchers.includes('slo_tier=~"page-.*"'));
    expect(rule).toEqual(expect.objectContaining({ targetMatchers: ['alertname="ErrorBudgetBurn"', 'slo_tier=~"ticket-.*"'], equal: ['cluster', 'model', 'service', 'slo'] }));
    expect(modelOf({ services: { api: { discovery: { staticTargets: ['api:80'] } } } } as MonitoringConfig).alertmanager.inhibitRules.some((r) => r.sourceMatchers.includes('slo_tier=~"page-.*"'))).toBe(false);
  });

  it('route every tier of every team, in the generated routing tests', () => {
    const cases = modelOf(fleet(1)).routingTests.filter((c) => c.labels.alertname === 'ErrorBudgetBurn').map((c) => `${c.labels.slo_tier} ${c.labels.severity}`);
    expect(new Set(cases)).toEqual(new Set(['page-fast critical', 'page-slow critical', 'ticket-fast warning', 'ticket-slow warning']));
  });
});

describe('SLO config problems', () => {
  it('are reported on the SLO\'s path, with what is allowed and a did-you-mean', async () => {
    const problems = await problemsOf(fleet(1, {
      models: {
        m0: { service: 'api', slos: { availabilty: { objective: 99.9 } } },
        m1: { service: 'api', slos: { latency: { indicator: { kind: 'latency', thresholdSeconds: 0.3 } } } },
        m2: { service: 'api', slos: { custom: { indicator: { kind: 'ratio', errors: 'sum(rate(bad_total[5m]))', total: 'sum by (model) (rate(all_total[{{window}}]))' }, objective: 99 } } },
      },
    } as Partial<MonitoringConfig>));
    const slo = problems.filter((p) => p.id.includes('slo'));
    expect(slo).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: 'config/incomplete-slo', path: 'models.m0.slos.availabilty', hint: 'did you mean availability?' }),
      expect.objectContaining({ id: 'config/slo-latency-bucket', path: 'models.m1.slos.latency.indicator.thresholdSeconds', value: 0.3, hint: 'did you mean 0.25?' }),
      expect.objectContaining({ id: 'config/slo-ratio-query', path: 'models.m2.slos.custom.indicator.errors' }),
    ]));
    expect(slo).toHaveLength(3);
  });

  it('accept a latency target on a bucket a metrics entry declares for the built-in histogram', async () => {
    const config = fleet(1, { metrics: [{ name: 'model_inference_duration_seconds', type: 'histogram', buckets: [0.3, 1] }], models: { m0: { service: 'api', slos: { latency: { indicator: { kind: 'latency', thresholdSeconds: 0.3 }, objective: 99 } } } } } as Partial<MonitoringConfig>);
    const problems = (await problemsOf(config)).filter((p) => p.id.includes('slo'));
    // The default latency SLO (0.5 s) is no bucket of the declared histogram any more; m0's own 0.3 s is.
    expect(problems.map((p) => [p.id, p.path])).toEqual([['config/slo-latency-bucket', 'defaults.modelSlos.latency.indicator.thresholdSeconds']]);
  });

  it('refuse a tier whose short window one lost scrape empties, at the edge of three scrape intervals', async () => {
    // The page-fast tier's short window is 5m: a rate over it needs three scrape intervals (100 s at most).
    const at = async (scrapeInterval: string) => (await problemsOf(fleet(1, { prometheus: { scrapeInterval } } as Partial<MonitoringConfig>))).filter((p) => p.id === 'config/slo-window');
    expect(await at('100s')).toEqual([]);
    const refused = await at('101s');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((p) => p.severity === 'error')).toBe(true);
    expect(refused.map((p) => p.path)).toContain('defaults.modelSlos.availability.window');
  });

  it('apply a default SLO only to models whose server exports its indicator, and refuse a model SLO that could never see an event', async () => {
    const llm = { discovery: { staticTargets: ['llm:8000'] }, integration: { vllm: { version: '0.11' } } };
    const config = fleet(2, { services: { api: fleet(0).services!.api!, llm }, models: { m0: { service: 'api' }, chat: { service: 'llm' }, chat2: { service: 'llm', slos: { availability: false } } } } as Partial<MonitoringConfig>);
    // No objective for the vLLM models (they export neither predictions_total nor the inference histogram)…
    const objectives = modelOf(config).slos.slos.filter((s) => s.scope === 'model' && s.target !== undefined).map((s) => `${s.target} ${s.name}`);
    expect(objectives).toEqual(['m0 availability', 'm0 latency']);
    // …and a warning per default SLO, naming the models it doesn't apply to (chat2 dropped availability itself).
    expect(await problemsOf(config)).toEqual([]);
    const problems = (await generateFromConfig(config)).warnings.filter((p) => p.id.startsWith('config/slo-'));
    expect(problems.map((p) => [p.id, p.severity, p.path])).toEqual([
      ['config/slo-default-not-exported', 'warning', 'defaults.modelSlos.availability'],
      ['config/slo-default-not-exported', 'warning', 'defaults.modelSlos.latency'],
    ]);
    expect(problems[0]!.message).toContain('predictions_total');
    expect(problems[0]!.message).toContain('chat (llm, vllm)');
    expect(problems[0]!.message).not.toContain('chat2');
    expect(problems[1]!.message).toContain('chat (llm, vllm), chat2 (llm, vllm)');
    // A model's own SLO on mlmon's metrics, for a vLLM model: an error on its path.
    const own = fleet(0, { services: { llm }, models: { chat: { service: 'llm', slos: { availability: false, latency: false, mine: { indicator: { kind: 'latency', thresholdSeconds: 0.5 }, objective: 99 } } } } } as Partial<MonitoringConfig>);
    expect((await problemsOf(own)).filter((p) => p.id.startsWith('config/slo-')).map((p) => [p.id, p.severity, p.path])).toEqual([['config/slo-indicator-not-exported', 'error', 'models.chat.slos.mine.indicator']]);
  });

  it('warn of a tier that could never fire, and refuse two default SLOs on one indicator', async () => {
    const problems = await problemsOf(fleet(1, { defaults: { modelSlos: { ...modelSlos, loose: { indicator: { kind: 'availability' }, objective: 90 } } } } as Partial<MonitoringConfig>));
    expect(problems.filter((p) => p.id === 'config/slo-same-indicator').map((p) => p.path)).toEqual(['defaults.modelSlos.loose']);
    expect(problems.filter((p) => p.id === 'config/slo-unreachable-tier').map((p) => p.message)).toEqual([expect.stringContaining('page-fast tier of defaults.modelSlos.loose fires at 13.44× the error budget, 134.4% errors')]);
  });
});
