/**
 * Config values the schema lets through but a tool refuses or a proof can't run, found by fuzzing: each is a
 * problem on its config path (test/fixtures/fuzz/ replays the shrunk configs through the real tools).
 */
import { describe, expect, it } from 'vitest';
import { problemsOf } from '../support/fixtures.js';

const base = { services: { s: { discovery: { staticTargets: ['a:1'] } } }, models: { m: { service: 's' } } };
const idsAndPaths = async (config: unknown, id: string) => (await problemsOf(config)).filter((p) => p.id === id).map((p) => p.path);

describe('values the tools refuse, reported on their config path', () => {
  it('durations past Go\'s range, zero where the tool needs a positive one, and `for`/windows too long to prove', async () => {
    expect(await idsAndPaths({ ...base, alerts: { HighCPUUsage: { for: '99999999999999999999s' }, LowPredictionConfidence: { window: '9999999999y' } } }, 'config/duration-range'))
      .toEqual(['alerts.HighCPUUsage.for', 'alerts.LowPredictionConfidence.window']);
    expect(await idsAndPaths({ ...base, alerting: { grouping: { groupInterval: '0s', repeatInterval: '0s' } } }, 'config/duration-range'))
      .toEqual(['alerting.grouping.groupInterval', 'alerting.grouping.repeatInterval']);
    expect(await idsAndPaths({ ...base, alerts: { HighCPUUsage: { for: '100y' } } }, 'config/duration-range')).toEqual(['alerts.HighCPUUsage.for']);
    expect(await idsAndPaths({ ...base, alerts: { HighCPUUsage: { for: '1w' } }, alerting: { grouping: { groupWait: '0s' } } }, 'config/duration-range')).toEqual([]);
  });

  it('custom rules whose expression is not PromQL, or that set a label Prometheus reserves', async () => {
    const rules = {
      alerts: [{ name: 'A', expr: 'up ==', summary: 's', description: 'd' }, { name: 'B', expr: 'up == 0', summary: 's', description: 'd', labels: { __name__: 'x', __meta_x: 'y', ok: 'z' } }],
      recording: [{ record: 'job:x:sum', expr: 'Team X' }, { record: 'job:y:sum', expr: 'sum by (job) (up)' }],
    };
    expect(await idsAndPaths({ ...base, rules }, 'config/invalid-promql')).toEqual(['rules.alerts[0].expr', 'rules.recording[0].expr']);
    expect(await idsAndPaths({ ...base, rules }, 'config/reserved-label')).toEqual(['rules.alerts[1].labels.__name__', 'rules.alerts[1].labels.__meta_x']);
  });

  it('a minimum of zero on a signal that is never negative, which could never fire', async () => {
    const config = {
      ...base,
      services: { s: { discovery: { staticTargets: ['a:1'] }, thresholds: { minThroughputRps: 0 } } },
      defaults: { modelThresholds: { minAccuracy: 0 } },
      models: { m: { service: 's', thresholds: { minMeanConfidence: 0, minAccuracy: false } } },
      infrastructure: { thresholds: { minDiskFreePercent: 0 } },
    };
    expect((await idsAndPaths(config, 'config/unreachable-threshold')).sort()).toEqual([
      'defaults.modelThresholds.minAccuracy', 'infrastructure.thresholds.minDiskFreePercent', 'models.m.thresholds.minMeanConfidence', 'services.s.thresholds.minThroughputRps',
    ]);
    expect(await idsAndPaths({ ...base, models: { m: { service: 's', thresholds: { minMeanConfidence: 3.4e-48 } } } }, 'config/unreachable-threshold')).toEqual([]);
    const ceilings = { ...base, infrastructure: { thresholds: { maxCpuPercent: 100, maxMemoryPercent: 99.9 } }, defaults: { serviceThresholds: { maxErrorRatio: 1, maxLatencyP95Seconds: 1e308 } } };
    expect((await idsAndPaths(ceilings, 'config/unreachable-threshold')).sort()).toEqual([
      'defaults.serviceThresholds.maxErrorRatio', 'defaults.serviceThresholds.maxLatencyP95Seconds', 'infrastructure.thresholds.maxCpuPercent',
    ]);
  });
});
