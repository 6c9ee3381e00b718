/**
 * The GPU alerts' generated proofs, in promtool: with a user's own thresholds and fatal XID list every proof
 * passes (each alert fires past its threshold for the GPU past it and not for its calm neighbour, and stays
 * silent inside), and a threshold or fatal code nudged by hand in the generated rules breaks the proof of the
 * alert that reads it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { renderAll } from '../../src/render/render.js';
import { loadGrafanaSdk } from '../../src/render/grafana/sdk.js';
import { modelOf, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

const run = promisify(execFile);
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const config = {
  infrastructure: {
    nodeExporterTargets: [],
    kubernetesNodes: false,
    gpus: {
      dcgm: {
        targets: ['gpu-1:9400'],
        fatalXids: [79, 48],
        thresholds: { warningTemperatureCelsius: 70, criticalTemperatureCelsius: 90, maxThrottleRatio: 0.3, maxFramebufferUsedRatio: 0.8, memoryLeakHorizon: '2h', maxIdleUtilizationPercent: 10 },
      },
    },
  },
} as unknown as MonitoringConfig;

const gpuAlerts = ['GpuFatalXid', 'GpuEccDoubleBitErrors', 'GpuRowRemapFailure', 'GpuTemperatureHigh', 'GpuTemperatureCritical', 'GpuPowerThrottling', 'GpuThermalThrottling', 'GpuFramebufferNearlyFull', 'GpuMemoryLeak', 'GpuIdleWhileRequestsQueue'];

async function written(from: MonitoringConfig = config): Promise<{ dir: string; testFiles: string[] }> {
  await loadGrafanaSdk();
  const { dir, cleanup } = scratchDir('mlmon-dcgm-proofs-');
  cleanups.push(cleanup);
  const files = renderAll(modelOf(from));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  return { dir, testFiles: files.filter((f) => f.path.startsWith('prometheus/tests/')).map((f) => f.path.slice('prometheus/tests/'.length)) };
}

async function promtool(dir: string, testFiles: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(tool('promtool'), ['test', 'rules', ...testFiles], { cwd: join(dir, 'prometheus/tests') });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout: string; stderr: string };
    return { ok: false, output: e.stdout + e.stderr };
  }
}

describe('the GPU alerts\' proofs', () => {
  it('prove every GPU alert on both sides of the user\'s own thresholds, and pass in promtool', async () => {
    const model = modelOf(config);
    const tests = model.ruleTests.flatMap((f) => f.tests);
    for (const name of gpuAlerts) {
      const own = tests.filter((t) => t.name.startsWith(`${name} `));
      // One of each, in whichever proof files (or parts) they landed.
      expect(own.map((t) => (t.alertRuleTests.at(-1)!.expAlerts.length > 0 ? 'breach' : 'calm')).sort(), name).toEqual(['breach', 'calm']);
    }
    // The fatal XID proof uses the config's first fatal code, and the temperature proofs its own numbers.
    const xid = tests.find((t) => t.name.startsWith('GpuFatalXid fires'))!;
    expect(xid.alertRuleTests.at(-1)!.expAlerts[0]!.expLabels.xid).toBe('48');
    const hot = tests.find((t) => t.name.startsWith('GpuTemperatureHigh fires'))!;
    expect(hot.inputSeries.map((s) => s.values)).toEqual(['71x' + hot.inputSeries[0]!.values.split('x')[1], '40x' + hot.inputSeries[0]!.values.split('x')[1]]);
    const idle = tests.find((t) => t.name.startsWith('GpuIdleWhileRequestsQueue fires'))!;
    expect(idle.alertRuleTests.at(-1)!.expAlerts.map((a) => a.expLabels.pod)).toEqual(['vllm-0']);

    const { dir, testFiles } = await written();
    const result = await promtool(dir, testFiles);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.ok).toBe(true);
  }, 600_000);

  it('pass on another clock (30s scrapes, 1m groups) with a leak horizon shorter than the leak window plus `for`', async () => {
    const other = { ...config, prometheus: { scrapeInterval: '30s', evaluationInterval: '1m', ruleGroupInterval: '1m' }, infrastructure: { ...config.infrastructure, gpus: { dcgm: { ...config.infrastructure!.gpus!.dcgm, thresholds: { memoryLeakHorizon: '30m', maxThrottleRatio: 0.9 } } } } } as MonitoringConfig;
    const { dir, testFiles } = await written(other);
    const result = await promtool(dir, testFiles);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.ok).toBe(true);
  }, 600_000);

  it('fail in promtool when a threshold or the fatal list is nudged by hand in the generated rules', async () => {
    const { dir, testFiles } = await written();
    const rules = join(dir, 'prometheus/rules/dcgm.yml');
    const text = readFileSync(rules, 'utf8');
    const nudged = text
      // 70 °C -> 72 °C: the proof's GPU at 71 °C no longer fires.
      .replace(/(record: mlmon:dcgm_warning_temperature_celsius:threshold\n\s+expr: )vector\(70\)/, '$1vector(72)')
      // 48 struck from the fatal list: the proof's GPU whose last XID is 48 no longer fires.
      .replace(/xid: "48"/, 'xid: "47"');
    expect(nudged).not.toBe(text);
    expect(nudged.match(/vector\(72\)|xid: "47"/g)).toHaveLength(2);
    writeFileSync(rules, nudged);
    const result = await promtool(dir, testFiles);
    expect(result.ok).toBe(false);
    const failed = [...result.output.matchAll(/name: (Gpu\w+) /g)].map((m) => m[1]);
    expect([...new Set(failed)].sort()).toEqual(['GpuFatalXid', 'GpuTemperatureHigh']);
  }, 600_000);

  it('keep one alert with an unbroken `for` clock when the exporter\'s pod is replaced and its Hostname changes', async () => {
    const { dir, testFiles } = await written({ ...config, services: { llm: { discovery: { kubernetesPods: { namespaces: ['serving'] } } } } } as MonitoringConfig);
    // The rule files exactly as the generated proofs load them.
    const generated = readFileSync(join(dir, 'prometheus/tests', testFiles[0]!), 'utf8');
    const ruleFiles = generated.slice(generated.indexOf('rule_files:'), generated.indexOf('evaluation_interval:'));
    // One GPU of node gpu-node-1, exported by a dcgm-exporter without NODE_NAME (Hostname = its pod's name) whose
    // pod is replaced at minute `at`: the old pod's series ends, the new pod's begins a scrape later.
    const gpu = (hostname: string, extra = '') => `{job="dcgm-exporter", instance="gpu-node-1", node="gpu-node-1", Hostname="${hostname}", gpu="0", UUID="GPU-aaaa", modelName="NVIDIA H100 80GB HBM3", device="nvidia0"${extra}}`;
    const replaced = (metric: string, value: number, at: number, extra = '') => [
      `      - series: '${metric}${gpu('nvidia-dcgm-exporter-8jcfv', extra)}'\n        values: '${value}x${at * 4}'`,
      `      - series: '${metric}${gpu('nvidia-dcgm-exporter-n2gzs', extra)}'\n        values: '_x${at * 4 + 1} ${value}x80'`,
    ].join('\n');
    // Exactly one ALERTS series, firing, about the GPU: with `Hostname` in the identity, the old pod's alert has
    // resolved (GpuTemperatureHigh) or is still firing beside a pending one (GpuIdleWhileRequestsQueue).
    const oneFiring = (alertname: string, evalTime: string, extra = '') => `    promql_expr_test:
      - expr: ALERTS{alertname="${alertname}"}
        eval_time: ${evalTime}
        exp_samples:
          - labels: '{__name__="ALERTS", alertname="${alertname}", alertstate="firing", instance="gpu-node-1", gpu="0", UUID="GPU-aaaa", modelName="NVIDIA H100 80GB HBM3"${extra}, severity="warning", team="platform"}'
            value: 1`;
    const tests = `${ruleFiles}evaluation_interval: 30s
tests:
  # 71 °C (warning threshold 70, for 5m) throughout; fired at minute 6, the pod replaced at minute 10. With the new
  # pod's series alone the alert would not fire again before minute 15.
  - name: GpuTemperatureHigh across an exporter pod replacement
    interval: 15s
    input_series:
${replaced('DCGM_FI_DEV_GPU_TEMP', 71, 10)}
${oneFiring('GpuTemperatureHigh', '13m')}
  # Idle (utilization 0, threshold 10%, for 10m over 10m) while its pod queues; fired at minute 10, the exporter's
  # pod replaced at minute 15.
  - name: GpuIdleWhileRequestsQueue across an exporter pod replacement
    interval: 15s
    input_series:
${replaced('DCGM_FI_DEV_GPU_UTIL', 0, 15, ', namespace="serving", pod="vllm-0", container="vllm"')}
      - series: 'vllm:num_requests_waiting{job="llm", service="llm", instance="10.0.0.5:8000", namespace="serving", pod="vllm-0", model="chat", model_name="chat"}'
        values: '20x120'
${oneFiring('GpuIdleWhileRequestsQueue', '22m', ', namespace="serving", pod="vllm-0"')}
`;
    writeFileSync(join(dir, 'prometheus/tests/exporter-replaced.test.yml'), tests);
    const result = await promtool(dir, ['exporter-replaced.test.yml']);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.ok).toBe(true);
  }, 120_000);
});
