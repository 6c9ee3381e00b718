/**
 * A real Prometheus (the pinned build, on 127.0.0.1) scrapes a vLLM-shaped /metrics endpoint with the scrape
 * config and rules mlmon generates for a vLLM service: the server's `model_name` label reaches the rules as
 * `model`, which the per-model threshold series join on, so VllmQueueBacklog goes pending for the model with
 * the model's own team, and stays quiet for a model whose threshold isn't crossed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { MonitoringConfig } from '../../src/config/types.js';
import { renderAll } from '../../src/render/render.js';
import { freeLoopbackPort } from '../e2e/support/free-port.js';
import { startProcess, stopAllProcesses } from '../e2e/support/processes.js';
import { waitFor } from '../e2e/support/waiting.js';
import { modelOf, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

// What vLLM 0.11's PrometheusStatLogger exports (vllm/v1/metrics/loggers.py): `model_name` and `engine` labels.
const exposition = [
  '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
  '# TYPE vllm:num_requests_waiting gauge',
  'vllm:num_requests_waiting{engine="0",model_name="chat"} 50.0',
  'vllm:num_requests_waiting{engine="0",model_name="coder"} 3.0',
  '# HELP vllm:num_requests_running Number of requests in model execution batches.',
  '# TYPE vllm:num_requests_running gauge',
  'vllm:num_requests_running{engine="0",model_name="chat"} 4.0',
  'vllm:num_requests_running{engine="0",model_name="coder"} 1.0',
  '',
].join('\n');

const cleanups: (() => void)[] = [];
let server: Server | undefined;

afterAll(async () => {
  await stopAllProcesses();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  for (const cleanup of cleanups) cleanup();
});

describe('a vLLM service scraped by a real Prometheus', () => {
  it('carries model_name as model into the rules, which join each model\'s own threshold', async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(exposition);
    });
    const vllmPort = await freeLoopbackPort();
    await new Promise<void>((resolve) => server!.listen(vllmPort, '127.0.0.1', resolve));

    const config = {
      prometheus: { scrapeInterval: '1s', evaluationInterval: '1s', ruleGroupInterval: '1s' },
      services: { llm: { discovery: { staticTargets: [`127.0.0.1:${vllmPort}`] }, integration: { vllm: { version: '0.11' } } } },
      models: {
        chat: { service: 'llm', team: 'assistants' },
        coder: { service: 'llm', thresholds: { maxVllmWaitingRequests: 5 } },
      },
    } as MonitoringConfig;
    const scratch = scratchDir('mlmon-vllm-live-');
    cleanups.push(scratch.cleanup);
    for (const file of renderAll(modelOf(config))) {
      if (!file.path.startsWith('prometheus/')) continue;
      mkdirSync(dirname(join(scratch.dir, file.path)), { recursive: true });
      writeFileSync(join(scratch.dir, file.path), file.content);
    }
    const configFile = join(scratch.dir, 'prometheus/prometheus.yml');
    const prometheusYml = parseYaml(readFileSync(configFile, 'utf8'));
    // Only scraping and rules are under test: no Alertmanager, no other jobs.
    delete prometheusYml.alerting;
    prometheusYml.scrape_configs = prometheusYml.scrape_configs.filter((j: { job_name: string }) => j.job_name === 'llm');
    writeFileSync(configFile, stringifyYaml(prometheusYml));

    const listenPort = await freeLoopbackPort();
    const prometheus = startProcess('prometheus', tool('prometheus'), [
      `--config.file=${configFile}`, `--storage.tsdb.path=${join(scratch.dir, 'data')}`, `--web.listen-address=127.0.0.1:${listenPort}`,
    ], { cwd: join(scratch.dir, 'prometheus') });
    const url = `http://127.0.0.1:${listenPort}`;
    const query = async (promql: string) => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(5_000) });
      return ((await response.json()) as { data: { result: { metric: Record<string, string> }[] } }).data.result.map((r) => r.metric);
    };

    const scraped = await waitFor('vllm:num_requests_waiting scraped with a model label', async () => {
      const found = await query('vllm:num_requests_waiting');
      return found.length === 2 ? found : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, explain: async () => prometheus.outputTail() });
    expect(scraped.map((m) => [m.model, m.model_name, m.service]).sort()).toEqual([['chat', 'chat', 'llm'], ['coder', 'coder', 'llm']]);

    const pending = await waitFor('VllmQueueBacklog pending', async () => {
      const found = await query('ALERTS{alertname="VllmQueueBacklog"}');
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, explain: async () => prometheus.outputTail() });
    // chat: 50 waiting > the default 10; coder: 3 waiting < its own 5.
    expect(pending.map((m) => ({ model: m.model, team: m.team, alertstate: m.alertstate }))).toEqual([{ model: 'chat', team: 'assistants', alertstate: 'pending' }]);
    // The model is not "missing": vLLM's series count as its metrics (ModelMetricsMissing reads them too). An
    // evaluation before the first scrape may leave it pending for one round; once the series are in, it clears.
    await waitFor('ModelMetricsMissing clear', async () => ((await query('ALERTS{alertname="ModelMetricsMissing"}')).length === 0 ? true : undefined), { timeoutMs: 60_000, intervalMs: 250, explain: async () => prometheus.outputTail() });
    expect(await query('ALERTS{alertname="ModelMetricsMissing",alertstate="firing"}')).toEqual([]);
  }, 120_000);
});
