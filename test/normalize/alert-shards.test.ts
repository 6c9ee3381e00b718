/**
 * Alert shards (src/normalize/alert-shards.ts): the automatic counts, the group layout, mlmon's hashmod
 * against Prometheus' own (promtool runs the relabelling), and a sharded config's proofs through promtool.
 * test/e2e/alert-shards-live.test.ts runs the same in a real Prometheus.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { prometheusHashmod } from '../../src/formats/prometheus-hashmod.js';
import { maxShards, resolveShards, shardOf } from '../../src/normalize/alert-shards.js';
import { generateFromConfig, scratchDir } from '../support/fixtures.js';
import { tool, upstreamToolsDir } from '../support/tools.js';

const scratch = scratchDir('mlmon-alert-shards-');
afterAll(() => scratch.cleanup());
beforeAll(() => void upstreamToolsDir(), 15 * 60_000);

describe('the shard counts', () => {
  it('are one per 250 listed models (50 services), rounded up to a power of two, at most 256, unless configured', () => {
    expect([0, 1, 250, 251, 500, 501, 1000, 10_000, 64_000, 1_000_000].map((n) => resolveShards('model', undefined, n))).toEqual([1, 1, 1, 2, 2, 4, 4, 64, 256, 256]);
    expect([0, 50, 51, 100, 1000].map((n) => resolveShards('service', undefined, n))).toEqual([1, 1, 2, 2, 32]);
    expect(resolveShards('model', 3, 10_000)).toBe(3);
    expect(maxShards).toBe(256);
  });
});

describe('prometheusHashmod', () => {
  it('gives the shard Prometheus\' own hashmod relabelling gives, for plain, unicode, quoted and empty values', () => {
    const values = ['fraud-detector', 'model-00', 'model-15', 'unlisted-model', 'ünïcödé-模型', 'with "quotes" and \\', 'a;b', '', ...Array.from({ length: 40 }, (_, i) => `m${i * 7919}`)];
    const moduli = [2, 4, 7, 64, 256];
    const config = {
      global: { scrape_interval: '15s' },
      scrape_configs: moduli.map((modulus) => ({
        job_name: `mod-${modulus}`,
        static_configs: values.map((model, i) => ({ targets: [`10.0.0.${i}:80`], labels: { model } })),
        relabel_configs: [{ source_labels: ['model'], action: 'hashmod', modulus, target_label: 'model_shard' }],
      })),
    };
    const path = join(scratch.dir, 'hashmod/prometheus.yml');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, stringify(config));
    for (const modulus of moduli) {
      const out = execFileSync(tool('promtool'), ['check', 'service-discovery', '--timeout=1s', path, `mod-${modulus}`], { encoding: 'utf8' });
      const targets = JSON.parse(out) as { labels: Record<string, string> }[];
      expect(targets).toHaveLength(values.length);
      for (const { labels } of targets) {
        expect(labels.model_shard, `${JSON.stringify(labels.model ?? '')} mod ${modulus}`).toBe(String(prometheusHashmod(labels.model ?? '', modulus)));
      }
    }
  }, 60_000);

  it('refuses a modulus that is not a positive integer', () => {
    expect(() => prometheusHashmod('x', 0)).toThrow(RangeError);
    expect(() => prometheusHashmod('x', 1.5)).toThrow(RangeError);
  });
});

describe('a config of one shard of each', () => {
  it('keeps every alert inline, with no shard groups and no shard labels', async () => {
    const { model } = await generateFromConfig({ services: { api: { discovery: { staticTargets: ['10.0.0.1:80'] } } }, models: { fraud: { service: 'api' } } });
    expect(model.ruleFiles.flatMap((f) => f.groups.map((g) => g.name)).filter((n) => n.includes('-shard'))).toEqual([]);
    expect(model.builtinAlerts.filter((a) => a.shards !== undefined)).toEqual([]);
    expect(model.builtinAlerts.find((a) => a.name === 'HighInferenceLatency')!.rule.expr).toContain('histogram_quantile(0.95, sum by (model, le) (rate(model_inference_duration_seconds_bucket[5m])))');
    expect(model.scrapeJobs.flatMap((j) => j.metricRelabelConfigs ?? [])).toEqual([]);
    expect(model.ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r) => Object.keys(r.labels).some((l) => l.endsWith('_shard')))).toEqual([]);
  });
});

describe('a config with four model shards and two service shards', () => {
  const services = Object.fromEntries(['api-a', 'api-b', 'api-c'].map((s, i) => [s, { discovery: { staticTargets: [`10.0.1.${i}:8080`] } }]));
  const models = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`model-${i}`, { service: ['api-a', 'api-b', 'api-c'][i % 3]!, thresholds: { minAccuracy: 0.8 + i / 100 } }]));
  const config: MonitoringConfig = { prometheus: { modelShards: 4, serviceShards: 2 }, services, models };

  it('runs each per-shard alert once per shard, every per-target selector in the shard, and the alert reads the breaches', async () => {
    const { model } = await generateFromConfig(config);
    const groups = model.ruleFiles.find((f) => f.name === 'alerts.yml')!.groups;
    const names = groups.map((g) => g.name);
    expect(names.filter((n) => n.startsWith('ml-models-shard'))).toEqual(['ml-models-shard-0', 'ml-models-shard-1', 'ml-models-shard-2', 'ml-models-shard-3']);
    expect(names.filter((n) => n.startsWith('application-shard'))).toEqual(['application-shard-0', 'application-shard-1']);
    // Before every alert's group: the proofs evaluate a round's breaches before the alerts read them.
    expect(Math.max(...names.map((n, i) => (n.includes('-shard') ? i : -1)))).toBeLessThan(Math.min(...model.builtinAlerts.map((a) => names.indexOf(`${a.group}-${a.name}`))));
    const perShard = ['DataDriftDetected', 'HighErrorRate', 'HighInferenceLatency', 'HighLatency', 'LowPredictionConfidence', 'LowThroughput', 'ModelAccuracyDrop', 'ModelMetricsMissing'];
    expect(model.builtinAlerts.filter((a) => a.shards).map((a) => a.name).sort()).toEqual(perShard);
    for (const [prefix, label] of [['ml-models-shard-', 'model_shard'], ['application-shard-', 'service_shard']] as const) {
      for (const group of groups.filter((g) => g.name.startsWith(prefix))) {
        const shard = group.name.slice(prefix.length);
        for (const rule of group.rules) {
          if (rule.kind !== 'record') throw new Error(`${group.name} holds an alert`);
          expect(rule.record, group.name).toMatch(/^mlmon:[a-z_]+:breach$/);
          expect(rule.labels, rule.record).toEqual({ [label]: shard });
          // Every selector but the global default thresholds names the shard.
          const selectors = [...rule.expr.matchAll(/\b([a-z_:]+)(\{[^}]*\})?(?=[\s)[]|$)/g)].filter((m) => /^(mlmon:|[a-z_]+_(total|bucket|count|sum|score)$|model_accuracy$)/.test(m[1]!) && !/default_threshold$/.test(m[1]!));
          expect(selectors.length, rule.record).toBeGreaterThan(0);
          for (const [text] of selectors) expect(text, `${group.name} ${rule.record}`).toContain(`${label}=${JSON.stringify(shard)}`);
        }
      }
    }
    for (const alert of model.builtinAlerts.filter((a) => a.shards)) {
      expect(alert.rule.expr, alert.name).toBe(`${alert.threshold?.firesWhen === 'below' ? 'min' : 'max'} without (${alert.scope === 'model' ? 'model_shard' : 'service_shard'}) (${alert.shards!.record})`);
    }
    // The threshold and info series of each listed model (service) carry its shard; the defaults none.
    const constants = model.ruleFiles.filter((f) => f.name.startsWith('thresholds')).flatMap((f) => f.groups.flatMap((g) => g.rules));
    for (const rule of constants) {
      if (rule.kind !== 'record') continue;
      if (rule.record.endsWith(':default_threshold') || rule.record === 'mlmon:service_info') expect(Object.keys(rule.labels).filter((l) => l.endsWith('_shard')), rule.record).toEqual([]);
      else if (rule.labels.model !== undefined) expect(rule.labels.model_shard, rule.record).toBe(shardOf(rule.labels.model, 4));
      else if (rule.labels.service !== undefined) expect(rule.labels.service_shard, rule.record).toBe(shardOf(rule.labels.service, 2));
    }
    // Every service job labels its series with its service's shard and its models' shards.
    for (const job of model.scrapeJobs.filter((j) => j.kind === 'service')) {
      expect(job.metricRelabelConfigs).toEqual([
        { target_label: 'service_shard', replacement: shardOf(job.name, 2) },
        { source_labels: ['model'], action: 'hashmod', modulus: 4, target_label: 'model_shard' },
      ]);
    }
  });

  it('gives the proofs\' input series the shard labels Prometheus would write, and promtool passes every proof', async () => {
    const generated = await generateFromConfig(config);
    const inputs = generated.model.ruleTests.flatMap((f) => f.tests.flatMap((t) => t.inputSeries.map((s) => s.series)));
    const labelled = inputs.filter((s) => /[{,] ?model="/.test(s));
    expect(labelled.length).toBeGreaterThan(0);
    for (const series of labelled) {
      const model = JSON.parse(/[{,] ?model=("(?:[^"\\]|\\.)*")/.exec(series)![1]!) as string;
      expect(series).toContain(`model_shard=${JSON.stringify(shardOf(model, 4))}`);
    }
    // A service's series without a `model` label get the hash of "", as Prometheus' hashmod gives them.
    const modelless = inputs.filter((s) => !/^(up|scrape_\w+)\{/.test(s) && /[{,] ?service="/.test(s) && !/[{,] ?model="/.test(s));
    expect(modelless.length).toBeGreaterThan(0);
    for (const series of modelless) expect(series).toContain(`model_shard=${JSON.stringify(shardOf('', 4))}`);
    for (const series of inputs.filter((s) => s.startsWith('up{'))) expect(series).not.toMatch(/_shard=/);
    for (const series of inputs.filter((s) => !s.startsWith('up{') && /[{,] ?service="api-b"/.test(s))) expect(series).toContain(`service_shard=${JSON.stringify(shardOf('api-b', 2))}`);

    const dir = join(scratch.dir, 'sharded-out');
    for (const file of generated.files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.content);
    }
    const tests = generated.model.ruleTests.map((f) => f.name);
    const { stdout } = await promisify(execFile)(tool('promtool'), ['test', 'rules', ...tests], { cwd: join(dir, 'prometheus/tests'), maxBuffer: 64 * 1024 * 1024 });
    expect(stdout).not.toMatch(/FAILED/);
    expect(stdout.match(/SUCCESS/g)?.length).toBe(tests.length);
  }, 180_000);
});
