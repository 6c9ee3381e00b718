/**
 * Alerts in a real cluster, proven by the pinned promtool against the rules generated from the example config:
 * pods come and go (rollouts, evictions, autoscaling), scrapes fail, replicas multiply, a service vanishes.
 * Each scenario is a hand-written promtool rule unit test: input series as Prometheus would store them (one
 * series per pod, staleness markers where a pod's series ends or a scrape fails), and which alerts must be
 * firing at which time.
 *
 * The example: scrape every 15s, rules every 30s; fraud-detector's accuracy threshold is 0.9 (ModelAccuracyDrop,
 * critical, for 15m, window 5m), image-classifier has the default drift threshold 0.3 (DataDriftDetected,
 * warning, for 10m), ServiceUnreachable is for 3m over a 2m window, ModelMetricsMissing for 5m over 5m.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandAnnotation } from '../../src/formats/go-format.js';
import type { Generated } from '../../src/pipeline.js';
import { generateExample, generateFromConfig, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

const run = promisify(execFile);
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

interface ExpectedAlert {
  readonly labels: Record<string, string>;
  /** $value, for the annotations. */
  readonly value: number;
}

interface Scenario {
  readonly name: string;
  readonly series: Record<string, string>;
  /** At each time, the alerts of these names that must be firing (exactly these). */
  readonly expect: readonly { at: string; alertname: string; alerts: readonly ExpectedAlert[] }[];
}

let generated: Generated;
beforeAll(async () => {
  generated = await generateExample();
});

