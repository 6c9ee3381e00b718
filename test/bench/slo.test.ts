/**
 * The SLO benchmark section still works: `bench/slo.mjs` runs mlmon on two tiny fleets with `defaults.modelSlos`
 * set, counts rules apart from constant series, and writes the Sloth specs it would hand Sloth, which say the
 * same SLOs. Nothing is timed, and Sloth itself is left out (`--no-sloth`): it is a bench-only build
 * (`scripts/install-tools.sh --with-sloth`) that the test run doesn't pay for. promtool judges the specs' queries.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot, tool } from '../support/tools.js';

interface RuleCounts {
  alerting: number;
  recording: number;
  series: number;
  rules: number;
  perFile: Record<string, { alerting: number; recording: number; series: number }>;
}

interface SloResults {
  slothVersion: string;
  sloth: unknown;
  loadAverage: number[];
  sizes: { models: number; mlmon: { coldMs: number; runsMs: number[]; cpuMs?: number; rules: RuleCounts; bytes: number; slosGenerated: boolean }; sloth?: unknown }[];
  targets: { id: string; status: string; description: string; measured: string }[];
}

interface SlothSlo {
  name: string;
  objective: number;
  labels?: Record<string, string>;
  sli: { events: { error_query: string; total_query: string } };
  alerting: { name: string; page_alert: { labels: Record<string, string> }; ticket_alert: { labels: Record<string, string> } };
}

interface SlothSpec {
  version: string;
  service: string;
  slos: SlothSlo[];
}

const sizes = [10, 20] as const;
const scratch = scratchDir('mlmon-bench-slo-test-');
const work = join(scratch.dir, 'work');
const resultsFile = join(scratch.dir, 'results', 'slo.json');
let results: SloResults;
let stdout: string;

const specOf = (models: number, name: 'per-model' | 'grouped'): SlothSpec[] =>
  parseAllDocuments(readFileSync(join(work, `slo-n${models}`, `${name}.sloth.yml`), 'utf8')).map((d) => d.toJS() as SlothSpec);

beforeAll(async () => {
  const run = await execa(process.execPath, ['bench/slo.mjs', '--sizes', sizes.join(','), '--runs', '1', '--no-sloth', '--results', resultsFile, '--scratch', work], {
    cwd: repoRoot,
    reject: false,
    timeout: 240_000,
    forceKillAfterDelay: 2_000,
  });
  stdout = run.stdout;
  if (run.exitCode !== 0) throw new Error(`bench/slo.mjs exited ${run.exitCode}:\n${run.stderr}\n${run.stdout}`);
  results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SloResults;
}, 300_000);

afterAll(() => scratch.cleanup());

describe('the SLO benchmark on fleets of 10 and 20 models, Sloth left out', () => {
  it('generates with defaults.modelSlos set for every size and leaves the Sloth columns as skipped', () => {
    expect(results.sizes.map((s) => s.models)).toEqual([...sizes]);
    expect(results.sloth).toBe('skipped');
    for (const size of results.sizes) {
      expect(size.mlmon.coldMs).toBeGreaterThan(0);
      // CPU time comes from GNU time, where the machine has it; a generate takes CPU, in milliseconds.
      if (existsSync('/usr/bin/time')) expect(size.mlmon.cpuMs).toBeGreaterThan(10);
      else expect(size.mlmon.cpuMs).toBeUndefined();
      expect(size.sloth).toBeUndefined();
    }
    expect(stdout).toMatch(/^\s*models\s+mlmon rules\s+mlmon series\s+Sloth rules\s+rule ratio\s+mlmon time\s+Sloth time\s+time ratio/m);
    expect(stdout).toMatch(/^\s+20\s+\d+\s+\d+\s+skipped\s/m);
    expect(results.loadAverage).toHaveLength(3);
    expect(stdout).toMatch(/^Load average [\d.]+ [\d.]+ [\d.]+ at the start of the section/m);
  });

  it('counts per-model threshold series apart from rules: the rules stay, the series grow with the fleet', () => {
    const [ten, twenty] = sizes.map((models) => results.sizes.find((s) => s.models === models)!.mlmon.rules);
    expect(ten!.rules).toBeGreaterThan(0);
    expect(twenty!.rules).toBe(ten!.rules);
    expect(twenty!.series).toBeGreaterThan(ten!.series);
    // thresholds.yml holds only series: none of its rules is counted as a rule.
    expect(twenty!.perFile['prometheus/rules/thresholds.yml']).toMatchObject({ alerting: 0, recording: 0 });
    expect(twenty!.perFile['prometheus/rules/thresholds.yml']!.series).toBeGreaterThan(0);
    const files = Object.values(twenty!.perFile);
    for (const key of ['alerting', 'recording', 'series'] as const) expect(files.reduce((sum, f) => sum + f[key], 0)).toBe(twenty![key]);
    expect(twenty!.rules).toBe(twenty!.alerting + twenty!.recording);
  });

  it('judges the SLO targets: mlmon generates SLO rules, as many at 20 models as at 10', () => {
    expect(results.targets.map((t) => t.id)).toEqual(['slo-generate-1000', 'slo-rules-constant']);
    expect(results.targets[0]!.status).toBe('n/a');
    expect(results.sizes.every((s) => s.mlmon.slosGenerated)).toBe(true);
    expect(results.targets[1]!.status).toBe('PASS');
    for (const target of results.targets) expect(stdout).toContain(`${target.status.padEnd(4)}  ${target.description}`);
  });

  it.each(sizes)('writes a per-model Sloth spec for %i models: one document per service, both SLOs of every model', (models) => {
    const documents = specOf(models, 'per-model');
    const config = JSON.parse(readFileSync(join(work, `slo-n${models}`, 'monitoring.config.json'), 'utf8')) as { models: Record<string, { service: string }> };
    expect(documents.map((d) => d.service).sort()).toEqual([...new Set(Object.values(config.models).map((m) => m.service))].sort());
    const slos = documents.flatMap((d) => d.slos.map((slo) => ({ service: d.service, ...slo })));
    expect(slos).toHaveLength(2 * models);
    for (const d of documents) expect(d.version).toBe('prometheus/v1');
    for (const [model, { service }] of Object.entries(config.models)) {
      const availability = slos.find((s) => s.name === `${model}-availability`)!;
      const latency = slos.find((s) => s.name === `${model}-latency`)!;
      expect(availability).toMatchObject({ service, objective: 99.5, labels: { model } });
      expect(availability.sli.events.error_query).toBe(`sum(rate(predictions_total{model="${model}",status="error"}[{{.window}}]))`);
      expect(availability.sli.events.total_query).toBe(`sum(rate(predictions_total{model="${model}"}[{{.window}}]))`);
      expect(latency).toMatchObject({ service, objective: 99, labels: { model } });
      expect(latency.sli.events.error_query).toContain(`model_inference_duration_seconds_bucket{model="${model}",le="0.5"}`);
      expect(latency.sli.events.total_query).toBe(`sum(rate(model_inference_duration_seconds_count{model="${model}"}[{{.window}}]))`);
    }
  });

  it('writes the grouped Sloth spec: two SLOs whatever the fleet, aggregated by model', () => {
    for (const models of sizes) {
      const [document, ...rest] = specOf(models, 'grouped');
      expect(rest).toHaveLength(0);
      expect(document!.slos.map((s) => [s.name, s.objective])).toEqual([['availability', 99.5], ['latency', 99]]);
      for (const slo of document!.slos) for (const query of Object.values(slo.sli.events)) expect(query).toMatch(/^\(?sum by \(model\) /);
    }
  });

  it('writes Sloth queries that promtool accepts as PromQL once the window is filled in', async () => {
    const queries = [...specOf(20, 'per-model'), ...specOf(20, 'grouped')].flatMap((d) => d.slos.flatMap((s) => Object.values(s.sli.events)));
    expect(queries.length).toBe(2 * 2 * 20 + 2 * 2);
    const rules = join(scratch.dir, 'sloth-queries.yml');
    writeFileSync(rules, stringify({ groups: [{ name: 'sloth-queries', rules: queries.map((q, i) => ({ record: `bench:query_${i}:ratio`, expr: q.replaceAll('{{.window}}', '5m') })) }] }));
    const check = await execa(tool('promtool'), ['check', 'rules', rules], { reject: false });
    expect(check.exitCode, check.stderr + check.stdout).toBe(0);
    expect(check.stdout).toContain(`SUCCESS: ${queries.length} rules found`);
  });
});
