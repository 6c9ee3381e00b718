/**
 * `mlmon validate` checks the rendered Kubernetes objects, dashboards and Logstash pipeline, also under
 * --skip-external (they need no tool); and a file that a template override broke is a problem naming the
 * file, for `validate` and for `generate`, never an internal error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrors, problemsOf } from '../../src/check/report.js';
import { validate } from '../../src/pipeline.js';
import { generateInMemory } from '../../src/pipeline.js';
import { ProblemsFound } from '../../src/problems.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const brokenTemplate = join(repoRoot, 'test/fixtures/validate/logstash-template-missing-brace');
const tools = { promtool: '/nonexistent/promtool', amtool: '/nonexistent/amtool', timeoutMs: 10_000 };

describe('validate on the rendered output', () => {
  it('checks the Kubernetes objects, the dashboards and the Logstash pipeline of the example, also under --skip-external', async () => {
    const report = await validate({ cwd: repoRoot, skipExternal: true, tools });
    expect(hasErrors(report)).toBe(false);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    const expected: [string, string, RegExp][] = [
      ['kubernetes/objects', 'k8s', /^\d{2,} objects$/],
      ['grafana/dashboards', 'grafana/dashboards', /^4 dashboards, \d{2,} queries$/],
      ['logstash/syntax', 'logstash/pipeline', /^1 pipeline$/],
      ['render/invalid-output', 'out', /^\d{2,} YAML files$/],
    ];
    for (const [id, artifact, detail] of expected) {
      expect(byId[id], id).toMatchObject({ status: 'passed', artifact, problems: [] });
      expect(byId[id]!.detail, id).toMatch(detail);
    }
    // They run right after the secrets check, before the external tools.
    const ids = report.checks.map((c) => c.id);
    expect(ids.slice(ids.indexOf('secrets') + 1, ids.indexOf('secrets') + 5)).toEqual(['kubernetes/objects', 'yaml/reader-mismatch', 'grafana/dashboards', 'logstash/syntax']);
  });

  it('reports a pipeline that a template override broke as render/invalid-output on that file, with the config check passed', async () => {
    const report = await validate({ cwd: brokenTemplate, skipExternal: true, tools });
    expect(report.checks.map((c) => [c.id, c.status, c.artifact])).toEqual([
      ['config', 'passed', 'config'],
      ['render/invalid-output', 'failed', 'logstash/pipeline/logstash.conf'],
    ]);
    const [problem] = problemsOf(report);
    expect(problem!.message).toMatch(/^could not render logstash\/pipeline\/logstash\.conf: the output is not a valid Logstash pipeline: .* \(line \d+, column \d+\)$/);
    expect(problem!.hint).toContain(join(brokenTemplate, 'templates'));
  });

  it('makes generateInMemory throw ProblemsFound, not an internal error, for a file that does not parse', async () => {
    const error = await generateInMemory({ cwd: brokenTemplate }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemsFound);
    expect((error as ProblemsFound).problems.map((p) => [p.id, p.severity, p.artifact])).toEqual([['render/invalid-output', 'error', 'logstash/pipeline/logstash.conf']]);
  });

  it('makes `mlmon generate` exit 1, name the file and write nothing', () => {
    const { dir, cleanup } = scratchDir();
    try {
      const out = join(dir, 'out');
      const result = spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), 'generate', '--out', out], { cwd: brokenTemplate, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('could not render logstash/pipeline/logstash.conf');
      expect(result.stderr).toContain('[render/invalid-output]');
      expect(result.stderr).toMatch(/1 problem in .*monitoring\.config\.json; nothing was written\./);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(existsSync(out)).toBe(false);
    } finally {
      cleanup();
    }
  });
});
