/**
 * `mlmon check-metrics`, end to end: the built CLI against real exporters on 127.0.0.1 (Debian's
 * prometheus_client and prom-client), each serving a right and a wrong catalog, against saved scrapes, and, with a
 * fixture integration (a fake vLLM with a rename), the contract's integration paths.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { checkExposition, checkMetricsProblemIds } from '../../src/metrics/check.js';
import { metricContract } from '../../src/metrics/contract.js';
import { findExpositionParser, readExpositions } from '../../src/metrics/exposition.js';
import { integrationsOf, recogniseIntegrations } from '../../src/metrics/integrations.js';
import type { Problem } from '../../src/problems.js';
import { stopAllProcesses } from '../e2e/support/processes.js';
import { copyExampleTo, modelOf, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';
import { startPromClientApp, startPythonApp, type StartedApp } from './apps.js';
import { fakeVllm } from './fake-integration.js';

const bin = join(repoRoot, 'bin/mlmon.js');

/** Runs the built CLI asynchronously (the exporters it scrapes live in this process' event loop too). */
function mlmon(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface JsonReport { ok: boolean; sources: { source: string; problems: Problem[] }[]; problems: Problem[] }
const ids = (problems: readonly Problem[]) => problems.map((p) => `${p.id} ${p.object ?? ''}`.trim()).sort();

const scratch = scratchDir('mlmon-check-metrics-');
const apps: Record<string, StartedApp> = {};

beforeAll(async () => {
  copyExampleTo(scratch.dir);
  expect((await mlmon(['instrument', '--lang', 'python'], scratch.dir)).code).toBe(0);
  expect((await mlmon(['instrument', '--lang', 'typescript'], scratch.dir)).code).toBe(0);
  [apps.pythonRight, apps.pythonWrong, apps.promRight, apps.promWrong] = await Promise.all([
    startPythonApp('right', scratch.dir), startPythonApp('wrong'),
    startPromClientApp('right', join(scratch.dir, 'mlmon-metrics.ts')), startPromClientApp('wrong'),
  ]);
}, 120_000);

afterAll(async () => {
  await stopAllProcesses();
  scratch.cleanup();
});

describe('mlmon check-metrics against real exporters', () => {
  it('passes the modules `mlmon instrument` writes, served by prometheus_client and by prom-client', async () => {
    const result = await mlmon(['check-metrics', apps.pythonRight!.url, apps.promRight!.url, '--format', 'json'], scratch.dir);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(result.code).toBe(0);
  });

  it('reports the wrong prometheus_client app: a forgotten metric, a misnamed label, an empty model label, and buckets the SLOs and thresholds need', async () => {
    const result = await mlmon(['check-metrics', apps.pythonWrong!.url, '--format', 'json'], scratch.dir);
    expect(result.code).toBe(1);
    const { problems } = JSON.parse(result.stdout) as JsonReport;
    expect(ids(problems)).toEqual([
      'metrics/empty-join-label predictions_total',
      'metrics/missing-bucket model_inference_duration_seconds',
      'metrics/missing-bucket model_inference_duration_seconds',
      'metrics/missing-bucket model_inference_duration_seconds',
      'metrics/missing-label model_accuracy',
      'metrics/missing-metric data_drift_score',
    ]);
    const buckets = problems.filter((p) => p.id === 'metrics/missing-bucket');
    // The fraud-detector's 0.25 s and the default 1 s latency SLOs need those exact boundaries; the default 1 s p95
    // threshold needs a boundary at or above it (the app's highest is 0.5).
    expect(buckets.map((p) => p.path).sort()).toEqual(['defaults.modelSlos.latency', 'defaults.modelThresholds.maxInferenceLatencyP95Seconds', 'models.fraud-detector.slos.latency']);
    expect(buckets.find((p) => p.path === 'models.fraud-detector.slos.latency')!.allowed).toBe('a bucket with le="0.25"');
    expect(problems.every((p) => p.artifact === apps.pythonWrong!.url)).toBe(true);
  });

  it('reports the wrong prom-client app: a gauge where a counter is read, a missing histogram, and a model label that joins with no listed model', async () => {
    const result = await mlmon(['check-metrics', apps.promWrong!.url], scratch.dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ predictions_total is a gauge on .*; the alerts read it as a counter .*\[metrics\/wrong-type\]/);
    expect(result.stdout).toMatch(/✗ model_inference_duration_seconds \(histogram, of the application metrics\) is not exported .*\[metrics\/missing-metric\]/);
    expect(result.stdout).toMatch(/! prediction_confidence\{model="Fraud-Detector"\} does not match the config's model "fraud-detector".*\[metrics\/model-label-mismatch\]/);
    expect(result.stdout).toMatch(/hint: did you mean fraud-detector\?/);
    expect(result.stdout).toMatch(/✗ 1 of 1 endpoints break the metric contract/);
  });

  it('checks several inputs in one run, a saved scrape among them, and annotates for GitHub', async () => {
    const saved = join(scratch.dir, 'scrape.prom');
    writeFileSync(saved, await (await fetch(apps.promWrong!.url)).text());
    const result = await mlmon(['check-metrics', apps.pythonRight!.url, 'scrape.prom', '--format', 'github'], scratch.dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^::error file=scrape\.prom,title=mlmon metrics\/wrong-type::predictions_total is a gauge/m);
    expect(result.stdout).toMatch(/^::warning file=scrape\.prom,title=mlmon metrics\/model-label-mismatch::/m);
    expect(result.stdout).not.toContain(apps.pythonRight!.url);
    expect(result.stdout.trim().split('\n').pop()).toBe('mlmon check-metrics: 1 of 2 endpoints break the metric contract');
  });

  it('reports an endpoint that does not answer, a file that is not an exposition, and one that exports nothing the config knows, without a stack trace', async () => {
    // Good families first: the error must reject the whole input, not leave a partial result that passes.
    writeFileSync(join(scratch.dir, 'garbage.prom'), '# TYPE data_drift_score gauge\ndata_drift_score{model="a"} 0.1\nmodel_accuracy{model="a"} not-a-number\n');
    writeFileSync(join(scratch.dir, 'other.prom'), '# TYPE go_goroutines gauge\ngo_goroutines 7\n');
    const closed = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const port = (s.address() as AddressInfo).port; s.close(() => resolve(port)); }); });
    const result = await mlmon(['check-metrics', `http://127.0.0.1:${closed}/metrics`, 'garbage.prom', 'other.prom', 'missing.prom', '--format', 'json'], scratch.dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.sources.map((s) => s.problems.map((p) => p.id))).toEqual([['metrics/unreachable'], ['metrics/unparsable'], ['metrics/no-known-metrics'], ['metrics/unreachable']]);
    expect(report.problems[0]!.message).toMatch(/ECONNREFUSED/);
    expect(report.problems[1]!.message).toMatch(/line 3: expected float as value, got "not-a-number"/);
  });

  it('stops with exit 1 on a config with errors, and exit 2 without the exposition parser', async () => {
    const { dir, cleanup } = scratchDir();
    try {
      writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify({ models: { m: { service: 'nowhere' } } }));
      expect((await mlmon(['check-metrics', apps.pythonRight!.url], dir)).code).toBe(1);
      const missing = await mlmon(['check-metrics', apps.pythonRight!.url, '--exposition-json', join(dir, 'no-such-parser')], scratch.dir);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/exposition-json was not found/);
    } finally {
      cleanup();
    }
  });
});

