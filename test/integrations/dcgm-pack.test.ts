/**
 * The DCGM GPU pack (issue 14): its metric catalog against dcgm-exporter's own counters file, the counters file
 * it writes (against the exporter's CSV grammar, read by Go's encoding/csv as the exporter reads it), its scrape
 * job, its config problems, and that nothing of it appears without `infrastructure.gpus.dcgm`.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { dcgm, dcgmAlerts } from '../../src/catalog/integrations/dcgm/index.js';
import { dcgmFields } from '../../src/catalog/integrations/dcgm/metrics.js';
import { alertCatalog } from '../../src/catalog/index.js';
import { integrationAlerts } from '../../src/catalog/integrations/index.js';
import { renderAll } from '../../src/render/render.js';
import { dcgmCountersProblems } from '../../src/render/dcgm.js';
import { checkPromql } from '../../src/check/promql-semantics.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { modelOf, problemsOf, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const run = promisify(execFile);
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const base = {
  services: { llm: { discovery: { kubernetesPods: { namespaces: ['serving'] } } } },
  infrastructure: { gpus: { dcgm: { kubernetes: { namespace: 'gpu-operator', podLabels: { app: 'nvidia-dcgm-exporter' } } } } },
} as const;
const withDcgm = (dcgmConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ ...base, ...extra, infrastructure: { gpus: { dcgm: { ...base.infrastructure.gpus.dcgm, ...dcgmConfig } } } }) as unknown as MonitoringConfig;

/** dcgm-exporter's etc/default-counters.csv at 4.5.3-4.8.2, commented rows included: name -> [type, help, enabled]. */
function upstreamCounters(): Map<string, { type: string; help: string; enabled: boolean }> {
  const text = readFileSync(join(repoRoot, 'test/fixtures/dcgm/default-counters-4.5.3-4.8.2.csv'), 'utf8');
  const rows = new Map<string, { type: string; help: string; enabled: boolean }>();
  for (const line of text.split('\n')) {
    const m = /^(#\s*)?(DCGM_\w+)\s*,\s*(\w+)\s*,\s*(.*)$/.exec(line);
    if (m) rows.set(m[2]!, { type: m[3]!, help: m[4]!.trim(), enabled: !m[1] });
  }
  return rows;
}

describe('the DCGM metric catalog', () => {
  it('names, types, help (units) and default state of every field are dcgm-exporter\'s own, at the pinned release', () => {
    const upstream = upstreamCounters();
    for (const f of dcgmFields) {
      expect(upstream.get(f.name), f.name).toEqual({ type: f.type, help: f.help, enabled: f.enabledByDefault });
    }
    // The traps the pack exists for: XID is a gauge of the last code; ECC and throttling are off by default.
    expect(upstream.get('DCGM_FI_DEV_XID_ERRORS')).toMatchObject({ type: 'gauge', help: 'Value of the last XID error encountered.' });
    expect(['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'DCGM_FI_DEV_POWER_VIOLATION', 'DCGM_FI_DEV_THERMAL_VIOLATION'].map((n) => upstream.get(n)!.enabled)).toEqual([false, false, false]);
  });

  it('gives every field its unit and source, and every alert reads only metrics the model\'s catalog has', () => {
    for (const f of dcgmFields) {
      expect(f.unit, f.name).not.toBe('');
      expect(f.source).toMatch(/^https:\/\/github\.com\/NVIDIA\/dcgm-exporter\/blob\/4\.5\.3-4\.8\.2\//);
    }
    const model = modelOf(withDcgm({}));
    const known = new Set(model.metricCatalog.map((m) => m.name));
    for (const alert of dcgmAlerts) for (const metric of alert.metrics) expect(known.has(metric), `${alert.name} reads ${metric}`).toBe(true);
    for (const alert of dcgmAlerts) for (const metric of alert.metrics) expect(model.builtinAlerts.find((a) => a.name === alert.name)!.rule.expr, alert.name).toContain(metric);
  });

  it('has one scope, infrastructure, and names no alert a built-in has', () => {
    expect(dcgm.scope).toBe('infrastructure');
    expect(dcgmAlerts.every((a) => a.scope === 'infrastructure')).toBe(true);
    const builtins = new Set<string>(alertCatalog.map((a) => a.name));
    expect(integrationAlerts.filter((a) => builtins.has(a.name))).toEqual([]);
    expect(dcgmAlerts.map((a) => a.name)).toEqual(['GpuFatalXid', 'GpuEccDoubleBitErrors', 'GpuRowRemapFailure', 'GpuTemperatureHigh', 'GpuTemperatureCritical', 'GpuPowerThrottling', 'GpuThermalThrottling', 'GpuFramebufferNearlyFull', 'GpuMemoryLeak', 'GpuIdleWhileRequestsQueue', 'DcgmExporterMissing']);
  });
});

describe('the GPU alerts\' rules', () => {
  const rules = (config: MonitoringConfig) => Object.fromEntries(modelOf(config).builtinAlerts.map((a) => [a.name, a.rule.expr]));
  const records = (config: MonitoringConfig) => modelOf(config).ruleFiles.find((f) => f.name === 'dcgm.yml')!.groups.flatMap((g) => g.rules).map((r) => (r.kind === 'record' ? `${r.record}${JSON.stringify(r.labels)} ${r.expr}` : ''));

  it('reads the XID gauge as the last code, joined with the fatal list by value, never summed or rated', () => {
    const expr = rules(withDcgm({}))['GpuFatalXid']!;
    expect(expr).toContain('count_values without () ("xid", max by (instance, gpu, UUID, modelName) (DCGM_FI_DEV_XID_ERRORS))');
    expect(expr).toContain('* on (xid) group_left ()\nmlmon:dcgm_fatal_xid:info');
    expect(expr).not.toMatch(/(rate|increase|sum)\s*\(.*XID/);
  });

  it('are about the node and the GPU, never dcgm-exporter\'s Hostname (its pod\'s name without NODE_NAME), in expression, labels or text', () => {
    const model = modelOf(withDcgm({}));
    const gpuAlerts = model.builtinAlerts.filter((a) => a.name.startsWith('Gpu'));
    expect(gpuAlerts).toHaveLength(dcgmAlerts.filter((a) => a.name.startsWith('Gpu')).length);
    for (const a of gpuAlerts) {
      expect(a.rule.expr, a.name).toMatch(/by \(instance, gpu, UUID, modelName[,)]/);
      expect(`${a.rule.expr}\n${Object.values(a.rule.annotations).join('\n')}`, a.name).not.toContain('Hostname');
    }
    for (const alert of dcgmAlerts) expect(alert.labelSets.flat(), alert.name).not.toContain('Hostname');
    expect(renderAll(model).find((f) => f.path === 'grafana/dashboards/infrastructure.json')!.content).not.toContain('Hostname');
  });

  it('keeps thresholds and the fatal list as series, so a config\'s numbers change the series, not the rules', () => {
    const mine = withDcgm({ fatalXids: [79, 48, 79], thresholds: { warningTemperatureCelsius: 70, criticalTemperatureCelsius: 90, memoryLeakHorizon: '2h' } });
    expect(records(mine)).toEqual(expect.arrayContaining([
      'mlmon:dcgm_warning_temperature_celsius:threshold{} vector(70)',
      'mlmon:dcgm_critical_temperature_celsius:threshold{} vector(90)',
      'mlmon:dcgm_memory_leak_horizon_seconds:threshold{} vector(7200)',
      'mlmon:dcgm_fatal_xid:info{"xid":"48"} vector(1)',
      'mlmon:dcgm_fatal_xid:info{"xid":"79"} vector(1)',
    ]));
    expect(records(mine).filter((r) => r.startsWith('mlmon:dcgm_fatal_xid'))).toHaveLength(2);
    expect(rules(mine)).toEqual(rules(withDcgm({})));
    // The default list: NVIDIA's reset/reboot XIDs as EKS drains for them; application faults are not on it.
    const defaults = records(withDcgm({})).filter((r) => r.startsWith('mlmon:dcgm_fatal_xid')).map((r) => Number(/"xid":"(\d+)"/.exec(r)![1]));
    expect(defaults).toEqual(expect.arrayContaining([48, 63, 64, 74, 79, 95]));
    expect(defaults.filter((x) => [13, 31, 43, 45].includes(x))).toEqual([]);
  });

  it('joins an idle GPU with its own pod\'s queue on (namespace, pod), and routes GPU criticals to mute only the same GPU', () => {
    const model = modelOf(withDcgm({}));
    const expr = model.builtinAlerts.find((a) => a.name === 'GpuIdleWhileRequestsQueue')!.rule.expr;
    expect(expr).toContain('DCGM_FI_DEV_GPU_UTIL{pod!=""}');
    expect(expr).toContain('and on (namespace, pod)');
    expect(expr).toContain('sum by (namespace, pod) (avg_over_time(vllm:num_requests_waiting[10m])) > 0');
    expect(expr).toContain('sum by (namespace, pod) (avg_over_time(nv_inference_pending_request_count[10m])) > 0');
    const gpuRule = model.alertmanager.inhibitRules.find((r) => r.equal.includes('gpu'));
    expect(gpuRule?.equal).toEqual(['cluster', 'instance', 'gpu']);
    expect(model.alertmanager.inhibitRules.find((r) => r.source.includes('same instance'))?.targetMatchers).toContain('gpu=""');
    // Every GPU alert is in the infrastructure group, with the infrastructure team.
    for (const a of model.builtinAlerts.filter((b) => b.name.startsWith('Gpu'))) expect([a.group, a.rule.labels.team]).toEqual(['infrastructure', 'platform']);
  });
});

describe('the dcgm-exporter scrape job', () => {
  it('finds the exporter per node through its DaemonSet\'s pods, `instance` the node, and sets no namespace/pod/container of its own', () => {
    const job = modelOf(withDcgm({})).scrapeJobs.find((j) => j.name === 'dcgm-exporter')!;
    expect(job.kubernetesSd).toEqual({ role: 'pod', namespaces: ['gpu-operator'] });
    const relabel = job.relabelConfigs!;
    expect(relabel[0]).toEqual({ source_labels: ['__meta_kubernetes_pod_label_app'], action: 'keep', regex: 'nvidia-dcgm-exporter' });
    expect(relabel).toContainEqual({ source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' });
    expect(relabel).toContainEqual({ target_label: '__tmp_dcgm_exporter_port', replacement: '9400' });
    // The exporter's own pod/namespace/container name the GPU's pod: a target label would rename them exported_*.
    expect(relabel.map((r) => r.target_label).filter((l) => ['namespace', 'pod', 'container'].includes(l as string))).toEqual([]);
    // The service jobs it joins with do set them, from the scraped pod.
    const service = modelOf(withDcgm({})).scrapeJobs.find((j) => j.name === 'llm')!;
    expect(service.relabelConfigs!.map((r) => r.target_label)).toEqual(expect.arrayContaining(['namespace', 'pod']));
  });

  it('scrapes fixed targets for GPU hosts outside Kubernetes', () => {
    const job = modelOf({ infrastructure: { gpus: { dcgm: { targets: ['gpu-1:9400', 'gpu-2:9400'] } } } } as MonitoringConfig).scrapeJobs.find((j) => j.name === 'dcgm-exporter');
    expect(job).toEqual({ name: 'dcgm-exporter', kind: 'dcgm-exporter', staticTargets: ['gpu-1:9400', 'gpu-2:9400'] });
  });

  it('adds nothing, no job, alert, rule file, panel or counters file, without infrastructure.gpus.dcgm', () => {
    const { infrastructure: _, ...without } = base;
    const model = modelOf(without as unknown as MonitoringConfig);
    expect(model.scrapeJobs.map((j) => j.kind)).not.toContain('dcgm-exporter');
    expect(model.builtinAlerts.filter((a) => a.name.startsWith('Gpu'))).toEqual([]);
    expect(model.ruleFiles.map((f) => f.name)).not.toContain('dcgm.yml');
    expect(model.alertmanager.inhibitRules.flatMap((r) => r.targetMatchers)).not.toContain('gpu=""');
    const files = renderAll(model);
    expect(files.filter((f) => f.path.startsWith('dcgm/'))).toEqual([]);
    expect(files.find((f) => f.path === 'grafana/dashboards/infrastructure.json')!.content).not.toContain('DCGM_');
  });
});

describe('the counters file', () => {
  const csvOf = (config: MonitoringConfig) => renderAll(modelOf(config)).find((f) => f.path === 'dcgm/counters.csv')!.content;
  const fieldsOf = (csv: string) => csv.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',')[0]!.trim());

  it('enables exactly the fields the enabled alerts read, the default-off ECC and throttling counters among them', () => {
    const all = fieldsOf(csvOf(withDcgm({})));
    expect(all).toEqual([...dcgmFields.map((f) => f.name), 'DCGM_FI_DRIVER_VERSION']);
    expect(all).toEqual(expect.arrayContaining(['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'DCGM_FI_DEV_POWER_VIOLATION', 'DCGM_FI_DEV_THERMAL_VIOLATION']));
    // An alert switched off takes its fields along, unless another alert reads them.
    const fewer = fieldsOf(csvOf(withDcgm({}, { alerts: { GpuEccDoubleBitErrors: { enabled: false }, GpuPowerThrottling: { enabled: false } } })));
    expect(fewer).not.toContain('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL');
    expect(fewer).not.toContain('DCGM_FI_DEV_POWER_VIOLATION');
    expect(fewer).toContain('DCGM_FI_DEV_THERMAL_VIOLATION');
  });

  it('is read by Go\'s encoding/csv, as dcgm-exporter reads it, into records of exactly three known fields', async () => {
    const { dir, cleanup } = scratchDir('mlmon-dcgm-csv-');
    cleanups.push(cleanup);
    const csv = csvOf(withDcgm({}));
    writeFileSync(join(dir, 'counters.csv'), csv);
    // internal/pkg/counters/counter_config.go ReadCSVFile + ExtractCounters, at 4.5.3-4.8.2: Comment '#', ReadAll,
    // each field trimmed of spaces, exactly 3 per record, the type one of promMetricType's.
    writeFileSync(join(dir, 'main.go'), `package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"strings"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil { panic(err) }
	r := csv.NewReader(f)
	r.Comment = '#'
	records, err := r.ReadAll()
	if err != nil { fmt.Println("error:", err); os.Exit(1) }
	types := map[string]bool{"gauge": true, "counter": true, "histogram": true, "summary": true, "label": true}
	for i, record := range records {
		for j := range record { record[j] = strings.Trim(record[j], " ") }
		if len(record) != 3 { fmt.Printf("record %d has %d fields\\n", i, len(record)); os.Exit(1) }
		if !types[record[1]] { fmt.Printf("record %d has type %q\\n", i, record[1]); os.Exit(1) }
		fmt.Printf("%s|%s\\n", record[0], record[1])
	}
}
`);
    writeFileSync(join(dir, 'go.mod'), 'module dcgmcsv\n\ngo 1.21\n');
    const env = { ...process.env, GOFLAGS: '-mod=mod', GOCACHE: join(dir, 'gocache'), GOPATH: join(dir, 'gopath') };
    const { stdout } = await run('go', ['run', '.', 'counters.csv'], { cwd: dir, env });
    expect(stdout.trim().split('\n')).toEqual([...dcgmFields.map((f) => `${f.name}|${f.type}`), 'DCGM_FI_DRIVER_VERSION|label']);
    // And the same reader refuses what dcgmCountersProblems refuses: a help text with a comma is a fourth field.
    writeFileSync(join(dir, 'bad.csv'), 'DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature, in C.\n');
    await expect(run('go', ['run', '.', 'bad.csv'], { cwd: dir, env })).rejects.toMatchObject({ stdout: 'record 0 has 4 fields\n' });
  }, 120_000);

  it('names each line dcgm-exporter would refuse: a fourth field, an unknown type, an unknown field, a quote', () => {
    expect(dcgmCountersProblems('# ok\nDCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (in C).\n')).toEqual([]);
    expect(dcgmCountersProblems('DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature, in C.')).toEqual(['line 1: 4 fields, dcgm-exporter expects 3']);
    expect(dcgmCountersProblems('DCGM_FI_DEV_GPU_TEMP, gaug, GPU temperature')).toEqual(['line 1: unknown Prometheus type gaug']);
    expect(dcgmCountersProblems('DCGM_FI_DEV_GPU_TEMPERATURE, gauge, GPU temperature')).toEqual(['line 1: unknown DCGM field DCGM_FI_DEV_GPU_TEMPERATURE']);
    expect(dcgmCountersProblems('DCGM_FI_DEV_GPU_TEMP, gauge, the "GPU" temperature')).toEqual(['line 1: a double quote, which dcgm-exporter\'s CSV reader refuses']);
  });

  it('is packed, byte for byte, into a ConfigMap under both keys the exporter and the GPU Operator read', () => {
    const files = renderAll(modelOf(withDcgm({})));
    const csv = files.find((f) => f.path === 'dcgm/counters.csv')!.content;
    const map = files.find((f) => f.path === 'dcgm/exporter-metrics-config-map.yaml')!.content;
    expect(map).toContain('kind: ConfigMap');
    expect(map).toContain('  namespace: gpu-operator');
    const indented = csv.trimEnd().split('\n').map((l) => (l ? `    ${l}` : '')).join('\n');
    expect(map).toContain(`  dcgm-metrics.csv: |\n${indented}`);
    expect(map).toContain(`  metrics: |\n${indented}`);
  });
});

describe('DCGM config problems', () => {
  const cases: { name: string; dcgm: Record<string, unknown>; expected: { id: string; path: string; value?: unknown } }[] = [
    { name: 'both pod discovery and fixed targets', dcgm: { targets: ['gpu-1:9400'] }, expected: { id: 'config/gpu-discovery', path: 'infrastructure.gpus.dcgm.targets', value: ['gpu-1:9400'] } },
    { name: 'a critical temperature not above the warning one', dcgm: { thresholds: { warningTemperatureCelsius: 85, criticalTemperatureCelsius: 80 } }, expected: { id: 'config/gpu-thresholds', path: 'infrastructure.gpus.dcgm.thresholds.criticalTemperatureCelsius', value: 80 } },
    { name: 'a warning temperature at the default critical one', dcgm: { thresholds: { warningTemperatureCelsius: 90 } }, expected: { id: 'config/gpu-thresholds', path: 'infrastructure.gpus.dcgm.thresholds.warningTemperatureCelsius', value: 90 } },
    { name: 'a throttle share of 1, which no GPU can pass', dcgm: { thresholds: { maxThrottleRatio: 1 } }, expected: { id: 'config/unreachable-threshold', path: 'infrastructure.gpus.dcgm.thresholds.maxThrottleRatio', value: 1 } },
    { name: 'a leak horizon of 0', dcgm: { thresholds: { memoryLeakHorizon: '0s' } }, expected: { id: 'config/unreachable-threshold', path: 'infrastructure.gpus.dcgm.thresholds.memoryLeakHorizon', value: '0s' } },
    { name: 'an exporter version the catalog was not checked against', dcgm: { version: '3.3' }, expected: { id: 'config/invalid-value', path: 'infrastructure.gpus.dcgm.version', value: '3.3' } },
    { name: 'an empty fatal XID list', dcgm: { fatalXids: [] }, expected: { id: 'config/invalid-value', path: 'infrastructure.gpus.dcgm.fatalXids' } },
    { name: 'a temperature in Fahrenheit', dcgm: { thresholds: { criticalTemperatureCelsius: 185 } }, expected: { id: 'config/invalid-value', path: 'infrastructure.gpus.dcgm.thresholds.criticalTemperatureCelsius', value: 185 } },
  ];
  for (const { name, dcgm: dcgmConfig, expected } of cases) {
    it(`reports ${name}`, async () => {
      expect(await problemsOf(withDcgm(dcgmConfig))).toContainEqual(expect.objectContaining(expected));
    });
  }

  it('holds GPU alert windows to the scrape interval, as the built-ins\' (a rate window too short, a window an alert never reads)', async () => {
    const problems = await problemsOf(withDcgm({}, { alerts: { GpuPowerThrottling: { window: '30s' }, GpuFatalXid: { window: '5m' } } }));
    expect(problems).toContainEqual(expect.objectContaining({ id: 'config/alert-window', path: 'alerts.GpuPowerThrottling.window', value: '30s' }));
    expect(problems).toContainEqual(expect.objectContaining({ id: 'config/unused-window', path: 'alerts.GpuFatalXid.window', value: '5m' }));
    // The built-ins keep theirs; a config without the pack doesn't check the GPU alerts.
    expect((await problemsOf({ ...base, infrastructure: undefined, alerts: { HighCPUUsage: { window: '30s' } } })).map((p) => p.path)).toEqual(['alerts.HighCPUUsage.window']);
  });

  it('reports a pack with nowhere to scrape', async () => {
    expect(await problemsOf({ infrastructure: { gpus: { dcgm: {} } } })).toContainEqual(expect.objectContaining({ id: 'config/gpu-discovery', path: 'infrastructure.gpus.dcgm' }));
  });

  it('accepts the pack with its defaults, and GPU alert overrides under `alerts`', async () => {
    expect(await problemsOf(withDcgm({}, { alerts: { GpuTemperatureHigh: { for: '10m', severity: 'info' } } }))).toEqual([]);
  });
});

describe('mlmon\'s PromQL check on the GPU alerts', () => {
  const catalog = modelOf(withDcgm({})).metricCatalog;
  const problems = (expr: string, annotationLabels: string[] = []) => checkPromql({ expr, artifact: 'test', object: 'test', annotationLabels }, { catalog, scrapeIntervalSeconds: 15 });

  it('knows count_values writes the value into its label, with and without a grouping', async () => {
    expect(await problems('count_values without () ("xid", DCGM_FI_DEV_XID_ERRORS) * on (xid) group_left () mlmon:dcgm_fatal_xid:info', ['xid', 'gpu'])).toEqual([]);
    expect(await problems('count_values("xid", DCGM_FI_DEV_XID_ERRORS) * on (xid) group_left () mlmon:dcgm_fatal_xid:info', ['xid'])).toEqual([]);
    // Still a mistake: a label neither the grouping nor count_values gives.
    expect((await problems('count_values by (gpu) ("xid", DCGM_FI_DEV_XID_ERRORS)', ['UUID'])).map((p) => p.id)).toEqual(['promql/unknown-label']);
  });

  it('finds nothing wrong in any GPU alert', async () => {
    const model = modelOf(withDcgm({}));
    for (const alert of model.builtinAlerts.filter((a) => a.name.startsWith('Gpu'))) {
      const labels = [...`${alert.rule.annotations.summary} ${alert.rule.annotations.description}`.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]!);
      expect(await problems(alert.rule.expr, labels), alert.name).toEqual([]);
    }
  });
});
