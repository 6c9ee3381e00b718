/**
 * `mlmon validate` on one fixture folder per broken case (each seed mistake reproduced as a config), asserting
 * the exact check ids and paths reported; and on the example, clean, with the real promtool and amtool.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { undeclaredProblemIds } from '../../src/check/registry.js';
import { hasErrors, problemsOf } from '../../src/check/report.js';
import { validate } from '../../src/pipeline.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot, tool } from '../support/tools.js';

const fixtures = join(repoRoot, 'test/fixtures/validate');
let tools: { promtool: string; amtool: string; timeoutMs: number };
beforeAll(() => {
  tools = { promtool: tool('promtool'), amtool: tool('amtool'), timeoutMs: 60_000 };
});

interface Expected {
  exitCode: 0 | 1;
  external?: boolean;
  problems: { id: string; path?: string; artifact?: string; object?: string; severity?: 'error' | 'warning' }[];
}

describe('validate fixtures', () => {
  for (const name of readdirSync(fixtures).sort()) {
    it(`reports exactly the expected problems for "${name}"`, async () => {
      const dir = join(fixtures, name);
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const report = await validate({ cwd: dir, skipExternal: !expected.external, tools });
      const got = problemsOf(report).map((p) => ({
        id: p.id,
        ...(expected.problems.some((e) => e.path) && p.path ? { path: p.path } : {}),
        ...(expected.problems.some((e) => e.artifact) && p.artifact ? { artifact: p.artifact } : {}),
        ...(p.object && expected.problems.some((e) => e.object) ? { object: p.object } : {}),
        severity: p.severity,
      }));
      const want = expected.problems.map((e) => ({ severity: 'error', ...e }));
      expect(got.sort(byJson)).toEqual(want.sort(byJson));
      expect(hasErrors(report) ? 1 : 0).toBe(expected.exitCode);
      // Each problem comes from a check that declares its id (and so has a heading in docs/checks.md).
      expect(undeclaredProblemIds(report)).toEqual([]);
    });
  }
});

const byJson = (a: Record<string, unknown>, b: Record<string, unknown>) => {
  const key = (p: Record<string, unknown>) => [p.id, p.path, p.artifact, p.object, p.severity].join('|');
  return key(a).localeCompare(key(b));
};

describe('validate on the example', () => {
  it('is clean, runs every check with the real tools, and reports their versions and the proofs', async () => {
    const report = await validate({ cwd: repoRoot, skipExternal: false, tools });
    expect(problemsOf(report)).toEqual([]);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    for (const id of ['config', 'promql', 'rules/hygiene', 'secrets', 'kubernetes/objects', 'grafana/dashboards', 'logstash/syntax', 'promtool/check-config', 'promtool/check-rules', 'promtool/test-rules', 'amtool/check-config', 'amtool/routes']) {
      expect(byId[id]?.status, id).toBe('passed');
    }
    expect(byId['promtool/check-rules']!.tool).toBe('promtool 3.16.0');
    expect(byId['amtool/check-config']!.tool).toBe('amtool 0.35.0');
    expect(byId['promtool/test-rules']!.detail).toMatch(/^rule tests (\d+)\/\1 passed$/);
    expect(byId['amtool/routes']!.detail).toMatch(/^routes (\d+)\/\1 passed$/);
  }, 240_000);

  it('reports a missing tool as a problem, and as a skipped check under --skip-external', async () => {
    const missing = await validate({ cwd: repoRoot, skipExternal: false, tools: { promtool: '/nonexistent/promtool', amtool: tools.amtool, timeoutMs: 60_000 } });
    const problems = problemsOf(missing);
    expect(problems.filter((p) => p.id === 'tools/missing').map((p) => p.artifact).sort()).toEqual(['prometheus/prometheus.yml', 'prometheus/rules', 'prometheus/shards', 'prometheus/tests', 'ruler']);
    const skipped = await validate({ cwd: repoRoot, skipExternal: true, tools });
    expect(skipped.checks.filter((c) => c.status === 'skipped').map((c) => c.id).sort()).toEqual(['amtool/check-config', 'amtool/routes', 'promtool/check-central-rules', 'promtool/check-config', 'promtool/check-rules', 'promtool/check-shard-configs', 'promtool/test-rules']);
    expect(hasErrors(skipped)).toBe(false);
  });

  it('stops a tool that hangs and reports it', async () => {
    const { dir, cleanup } = scratchDir();
    try {
      const hanging = join(dir, 'promtool');
      writeFileSync(hanging, '#!/bin/sh\nexec sleep 60\n');
      chmodSync(hanging, 0o755);
      const report = await validate({ cwd: repoRoot, skipExternal: false, tools: { promtool: hanging, amtool: tools.amtool, timeoutMs: 1000 } });
      expect(problemsOf(report).filter((p) => p.id === 'tools/timeout').length).toBeGreaterThanOrEqual(2);
    } finally {
      cleanup();
    }
  });
});

describe('validate output formats', () => {
  const run = (args: string[], cwd: string) => spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), 'validate', '--skip-external', ...args], { cwd, encoding: 'utf8' });

  it('prints JSON for machines and GitHub annotations for Actions, and exits 1 on problems', () => {
    const dir = join(fixtures, 'seed-model-name-label');
    const json = run(['--format', 'json'], dir);
    expect(json.status).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.ok).toBe(false);
    expect(parsed.problems.map((p: { id: string }) => p.id)).toEqual(['promql/unknown-label']);
    const github = run(['--format', 'github'], dir);
    expect(github.status).toBe(1);
    expect(github.stdout).toMatch(/^::error file=out\/prometheus\/rules\/alerts\.yml,title=mlmon promql\/unknown-label::.*model_name/m);
  });

  it('prints a ✓ per check grouped by artifact, and exits 0 when clean', () => {
    const text = run([], repoRoot);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/prometheus\/rules\n  ✓ PromQL parses and matches the metric catalog/);
    expect(text.stdout).toMatch(/- promtool test rules \(--skip-external\) skipped/);
  });
});
