/**
 * The ML-models dashboards' variables list every model the config's series know, not only the models of the
 * seed's instrumentation: a fleet served by vLLM, Triton or KServe alone lists its models (and their namespaces
 * and services) from the server's presence series. The dashboard check reads the union metric by metric, and a
 * real Prometheus (the pinned build, on 127.0.0.1) answers the variable's selector with the servers' models.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { checkDashboards } from '../../src/check/dashboards.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { renderAll } from '../../src/render/render.js';
import { freeLoopbackPort } from '../e2e/support/free-port.js';
import { startProcess, stopAllProcesses } from '../e2e/support/processes.js';
import { waitFor } from '../e2e/support/waiting.js';
import { modelOf, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

type Json = Record<string, any>;

/** A fleet of one service run by `server` at `version`, serving two listed models. */
function servedBy(server: 'vllm' | 'triton' | 'kserve', version: string, target = 'llm.internal:8000'): MonitoringConfig {
  return {
    services: { llm: { discovery: { staticTargets: [target] }, integration: { [server]: { version } } } },
    models: { chat: { service: 'llm' }, coder: { service: 'llm' } },
  } as MonitoringConfig;
}

function rendered(config: MonitoringConfig) {
  const model = modelOf(config);
  const files = renderAll(model);
  const dashboards = Object.fromEntries(files.filter((f) => /^grafana\/dashboards\/.+\.json$/.test(f.path)).map((f) => [f.path, JSON.parse(f.content) as Json]));
  return { model, files, dashboards };
}

const variable = (d: Json, name: string): string => (d.templating.list as Json[]).find((v) => v.name === name)!.query as string;

describe('the ML-models variables of a fleet a model server serves', () => {
  const cases = [
    ['vLLM', servedBy('vllm', '0.11'), 'vllm:num_requests_running'],
    ['Triton', servedBy('triton', '25.01'), 'nv_inference_request_success'],
    ['KServe', servedBy('kserve', '0.14'), 'request_predict_seconds_count'],
  ] as const;

  it.each(cases)('list models, services and namespaces from %s\'s presence series as well as predictions_total', (_, config, presence) => {
    const { dashboards } = rendered(config);
    const ml = dashboards['grafana/dashboards/ml-models.json']!;
    const names = `__name__=~"predictions_total|${presence}"`;
    expect(variable(ml, 'model')).toBe(`label_values({${names}, namespace=~"$namespace", service=~"$service"}, model)`);
    expect(variable(ml, 'service')).toBe(`label_values({${names}, namespace=~"$namespace"}, service)`);
    expect(variable(ml, 'namespace')).toBe(`label_values({${names}}, namespace)`);
  });

  it.each(cases)('pass the dashboard check with %s, which reads each metric of the union against the catalog', async (_, config) => {
    const { model, files } = rendered(config);
    const result = await checkDashboards(files.filter((f) => f.path.startsWith('grafana/dashboards/')), { catalog: model.metricCatalog, scrapeIntervalSeconds: 15 });
    expect(result.problems).toEqual([]);
  });

  it('give a per-model dashboard the same union, fixed to the model', () => {
    const { dashboards } = rendered({ ...servedBy('vllm', '0.11'), grafana: { perModelDashboards: true } } as MonitoringConfig);
    const chat = Object.values(dashboards).find((d) => d.title === 'ML model: chat')!;
    expect(variable(chat, 'namespace')).toBe('label_values({__name__=~"predictions_total|vllm:num_requests_running", model="chat"}, namespace)');
    expect(variable(chat, 'service')).toBe('label_values({__name__=~"predictions_total|vllm:num_requests_running", model="chat", namespace=~"$namespace"}, service)');
  });

  it('keep the plain predictions_total selector for a fleet without model servers', () => {
    const { dashboards } = rendered({ services: { api: { discovery: { staticTargets: ['api:8080'] } } }, models: { fraud: { service: 'api' } } } as MonitoringConfig);
    expect(variable(dashboards['grafana/dashboards/ml-models.json']!, 'model')).toBe('label_values(predictions_total{namespace=~"$namespace", service=~"$service"}, model)');
  });
});

