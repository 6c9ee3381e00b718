/**
 * `mlmon init`: the config it writes validates as is (the real CLI, promtool and amtool included), from a live
 * prometheus_client endpoint, a saved scrape or flags alone; it proposes models from `model` / `model_name`
 * labels and integrations from metric names; it asks on a terminal (the flow, with scripted answers).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answersFromFlags, askInitAnswers, type InitFlags, type InitPrompter } from '../../src/cli/commands/init.js';
import { proposeFromScrape, renderInitConfig } from '../../src/metrics/init-proposal.js';
import { stopAllProcesses } from '../e2e/support/processes.js';
import { waitFor } from '../e2e/support/waiting.js';
import { copyExampleTo, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';
import { startPythonApp } from './apps.js';
import { fakeVllm } from './fake-integration.js';

const bin = join(repoRoot, 'bin/mlmon.js');
const cleanups: (() => void)[] = [];
afterAll(async () => {
  cleanups.splice(0).forEach((c) => c());
  await stopAllProcesses();
});
function scratch(): string {
  const { dir, cleanup } = scratchDir('mlmon-init-');
  cleanups.push(cleanup);
  return dir;
}

/** The built CLI, asynchronously (an exporter it scrapes may live in this process), with no terminal. */
function mlmon(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mlmon init', () => {
  it('writes, from a live prometheus_client endpoint, a config that `mlmon validate` passes as is', async () => {
    const dir = scratch();
    const moduleDir = scratch();
    copyExampleTo(moduleDir);
    expect((await mlmon(['instrument', '--lang', 'python'], moduleDir)).code).toBe(0);
    const app = await startPythonApp('right', moduleDir);
    const init = await mlmon(['init', '--from', app.url, '--service', 'fraud-api', '--team', 'risk'], dir);
    expect(init.stderr).toBe('');
    expect(init.stdout).toBe('✓ wrote monitoring.config.ts: service fraud-api, 1 model\n  next: mlmon validate, then mlmon generate\n');
    const written = readFileSync(join(dir, 'monitoring.config.ts'), 'utf8');
    expect(written).toContain(`staticTargets: ['${new URL(app.url).host}'],`);
    expect(written).toContain("'fraud-detector': {\n      service: 'fraud-api',\n    },");
    const validate = await mlmon(['validate'], dir);
    expect(validate.stdout).toMatch(/✓ \d+ checks passed/);
    expect(validate.code).toBe(0);
  }, 120_000);

  it('proposes every model of a saved scrape (model and model_name labels, empty ones left out) beside --model, on Kubernetes discovery', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'scrape.prom'), '# TYPE predictions_total counter\npredictions_total{model="churn",status="ok"} 1\npredictions_total{model="",status="ok"} 1\n# TYPE vllm_requests gauge\nvllm_requests{model_name="llama-3"} 2\n');
    const init = await mlmon(['init', '--from', 'scrape.prom', '--model', 'extra', '--namespace', 'ml-serving', '--namespace', 'ml-batch', '--out', 'mon.config.ts'], dir);
    expect(init.code).toBe(0);
    const written = readFileSync(join(dir, 'mon.config.ts'), 'utf8');
    expect([...written.matchAll(/^ {4}'?([\w-]+)'?: \{\n {6}service: 'model-api',/gm)].map((m) => m[1])).toEqual(['extra', 'churn', 'llama-3']);
    expect(written).toContain("namespaces: ['ml-serving', 'ml-batch'],");
    const validate = await mlmon(['validate', '--config', 'mon.config.ts', '--skip-external'], dir);
    expect(validate.stdout).toMatch(/checks passed/);
    expect(validate.code).toBe(0);
  }, 60_000);

  it('refuses to overwrite a file without --force, and reports an unreadable --from without writing', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'monitoring.config.ts'), '// mine\n');
    const refused = await mlmon(['init'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('monitoring.config.ts already exists');
    expect(readFileSync(join(dir, 'monitoring.config.ts'), 'utf8')).toBe('// mine\n');
    writeFileSync(join(dir, 'bad.prom'), 'no value here\n');
    const bad = await mlmon(['init', '--from', 'bad.prom', '--force'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.prom is not in the Prometheus text exposition format.*\[metrics\/unparsable\]/);
    expect(readFileSync(join(dir, 'monitoring.config.ts'), 'utf8')).toBe('// mine\n');
  });

  it('recognises an integration from the metric names, at the version whose names match, and enables it on the service', () => {
    const proposal = proposeFromScrape('http://127.0.0.1:8000/metrics', [
      { name: 'vllm:gpu_cache_usage_perc', type: 'gauge', series: [{ labels: { model_name: 'llama' } }] },
      { name: 'vllm:num_requests_waiting', type: 'gauge', series: [{ labels: { model_name: 'llama' } }] },
    ], [fakeVllm]);
    expect(proposal.models).toEqual(['llama']);
    expect(proposal.integrations.map((i) => `${i.definition.name} ${i.version}`)).toEqual(['vllm 0.6']);
    const text = renderInitConfig(answersFromFlags(flags(), proposal), 'http://127.0.0.1:8000/metrics');
    expect(text).toContain("      integration: {\n        vllm: {\n          version: '0.6',\n        },\n      },");
    expect(text).toContain("staticTargets: ['127.0.0.1:8000'],");
  });

  it('asks on a real terminal (a pseudo-terminal from util-linux `script`), and the answers make a config that validates', async () => {
    const dir = scratch();
    // Each answer is typed once its question is on the screen: keys sent earlier would be read by the previous prompt.
    const steps: [question: string, keys: string][] = [
      ['Cluster name', 'prod-eu\r'],
      ['Name of the service', '\r'],
      ['Team that owns it', 'risk\r'],
      ['How does Prometheus find its pods?', '\x1b[B\r'],
      ['Targets (host:port', '127.0.0.1:9000\r'],
      ['Other models', 'fraud-detector, churn\r'],
    ];
    const child = spawn('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} init`, '/dev/null'], { cwd: dir, env: { ...process.env, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdout.on('data', (d) => (screen += d));
    try {
      for (const [question, keys] of steps) {
        // Every question is worded differently, so its text on the screen means it is being asked.
        await waitFor(`the question "${question}"`, () => (screen.includes(question) ? true : undefined), { timeoutMs: 20_000, intervalMs: 50, explain: async () => screen.slice(-500) });
        child.stdin.write(keys);
        // Wait until the prompt has taken the answer (it is redrawn) before looking for the next question.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const written = readFileSync(join(dir, 'monitoring.config.ts'), 'utf8');
    expect(written).toContain("cluster: 'prod-eu',");
    expect(written).toContain("team: 'risk',");
    expect(written).toContain("staticTargets: ['127.0.0.1:9000'],");
    expect(written).toContain("'fraud-detector': {\n      service: 'model-api',\n    },\n    churn: {");
    const validate = await mlmon(['validate', '--skip-external'], dir);
    expect(validate.stdout).toMatch(/checks passed/);
    expect(validate.code).toBe(0);
  }, 90_000);

  it('asks on a terminal, offering what the flags and the scrape propose, and writes the answers', async () => {
    const proposal = proposeFromScrape('scrape.prom', [{ name: 'vllm:kv_cache_usage_perc', type: 'gauge', series: [{ labels: { model_name: 'llama' } }, { labels: { model_name: 'mistral' } }] }], [fakeVllm]);
    const asked: string[] = [];
    const prompter: InitPrompter = {
      input: async (message, defaultValue) => {
        asked.push(`${message} [${defaultValue}]`);
        if (message.startsWith('Cluster')) return 'prod-eu';
        if (message.startsWith('Other models')) return 'ranker, ';
        return defaultValue;
      },
      select: async (message, _choices, defaultValue) => (asked.push(`${message} [${defaultValue}]`), defaultValue),
      checkbox: async (message, choices) => {
        asked.push(`${message} [${choices.map((c) => c.name).join(', ')}]`);
        // Keep mistral only; keep the integration.
        return message.startsWith('Models') ? ['mistral'] : choices.map((c) => c.value);
      },
    };
    const answers = await askInitAnswers(prompter, answersFromFlags(flags(), proposal), proposal);
    expect(asked).toEqual([
      'Cluster name (the `cluster` label of every alert) [ml-cluster]',
      'Name of the service that serves the models [model-api]',
      'Team that owns it (alerts are routed by team) [ml-platform]',
      'How does Prometheus find its pods? [kubernetes-pods]',
      'Namespaces (comma-separated) [default]',
      'Models seen in the scrape [llama, mistral]',
      'Other models (comma-separated, empty for none) []',
      'Integrations recognised from the metric names [vllm 0.11]',
    ]);
    expect(answers).toMatchObject({ cluster: 'prod-eu', models: ['mistral', 'ranker'], discovery: { kind: 'kubernetes-pods', namespaces: ['default'] } });
    expect(answers.integrations.map((i) => `${i.definition.name} ${i.version}`)).toEqual(['vllm 0.11']);
  });
});

function flags(): InitFlags {
  return { cluster: 'ml-cluster', service: 'model-api', team: 'ml-platform', namespace: [], target: [], model: [], out: 'monitoring.config.ts' };
}