/** A model-api pod's target labels, as the generated Kubernetes pod scrape job writes them. */
const pod = (name: string) => ({ job: 'model-api', service: 'model-api', namespace: 'ml-serving', pod: name, instance: `10.0.0.${name.charCodeAt(name.length - 1) % 200}:8080` });
const series = (metric: string, labels: Record<string, string>) => `${metric}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;

/** Runs the scenarios as one promtool test file against the generated rules; returns promtool's verdict. */
async function promtool(gen: Generated, scenarios: readonly Scenario[]): Promise<{ ok: boolean; output: string }> {
  const { dir, cleanup } = scratchDir('mlmon-scenarios-');
  cleanups.push(cleanup);
  for (const file of gen.files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  const model = gen.model;
  const rules = new Map(model.ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules)).flatMap((r) => (r.kind === 'alert' ? [[r.alert, r] as const] : [])));
  const test = {
    rule_files: model.ruleFiles.map((f) => `../rules/${f.name}`),
    evaluation_interval: model.prometheus.ruleGroupInterval,
    group_eval_order: model.ruleFiles.flatMap((f) => f.groups.map((g) => g.name)),
    tests: scenarios.map((s) => ({
      name: s.name,
      interval: model.prometheus.scrapeInterval,
      input_series: Object.entries(s.series).map(([name, values]) => ({ series: name, values })),
      alert_rule_test: s.expect.map((e) => {
        const rule = rules.get(e.alertname)!;
        expect(rule, `the generated rules have ${e.alertname}`).toBeDefined();
        return {
          eval_time: e.at,
          alertname: e.alertname,
          exp_alerts: e.alerts.map((a) => ({
            exp_labels: { ...a.labels, ...rule.labels, alertname: e.alertname },
            exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expandAnnotation(v, a.labels, a.value)])),
          })),
        };
      }),
    })),
  };
  const path = join(dir, 'prometheus/tests/scenarios.test.yml');
  // JSON is YAML: promtool reads it as such.
  writeFileSync(path, JSON.stringify(test, null, 2));
  try {
    const { stdout, stderr } = await run(tool('promtool'), ['test', 'rules', 'scenarios.test.yml'], { cwd: dirname(path) });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function expectPasses(scenarios: readonly Scenario[], gen: Generated = generated): Promise<void> {
  const result = await promtool(gen, scenarios);
  expect(result.output).not.toMatch(/FAILED/);
  expect(result.ok, result.output).toBe(true);
}

const fraud = { model: 'fraud-detector', team: 'ml-risk' };
const accuracyDrop = (value: number) => [{ labels: fraud, value }];

describe('model and service alerts are about the model and the service, not the pod (promtool)', () => {
  it("keep ModelAccuracyDrop's `for` running when the serving pod is replaced at minute 10: it fires 15m after minute 0, not after 10 + 15", async () => {
    await expectPasses([{
      name: 'fraud-detector at 0.5 for 25m, pod a replaced by pod b at minute 10',
      series: {
        // Pod a's last sample is at 10m, then its series ends (a staleness marker); pod b's first is at 10m15s.
        [series('model_accuracy', { model: 'fraud-detector', ...pod('model-api-a') })]: '0.5x40 stale',
        [series('model_accuracy', { model: 'fraud-detector', ...pod('model-api-b') })]: '_x41 0.5x60',
      },
      expect: [
        { at: '14m', alertname: 'ModelAccuracyDrop', alerts: [] },
        { at: '15m30s', alertname: 'ModelAccuracyDrop', alerts: accuracyDrop(0.5) },
        { at: '24m', alertname: 'ModelAccuracyDrop', alerts: accuracyDrop(0.5) },
      ],
    }]);
  });

  it('keep DataDriftDetected running across a rollout that leaves 45s without any pod of the model', async () => {
    const image = { model: 'image-classifier' };
    await expectPasses([{
      name: 'image-classifier drifting at 0.5; pod a gone after 4m, pod b scraped from 4m45s',
      series: {
        [series('data_drift_score', { ...image, ...pod('model-api-a') })]: '0.5x16 stale',
        [series('data_drift_score', { ...image, ...pod('model-api-b') })]: '_x19 0.5x40',
      },
      expect: [
        { at: '9m', alertname: 'DataDriftDetected', alerts: [] },
        { at: '10m30s', alertname: 'DataDriftDetected', alerts: [{ labels: { ...image, team: 'ml-platform' }, value: 0.5 }] },
      ],
    }]);
  });

  it('give one alert for three replicas of a model, listed or not, with the worst replica as its value', async () => {
    const unlisted = { model: 'churn-model' };
    await expectPasses([{
      name: 'three replicas of fraud-detector, of an unlisted model and of image-classifier',
      series: {
        [series('model_accuracy', { model: 'fraud-detector', ...pod('model-api-a') })]: '0.5x60',
        [series('model_accuracy', { model: 'fraud-detector', ...pod('model-api-b') })]: '0.55x60',
        [series('model_accuracy', { model: 'fraud-detector', ...pod('model-api-c') })]: '0.6x60',
        [series('model_accuracy', { ...unlisted, ...pod('model-api-a') })]: '0.7x60',
        [series('model_accuracy', { ...unlisted, ...pod('model-api-b') })]: '0.7x60',
        [series('model_accuracy', { ...unlisted, ...pod('model-api-c') })]: '0.8x60',
        [series('data_drift_score', { model: 'image-classifier', ...pod('model-api-a') })]: '0.5x60',
        [series('data_drift_score', { model: 'image-classifier', ...pod('model-api-b') })]: '0.4x60',
        [series('data_drift_score', { model: 'image-classifier', ...pod('model-api-c') })]: '0.1x60',
      },
      expect: [
        { at: '15m', alertname: 'ModelAccuracyDrop', alerts: [...accuracyDrop(0.5), { labels: { ...unlisted, team: 'ml-platform' }, value: 0.7 }] },
        { at: '15m', alertname: 'DataDriftDetected', alerts: [{ labels: { model: 'image-classifier', team: 'ml-platform' }, value: 0.5 }] },
      ],
    }]);
  });

  it("don't let a failed scrape (staleness markers) restart the `for` of an alert: model accuracy, node memory, an unlisted model's inference latency", async () => {
    const node = { instance: 'node-exporter:9100', job: 'node-exporter' };
    await expectPasses([{
      name: 'the scrape at 7m fails: every series of the target is marked stale, then comes back',
      series: {
        [series('model_accuracy', { model: 'fraud-detector', ...pod('model-api-a') })]: '0.5x27 stale 0.5x60',
        [series('node_memory_MemTotal_bytes', node)]: '1000x27 stale 1000x60',
        [series('node_memory_MemAvailable_bytes', node)]: '50x27 stale 50x60',
        // An unlisted model (default threshold 1s) whose every inference takes ~2.4s; the scrape at 3m fails.
        [series('model_inference_duration_seconds_bucket', { model: 'churn-model', le: '2.5', ...pod('model-api-a') })]: '0+10x11 stale 130+10x40',
        [series('model_inference_duration_seconds_bucket', { model: 'churn-model', le: '+Inf', ...pod('model-api-a') })]: '0+10x11 stale 130+10x40',
        [series('model_inference_duration_seconds_count', { model: 'churn-model', ...pod('model-api-a') })]: '0+10x11 stale 130+10x40',
      },
      expect: [
        { at: '15m30s', alertname: 'ModelAccuracyDrop', alerts: accuracyDrop(0.5) },
        // 95% used against 85%, for 5m: firing from 5m on, through the failed scrape.
        { at: '7m30s', alertname: 'HighMemoryUsage', alerts: [{ labels: { ...node, team: 'platform' }, value: 95 }] },
        // Pending from 30s (two samples in the rate window), firing from 5m30s: the failed scrape at 3m
        // leaves the model known (the default threshold joins on its presence over the window).
        { at: '6m', alertname: 'HighInferenceLatency', alerts: [{ labels: { model: 'churn-model', team: 'ml-platform' }, value: 2.5 * 0.95 }] },
      ],
    }]);
  });
});

describe('every model and service alert, three replicas instead of one (promtool)', () => {
  it('gives the same one alert per model or service, with the same value, when three pods export the series of each generated proof', async () => {
    const { model } = generated;
    const scoped = new Set<string>(model.builtinAlerts.filter((a) => a.scope !== 'infrastructure' && a.threshold).map((a) => a.name));
    // Each series of the generated "fires" proofs, exported by three pods: gauges with the same value, counters
    // by one busy pod and two idle ones (exact: a third each would put float noise into the annotations' digits),
    // so every sum, ratio, quantile, minimum and maximum stays what it was.
    const tripled = model.ruleTests.flatMap((file) => file.tests)
      .filter((t) => t.alertRuleTests.some((a) => scoped.has(a.alertname)) && / fires /.test(t.name))
      .map((t) => ({
        ...t,
        name: `${t.name}, three replicas`,
        inputSeries: t.inputSeries.flatMap((input) => [0, 1, 2].map((replica) => {
          const counter = /^0\+([^x]+)x(\d+)$/.exec(input.values);
          return {
            series: input.series.replace(/instance="([^"]+)"/, `instance="$1-replica-${replica}", pod="pod-${replica}"`),
            values: counter && replica > 0 ? `0+0x${counter[2]}` : input.values,
          };
        })),
      }));
    expect([...new Set(tripled.map((t) => t.alertRuleTests.at(-1)!.alertname))].sort()).toEqual([...scoped].sort());
    expect(tripled.every((t) => t.inputSeries.every((s) => s.series.includes('pod="pod-')))).toBe(true);

    const { dir, cleanup } = scratchDir('mlmon-replicas-');
    cleanups.push(cleanup);
    for (const file of generated.files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.content);
    }
    const test = {
      rule_files: model.ruleFiles.map((f) => `../rules/${f.name}`),
      evaluation_interval: model.prometheus.ruleGroupInterval,
      group_eval_order: model.ruleFiles.flatMap((f) => f.groups.map((g) => g.name)),
      tests: tripled.map((t) => ({
        name: t.name,
        interval: t.interval,
        input_series: t.inputSeries,
        alert_rule_test: t.alertRuleTests.map((a) => ({ eval_time: a.evalTime, alertname: a.alertname, exp_alerts: a.expAlerts.map((e) => ({ exp_labels: e.expLabels, exp_annotations: e.expAnnotations })) })),
      })),
    };
    writeFileSync(join(dir, 'prometheus/tests/replicas.test.yml'), JSON.stringify(test, null, 2));
    const result = await run(tool('promtool'), ['test', 'rules', 'replicas.test.yml'], { cwd: join(dir, 'prometheus/tests') }).then(
      ({ stdout }) => ({ ok: true, output: stdout }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.ok, result.output).toBe(true);
  });
});

describe('an alert that cannot see its input says so (promtool)', () => {
  const models = ['fraud-detector', 'recommendation-engine', 'image-classifier'];
  const teams: Record<string, string> = { 'fraud-detector': 'ml-risk', 'recommendation-engine': 'ml-platform', 'image-classifier': 'ml-platform' };
  const missing = models.map((model) => ({ labels: { model, service: 'model-api', team: teams[model]! }, value: 1 }));
  const unreachable = [{ labels: { service: 'model-api', team: 'ml-platform' }, value: 1 }];
  // The example's other service, llm (vLLM), stays up and its model reports through vLLM's presence gauge
  // (model_name copied to model at scrape time): only model-api is what these scenarios take away.
  const llm = { job: 'llm', service: 'llm', namespace: 'llm-serving', pod: 'llm-a', instance: '10.0.1.1:8000' };
  const llmHealthy: Record<string, string> = {
    [series('up', llm)]: '1x80',
    [series('vllm:num_requests_running', { model: 'support-assistant', model_name: 'support-assistant', ...llm })]: '1x80',
  };

  it('fires ServiceUnreachable and ModelMetricsMissing after their window and `for` when every pod of model-api disappears at minute 5', async () => {
    const gone: Record<string, string> = {};
    for (const name of ['model-api-a', 'model-api-b']) {
      gone[series('up', pod(name))] = '1x20 stale';
      for (const model of models) gone[series('model_accuracy', { model, ...pod(name) })] = '0.95x20 stale';
    }
    await expectPasses([{
      name: 'model-api scaled to zero at 5m',
      series: { ...gone, ...llmHealthy, [series('up', { instance: 'node-exporter:9100', job: 'node-exporter' })]: '1x80' },
      expect: [
        // Last successful scrape at 5m: gone from the 2m window at 7m, then `for` 3m.
        { at: '9m30s', alertname: 'ServiceUnreachable', alerts: [] },
        { at: '10m30s', alertname: 'ServiceUnreachable', alerts: unreachable },
        // Last sample at 5m: gone from the 5m window at 10m, then `for` 5m.
        { at: '14m30s', alertname: 'ModelMetricsMissing', alerts: [] },
        { at: '15m30s', alertname: 'ModelMetricsMissing', alerts: missing },
        // No target is left to be down.
        { at: '15m30s', alertname: 'ServiceDown', alerts: [] },
      ],
    }]);
  });

  it("fires ServiceUnreachable when model-api's targets exist but every one is down, beside ServiceDown per target with the service's team", async () => {
    const down: Record<string, string> = {};
    for (const name of ['model-api-a', 'model-api-b']) down[series('up', pod(name))] = '1x20 0x60';
    const node = { instance: 'node-exporter:9100', job: 'node-exporter' };
    await expectPasses([{
      name: 'both pods of model-api fail every scrape from 5m15s, and so does node-exporter',
      series: { ...down, ...llmHealthy, [series('up', node)]: '1x20 0x60' },
      expect: [
        { at: '10m30s', alertname: 'ServiceUnreachable', alerts: unreachable },
        {
          at: '10m30s', alertname: 'ServiceDown', alerts: [
            ...['model-api-a', 'model-api-b'].map((name) => ({ labels: { ...pod(name), team: 'ml-platform' }, value: 0 })),
            { labels: { ...node, team: 'platform' }, value: 0 },
          ],
        },
      ],
    }]);
  });

  it('stays silent while one replica of model-api is up and every model reports through some metric', async () => {
    const some: Record<string, string> = {
      [series('up', pod('model-api-a'))]: '1x80',
      [series('up', pod('model-api-b'))]: '0x80',
      [series('model_accuracy', { model: 'fraud-detector', ...pod('model-api-a') })]: '0.95x80',
      [series('predictions_total', { model: 'recommendation-engine', status: 'success', ...pod('model-api-a') })]: '0+10x80',
      [series('model_inference_duration_seconds_count', { model: 'image-classifier', ...pod('model-api-a') })]: '0+10x80',
    };
    await expectPasses([{
      name: 'one pod of two up',
      series: { ...some, ...llmHealthy },
      expect: [
        { at: '19m', alertname: 'ServiceUnreachable', alerts: [] },
        { at: '19m', alertname: 'ModelMetricsMissing', alerts: [] },
      ],
    }]);
  });

  it('routes and can disable the absence alerts like the other built-ins (alerts.<Name>)', async () => {
    const config = {
      services: { api: { team: 'search', discovery: { staticTargets: ['10.0.0.1:80'] } } },
      models: { ranker: { service: 'api', team: 'search' } },
      alerts: { ServiceUnreachable: { severity: 'warning', for: '1m', window: '1m' }, ModelMetricsMissing: { enabled: false } },
    };
    const gen = await generateFromConfig(config);
    const names = gen.model.builtinAlerts.map((a) => a.name);
    expect(names).toContain('ServiceUnreachable');
    expect(names).not.toContain('ModelMetricsMissing');
    const rule = gen.model.builtinAlerts.find((a) => a.name === 'ServiceUnreachable')!.rule;
    expect(rule).toMatchObject({ for: '1m', labels: { severity: 'warning' } });
    expect(rule.expr).toContain('max_over_time(up[1m])');
    expect(gen.model.routingTests.map((t) => t.labels)).toContainEqual({ alertname: 'ServiceUnreachable', severity: 'warning', team: 'search' });
  });
});

describe("ServiceDown's team", () => {
  it('is the infrastructure team, literally, however it is spelt (it is written into a PromQL string and a label_replace replacement)', async () => {
    const team = 'ops "$1" \\ on-call';
    const gen = await generateFromConfig({ infrastructure: { team }, services: { api: { team: 'search', discovery: { staticTargets: ['10.0.0.1:80'] } } } });
    const node = { instance: 'node-exporter:9100', job: 'node-exporter' };
    await expectPasses([{
      name: 'node-exporter and api down',
      series: { [series('up', node)]: '0x20', [series('up', { instance: '10.0.0.1:80', job: 'api', service: 'api' })]: '0x20' },
      expect: [{ at: '3m', alertname: 'ServiceDown', alerts: [{ labels: { ...node, team }, value: 0 }, { labels: { instance: '10.0.0.1:80', job: 'api', service: 'api', team: 'search' }, value: 0 }] }],
    }], gen);
  });
});

describe('alerts.<Name>.window on a gauge alert', () => {
  it('is the range each replica of ModelAccuracyDrop and DataDriftDetected is averaged over', async () => {
    const gen = await generateFromConfig({
      services: { api: { discovery: { staticTargets: ['10.0.0.1:80'] } } },
      models: { ranker: { service: 'api' } },
      alerts: { ModelAccuracyDrop: { window: '20m' }, DataDriftDetected: { window: '1m' } },
    });
    const expr = (name: string) => gen.model.builtinAlerts.find((a) => a.name === name)!.rule.expr;
    expect(expr('ModelAccuracyDrop')).toContain('min by (model) (avg_over_time(model_accuracy[20m]))');
    expect(expr('ModelAccuracyDrop')).not.toContain('[5m]');
    expect(expr('DataDriftDetected')).toContain('max by (model) (avg_over_time(data_drift_score[1m]))');
  });

  it('changes when the alert fires (promtool): a 2-minute dip to 0.5 after 30 healthy minutes pages over a 1m window, never over a 30m one', async () => {
    // Samples every 15s: 0.95 until 29m45s, 0.5 from 30m to 31m45s, 0.95 again from 32m.
    const dip = { [series('model_accuracy', { model: 'fraud-detector', ...pod('model-api-a') })]: '0.95x119 0.5x7 0.95x40' };
    const config = (window: string) => generateFromConfig({
      prometheus: { scrapeInterval: '15s', ruleGroupInterval: '30s' },
      services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } },
      models: { 'fraud-detector': { service: 'model-api', team: 'ml-risk', thresholds: { minAccuracy: 0.9 } } },
      alerts: { ModelAccuracyDrop: { window, for: '1m' } },
    });
    // 1m: below 0.9 while a dip sample is in the window (30m to 32m45s), firing from 31m; at 32m the window
    // holds three samples of 0.5 and one of 0.95.
    await expectPasses([{ name: '1m window', series: dip, expect: [{ at: '32m', alertname: 'ModelAccuracyDrop', alerts: accuracyDrop((3 * 0.5 + 0.95) / 4) }] }], await config('1m'));
    // 30m: 8 samples of 0.5 among 120 never pull the average under 0.9 (at most 0.92).
    await expectPasses([{
      name: '30m window',
      series: dip,
      expect: ['31m', '32m', '33m'].map((at) => ({ at, alertname: 'ModelAccuracyDrop', alerts: [] })),
    }], await config('30m'));
  });
});
