/**
 * The checks registry: validate runs exactly its entries, in its order, so a check added to it is run and
 * reported with nothing else to change; its `emits` lists are complete; and `--disable` silences warning-only
 * ids (each of the kinds: an inhibition, a PromQL, a rule-hygiene warning) and refuses errors.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRegistry, disableableIds, type Check } from '../../src/check/registry.js';
import { problemsOf } from '../../src/check/report.js';
import { runChecks } from '../../src/check/run-checks.js';
import { generateInMemory, validate, type Generated } from '../../src/pipeline.js';
import { CouldNotRun } from '../../src/problems.js';
import { repoRoot } from '../support/tools.js';

const fixtures = join(repoRoot, 'test/fixtures/validate');
const tools = { promtool: '/nonexistent/promtool', amtool: '/nonexistent/amtool', timeoutMs: 10_000 };

describe('the checks registry', () => {
  it('lists the checks in the order validate reported them before the registry, mlmon\'s own before the tools', () => {
    expect(checkRegistry.map((c) => c.id)).toEqual([
      'config', 'render/invalid-output', 'promql', 'rules/hygiene', 'inhibit/rules', 'secrets', 'kubernetes/objects', 'yaml/reader-mismatch',
      'grafana/dashboards', 'logstash/syntax', 'promtool/check-config', 'promtool/check-rules', 'promtool/test-rules', 'amtool/check-config', 'amtool/routes',
      'promtool/check-shard-configs', 'promtool/check-central-rules', 'kubeconform/operator-objects', 'amtool/operator-routes',
    ]);
    for (const check of checkRegistry) {
      expect(check.title, check.id).not.toBe('');
      expect(check.artifact, check.id).not.toBe('');
      expect(Object.keys(check.emits).length, check.id).toBeGreaterThan(0);
    }
  });

  it('declares, on some check, every problem id written in the config and check sources', () => {
    // A safety net for the `emits` lists, which the docs test relies on: an id added to a check's code but not
    // to its entry fails here. (Ids reported by fixtures are held per check by validate.test.ts.)
    const sources = ['src/check', 'src/config'].flatMap((dir) => readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8')));
    const written = new Set(sources.flatMap((s) => [...s.matchAll(/\bid: '([a-z]+\/[a-z-]+)'/g), ...s.matchAll(/\b(?:report|at)\('([a-z]+\/[a-z-]+)'/g)].map((m) => m[1]!)));
    for (const kind of ['receiver', 'service', 'alert']) written.add(`config/unknown-${kind}`);
    expect(written.size).toBeGreaterThan(40);
    // The registry's own entries write their check ids the same way.
    const declared = new Set(checkRegistry.flatMap((c) => [c.id, ...Object.keys(c.emits)]));
    expect([...written].filter((id) => !declared.has(id)).sort()).toEqual([]);
  });

  it('offers only warning-only ids to --disable', () => {
    expect(disableableIds()).toEqual(['config/central-ruler-needs-remote-write', 'config/empty-receiver', 'config/grafana-datasource-with-shards', 'config/slo-default-not-exported', 'config/slo-unreachable-tier', 'config/unused-window', 'inhibit/mutes-other-things', 'promql/counter-without-rate', 'promql/irate-in-alert', 'rules/for']);
  });
});

describe('the check step runs whatever the registry holds', () => {
  let generated: Generated;
  beforeAll(async () => {
    generated = await generateInMemory({ cwd: repoRoot });
  });

  it('reports a throwaway model check and a throwaway tool check, in registry order, with nothing else changed', async () => {
    const throwaway: Check = {
      kind: 'model', id: 'example/alert-count', title: 'a throwaway check', artifact: 'prometheus/rules', emits: { 'example/too-few': 'warning' },
      run: ({ output }) => ({ problems: [{ id: 'example/too-few', severity: 'warning', message: `${output.model.ruleFiles.length} rule files` }], detail: 'looked' }),
    };
    const throwawayTool: Check = {
      kind: 'tool', tool: 'amtool', id: 'example/amtool', title: 'a throwaway tool check', artifact: 'alertmanager', emits: { 'example/amtool': 'error' },
      run: async () => ({ problems: [] }),
    };
    const registry = [checkRegistry[0]!, throwaway, throwawayTool];
    const skipped = await runChecks(generated, { skipExternal: true, tools }, registry);
    expect(skipped.checks.map((c) => [c.id, c.status, c.detail])).toEqual([
      ['config', 'passed', generated.configFile],
      ['example/alert-count', 'passed', 'looked'],
      ['example/amtool', 'skipped', '--skip-external'],
    ]);
    expect(problemsOf(skipped).map((p) => p.message)).toEqual([`${generated.model.ruleFiles.length} rule files`]);
    const missing = await runChecks(generated, { skipExternal: false, tools }, registry);
    expect(missing.checks[2]).toMatchObject({ id: 'example/amtool', status: 'failed', problems: [{ id: 'tools/missing', artifact: 'alertmanager' }] });
    // The throwaway warning can be disabled by its id, since its check declares it a warning.
    const silenced = await runChecks(generated, { skipExternal: true, tools, disable: ['example/too-few'] }, registry);
    expect(silenced.checks[1]).toMatchObject({ status: 'passed', detail: 'looked, 1 disabled by --disable', problems: [] });
  });
});

describe('validate --disable', () => {
  const cases: [string, string, number][] = [
    ['inhibit-one-replica-mutes-the-service', 'inhibit/mutes-other-things', 7],
    ['seed-irate-cpu', 'promql/irate-in-alert', 1],
    ['short-rate-window-no-for', 'rules/for', 1],
    ['rate-on-gauge-and-raw-counter', 'promql/counter-without-rate', 1],
  ];
  for (const [fixture, id, count] of cases) {
    it(`leaves ${id} out of the report of "${fixture}" and says how many, keeping every other problem`, async () => {
      const cwd = join(fixtures, fixture);
      const before = await validate({ cwd, skipExternal: true, tools });
      const after = await validate({ cwd, skipExternal: true, tools, disable: [id] });
      expect(problemsOf(before).filter((p) => p.id === id)).toHaveLength(count);
      expect(problemsOf(after)).toEqual(problemsOf(before).filter((p) => p.id !== id));
      const owner = after.checks.find((c) => before.checks.find((b) => b.id === c.id)!.problems.some((p) => p.id === id))!;
      expect(owner.detail).toMatch(new RegExp(`(^|, )${count} disabled by --disable$`));
      expect(after.checks.map((c) => c.id)).toEqual(before.checks.map((c) => c.id));
    });
  }

  it('refuses an error id, and an id no check reports, before doing any work', async () => {
    const cwd = join(fixtures, 'rate-on-gauge-and-raw-counter');
    for (const id of ['promql/rate-on-gauge', 'promql/syntax', 'tools/missing', 'promql']) {
      await expect(validate({ cwd, skipExternal: true, tools, disable: [id] }), id).rejects.toThrow(CouldNotRun);
      await expect(validate({ cwd, skipExternal: true, tools, disable: [id] }), id).rejects.toThrow(/cannot be disabled/);
    }
    await expect(validate({ cwd, skipExternal: true, tools, disable: ['inhibit/mutes-other-thing'] })).rejects.toThrow(/no check reports inhibit\/mutes-other-thing$/);
  });

  it('is a repeatable CLI flag: exit 0 with the warnings left out, exit 2 for an error id', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), 'validate', '--skip-external', ...args], { cwd: join(fixtures, 'inhibit-one-replica-mutes-the-service'), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const plain = run([]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('[inhibit/mutes-other-things]');
    const disabled = run(['--disable', 'inhibit/mutes-other-things', '--disable', 'rules/for']);
    expect(disabled.status).toBe(0);
    expect(disabled.stdout).not.toContain('inhibit/mutes-other-things');
    expect(disabled.stdout).toMatch(/✓ inhibit rules mute only alerts about the same thing \(7 disabled by --disable\)\n/);
    const refused = run(['--disable', 'amtool/routes']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^error: --disable amtool\/routes: amtool\/routes reports errors .* cannot be disabled\nhint: only warnings can be disabled: config\/central-ruler-needs-remote-write, config\/empty-receiver, /);
    expect(refused.stdout).toBe('');
  });
});
