/**
 * The SLO dashboard's queries, run by promtool (Prometheus' own PromQL engine) over the series the SLO rules
 * record, with `$model` filled in as Grafana fills it in: the SLI picks the SLO's own indicator, a listed
 * model's objective wins over the default and a disabled SLO shows none, and the error budget left over the
 * 28-day window is 1 − (errors / events over the window) / (1 − objective).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { MonitoringModel } from '../../src/normalize/model.js';
import { generateExample, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

type Json = Record<string, any>;

let dashboard: Json;
let model: MonitoringModel;

beforeAll(async () => {
  const generated = await generateExample();
  model = generated.model;
  dashboard = JSON.parse(generated.files.find((f) => f.path === 'grafana/dashboards/slos.json')!.content) as Json;
});

function query(title: string, refId: string, target: string): string {
  const panel = (dashboard.panels as Json[]).find((p) => p.title === title);
  if (!panel) throw new Error(`no panel ${title}`);
  return ((panel.targets as Json[]).find((t) => t.refId === refId)!.expr as string).replaceAll('$model', target);
}

/** The labels the rules give an SLO's series (slo-rules.ts), from the model. */
function sloLabels(target: string | undefined, name: string): Record<string, string> {
  const slo = model.slos.slos.find((s) => s.scope === 'model' && s.target === target && s.name === name);
  if (!slo) throw new Error(`no SLO ${name} of ${target ?? 'unlisted models'}`);
  return { ...(target ? { model: target } : {}), slo: slo.name, sli: slo.sli, slo_policy: slo.policy, team: slo.team };
}

const series = (name: string, labels: Record<string, string>, values: string) => ({
  series: `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`, values,
});

/** promtool's verdict on one test file of promql_expr_tests over `inputSeries`, every hour for 28 days. */
function promtool(inputSeries: object[], tests: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[]): { ok: boolean; output: string } {
  const { dir, cleanup } = scratchDir('mlmon-slo-dashboard-');
  try {
    const file = join(dir, 'dashboard.test.yml');
    writeFileSync(file, stringify({ rule_files: [], evaluation_interval: '1h', tests: [{ interval: '1h', input_series: inputSeries, promql_expr_test: tests }] }));
    const result = spawnSync(tool('promtool'), ['test', 'rules', file], { encoding: 'utf8' });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
  } finally {
    cleanup();
  }
}

describe('SLO dashboard queries, evaluated by promtool', () => {
  it('show the SLI of the SLO\'s own indicator, the listed or default objective, and the budget left over the window', () => {
    const listed = 'fraud-detector';
    const unlisted = 'not-in-the-config';
    const disabled = 'recommendation-engine';
    const fraud = sloLabels(listed, 'availability');
    const fraudLatency = sloLabels(listed, 'latency');
    const byDefault = sloLabels(undefined, 'availability');
    expect(fraud.sli).not.toBe(fraudLatency.sli);
    const sliOf = (m: string, sli: string) => ({ model: m, sli });
    // Errors at 0.2% of events for the first 14 days, none after: 0.1% over the 28-day window.
    const halfBad = '0.002x336 0x335';
    const input = [
      series('mlmon:slo_errors:rate5m', sliOf(listed, fraud.sli!), halfBad),
      series('mlmon:slo_events:rate5m', sliOf(listed, fraud.sli!), '1x672'),
      // The latency indicator of the same model burns far faster: the availability row must not read it.
      series('mlmon:slo_errors:rate5m', sliOf(listed, fraudLatency.sli!), '0.5x672'),
      series('mlmon:slo_events:rate5m', sliOf(listed, fraudLatency.sli!), '1x672'),
      series('mlmon:slo_errors:rate5m', sliOf(unlisted, byDefault.sli!), halfBad),
      series('mlmon:slo_events:rate5m', sliOf(unlisted, byDefault.sli!), '1x672'),
      series('mlmon:slo_errors:rate5m', sliOf(disabled, byDefault.sli!), halfBad),
      series('mlmon:slo_events:rate5m', sliOf(disabled, byDefault.sli!), '1x672'),
      // The burn rates as the rules record them: one per model with the SLO (none for the disabled one).
      series('mlmon:slo_burn_rate:rate5m', fraud, '1x672'),
      series('mlmon:slo_burn_rate:rate5m', fraudLatency, '1x672'),
      series('mlmon:slo_burn_rate:rate5m', { ...byDefault, model: unlisted }, '1x672'),
      series('mlmon:slo_burn_rate:rate1h', fraud, '7x672'),
      // A listed objective other than the default, so the test tells them apart.
      series('mlmon:slo_objective:ratio', fraud, '0.99x672'),
      series('mlmon:slo_objective:ratio', fraudLatency, '0.995x672'),
      series('mlmon:slo_objective:default_ratio', byDefault, '0.995x672'),
    ];
    const row = 'Model availability';
    const at = (m: string) => ({ model: m, sli: byDefault.sli! });
    const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
    const tests = [
      { expr: query(`${row}: SLI and objective`, 'A', listed), eval_time: '100h', exp_samples: [{ labels: labels(at(listed)), value: 0.998 }] },
      { expr: query(`${row}: SLI and objective`, 'A', disabled), eval_time: '100h', exp_samples: [] },
      { expr: query(`${row}: SLI and objective`, 'B', listed), eval_time: '100h', exp_samples: [{ labels: '{}', value: 0.99 }] },
      { expr: query(`${row}: SLI and objective`, 'B', unlisted), eval_time: '100h', exp_samples: [{ labels: '{}', value: 0.995 }] },
      { expr: query(`${row}: SLI and objective`, 'B', disabled), eval_time: '100h', exp_samples: [] },
      // 1 − (errors / events over 28d) / (1 − objective), in float64 as Prometheus computes it (0.9 and 0.8 give or
      // take the last bit).
      { expr: query(`${row}: error budget remaining`, 'A', listed), eval_time: '672h', exp_samples: [{ labels: labels(at(listed)), value: 1 - 0.001 / (1 - 0.99) }] },
      { expr: query(`${row}: error budget remaining`, 'A', unlisted), eval_time: '672h', exp_samples: [{ labels: labels(at(unlisted)), value: 1 - 0.001 / (1 - 0.995) }] },
      { expr: query(`${row}: burn rate page-fast`, 'A', listed), eval_time: '100h', exp_samples: [{ labels: `mlmon:slo_burn_rate:rate1h${labels(fraud)}`, value: 7 }] },
    ];
    const passed = promtool(input, tests);
    expect(passed.output).toContain('SUCCESS');
    expect(passed.ok, passed.output).toBe(true);
    // The comparison is real: a budget off by 0.001 fails.
    const nudged = promtool(input, [{ ...tests[5]!, exp_samples: [{ labels: labels(at(listed)), value: 0.9 + 0.001 }] }]);
    expect(nudged.ok, nudged.output).toBe(false);
  });
});