// What vLLM 0.11 and Triton export for the models they serve, and nothing of the seed's instrumentation.
const expositions = {
  vllm: [
    '# TYPE vllm:num_requests_running gauge',
    'vllm:num_requests_running{engine="0",model_name="chat"} 1.0',
    'vllm:num_requests_running{engine="0",model_name="coder"} 0.0',
    '',
  ].join('\n'),
  triton: [
    '# TYPE nv_inference_request_success counter',
    'nv_inference_request_success{model="resnet",version="1"} 12',
    '',
  ].join('\n'),
};

const servers: Server[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  await stopAllProcesses();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const cleanup of cleanups) cleanup();
});

async function serve(text: string): Promise<number> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(text);
  });
  servers.push(server);
  const port = await freeLoopbackPort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
}

describe('the $model variable against a real Prometheus', () => {
  it('lists the models of a vLLM and a Triton service that export no predictions_total', async () => {
    const [vllmPort, tritonPort] = [await serve(expositions.vllm), await serve(expositions.triton)];
    const config = {
      prometheus: { scrapeInterval: '1s', evaluationInterval: '1s' },
      services: {
        llm: { discovery: { staticTargets: [`127.0.0.1:${vllmPort}`] }, integration: { vllm: { version: '0.11' } } },
        vision: { discovery: { staticTargets: [`127.0.0.1:${tritonPort}`] }, integration: { triton: { version: '25.01' } } },
      },
      models: { chat: { service: 'llm' }, resnet: { service: 'vision' } },
    } as MonitoringConfig;
    const { files, dashboards } = rendered(config);
    const scratch = scratchDir('mlmon-ml-models-variables-');
    cleanups.push(scratch.cleanup);
    for (const file of files.filter((f) => f.path === 'prometheus/prometheus.yml')) {
      mkdirSync(dirname(join(scratch.dir, file.path)), { recursive: true });
      writeFileSync(join(scratch.dir, file.path), file.content);
    }
    // Only scraping is under test: the two services' jobs, no rules, no Alertmanager.
    const configFile = join(scratch.dir, 'prometheus/prometheus.yml');
    const prometheusYml = parseYaml(readFileSync(configFile, 'utf8'));
    delete prometheusYml.alerting;
    delete prometheusYml.rule_files;
    prometheusYml.scrape_configs = prometheusYml.scrape_configs.filter((j: { job_name: string }) => ['llm', 'vision'].includes(j.job_name));
    expect(prometheusYml.scrape_configs).toHaveLength(2);
    writeFileSync(configFile, stringifyYaml(prometheusYml));
    const listenPort = await freeLoopbackPort();
    const prometheus = startProcess('prometheus', tool('prometheus'), [
      `--config.file=${configFile}`, `--storage.tsdb.path=${join(scratch.dir, 'data')}`, `--web.listen-address=127.0.0.1:${listenPort}`,
    ], { cwd: join(scratch.dir, 'prometheus') });

    // What Grafana sends for `label_values(<selector>, model)`: the label values API with the selector as match[],
    // the dashboard's own variables at their All value (`.*`).
    const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(variable(dashboards['grafana/dashboards/ml-models.json']!, 'model'))!;
    const sent = selector!.replaceAll('$namespace', '.*').replaceAll('$service', '.*');
    const values = async (match: string) => {
      const response = await fetch(`http://127.0.0.1:${listenPort}/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`, { signal: AbortSignal.timeout(5_000) });
      const body = (await response.json()) as { status: string; data: string[]; error?: string };
      if (body.status !== 'success') throw new Error(`Prometheus refused ${match}: ${body.error}`);
      return body.data;
    };
    const listed = await waitFor('both servers\' models listed', async () => {
      const found = await values(sent);
      return found.length === 3 ? found : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, explain: async () => prometheus.outputTail() });
    expect(listed).toEqual(['chat', 'coder', 'resnet']);
    // The old variable, predictions_total only, lists none of them.
    expect(await values('predictions_total{namespace=~".*", service=~".*"}')).toEqual([]);
  }, 120_000);
});