function configWithVllm(version: string | undefined): MonitoringConfig {
  return {
    services: { llm: { discovery: { staticTargets: ['127.0.0.1:8000'] }, integration: { vllm: version === undefined ? {} : { version } } } as never },
    models: { llama: { service: 'llm' } },
  };
}

describe('check-metrics with an integration (a fixture vLLM)', () => {
  let server: Server;
  let body = '';
  let url = '';
  beforeAll(async () => {
    server = createServer((_, response) => response.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function check(version: string | undefined, exposition: string): Promise<Problem[]> {
    body = exposition;
    const config = configWithVllm(version);
    const { integration: _, ...service } = config.services!.llm as never as Record<string, unknown>;
    const contract = metricContract(modelOf({ ...config, services: { llm: service as never } }), integrationsOf(config, [fakeVllm]));
    const [scraped] = await readExpositions([url], findExpositionParser(undefined), repoRoot);
    if (!scraped || 'problem' in scraped) throw new Error(`scrape failed: ${JSON.stringify(scraped)}`);
    return checkExposition(url, scraped.families, contract, [fakeVllm]);
  }

  const oldServer = '# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{model_name="llama"} 2\n# TYPE vllm:gpu_cache_usage_perc gauge\nvllm:gpu_cache_usage_perc{model_name="llama"} 0.5\n';
  const ttft = (boundaries: readonly number[]) => `# TYPE vllm:time_to_first_token_seconds histogram\n${boundaries.map((le) => `vllm:time_to_first_token_seconds_bucket{model_name="llama",le="${le}"} 1\n`).join('')}vllm:time_to_first_token_seconds_bucket{model_name="llama",le="+Inf"} 1\nvllm:time_to_first_token_seconds_sum{model_name="llama"} 0.2\nvllm:time_to_first_token_seconds_count{model_name="llama"} 1\n`;
  const newServer = `# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{model_name="llama"} 2\n# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{model_name="llama"} 0.5\n${ttft([0.1, 0.5, 2.5])}`;

  it('says a name was renamed when the server is older than the declared version', async () => {
    const problems = await check('0.11', oldServer);
    // The renamed metric is reported once, as renamed, not also as missing; a metric 0.6 lacks is missing.
    expect(ids(problems)).toEqual(['metrics/missing-metric vllm:time_to_first_token_seconds', 'metrics/renamed vllm:gpu_cache_usage_perc']);
    expect(problems.find((p) => p.id === 'metrics/renamed')!.message).toContain('`vllm:gpu_cache_usage_perc` was renamed to `vllm:kv_cache_usage_perc` in vllm 0.10');
    expect(problems.find((p) => p.id === 'metrics/renamed')!.path).toBe('services.llm.integration.vllm.version');
  });

  it('says a name was renamed when the server is newer than the declared version', async () => {
    const problems = await check('0.6', newServer);
    expect(ids(problems)).toEqual(['metrics/renamed vllm:kv_cache_usage_perc']);
    expect(problems[0]!.message).toMatch(/runs vllm 0\.10 or newer, not the config's 0\.6/);
  });

  it('passes a server at its declared version, the newest when none is declared', async () => {
    expect(await check('0.6', oldServer)).toEqual([]);
    expect(await check(undefined, newServer)).toEqual([]);
  });

  it('reports an empty model_name, the integration\'s model label, as breaking joins', async () => {
    const problems = await check('0.11', newServer.replace('vllm:kv_cache_usage_perc{model_name="llama"}', 'vllm:kv_cache_usage_perc{model_name=""}'));
    expect(ids(problems)).toEqual(['metrics/empty-join-label vllm:kv_cache_usage_perc']);
  });

  it('reports a histogram without a bucket its integration declares (the alerts on it were written against them)', async () => {
    const problems = await check('0.11', newServer.replace(ttft([0.1, 0.5, 2.5]), ttft([0.1, 1, 5])));
    expect(ids(problems)).toEqual(['metrics/missing-bucket vllm:time_to_first_token_seconds', 'metrics/missing-bucket vllm:time_to_first_token_seconds']);
    expect(problems.map((p) => p.allowed).sort()).toEqual(['a bucket with le="0.5"', 'a bucket with le="2.5"']);
    expect(problems[0]!.path).toBe('services.llm.integration.vllm.version');
  });

  it('recognises the server from its names when the config does not enable it', async () => {
    expect(recogniseIntegrations(new Set(['vllm:gpu_cache_usage_perc', 'vllm:num_requests_waiting']), [fakeVllm]).map((r) => `${r.definition.name} ${r.version}`)).toEqual(['vllm 0.6']);
    const contract = metricContract(modelOf({ services: { llm: { discovery: { staticTargets: ['127.0.0.1:8000'] } } }, models: {} } as MonitoringConfig), []);
    const problems = checkExposition('vllm.prom', [{ name: 'vllm:kv_cache_usage_perc', type: 'gauge', series: [] }], contract, [fakeVllm]);
    expect(ids(problems)).toEqual(['metrics/no-known-metrics']);
    expect(problems[0]!.hint).toBe('it looks like vllm 0.11: enable services.<service>.integration.vllm in the config');
  });
});

describe('check-metrics problem ids', () => {
  it('lists every id the check and the reader report (the list docs/checks.md is held to), and no other', () => {
    const source = ['src/metrics/check.ts', 'src/metrics/exposition.ts'].map((file) => readFileSync(join(repoRoot, file), 'utf8')).join('\n');
    const reported = [...new Set([...source.matchAll(/id: '(metrics\/[a-z-]+)'/g)].map((m) => m[1]!))].sort();
    expect(reported).toEqual([...checkMetricsProblemIds].sort());
  });
});
