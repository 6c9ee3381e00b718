/**
 * The proofs are split evenly, and validate runs them side by side. What promtool does for a proof file is
 * counted here from the file itself, not timed (a timed test on a busy machine proves nothing): every test
 * evaluates every rule of the files it loads at each evaluation_interval up to its last eval_time, and reads its
 * input series as it goes. `npm run bench` times the same files with promtool.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { externalChecks } from '../../src/check/external-checks.js';
import { problemsOf } from '../../src/check/report.js';
import { runChecks } from '../../src/check/run-checks.js';
import { durationSeconds } from '../../src/formats/prometheus-duration.js';
import type { MonitoringModel } from '../../src/normalize/model.js';
import { proofFileCost, proofSplitFloor } from '../../src/normalize/proof-files.js';
import type { RuleTestFile } from '../../src/normalize/rule-proofs.js';
import type { Generated } from '../../src/pipeline.js';
import { generateExample, generateFromConfig, scratchDir } from '../support/fixtures.js';
import { repoRoot, tool } from '../support/tools.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** The bench's fleet of `models` models (bench/workload.mjs), as a config object. */
async function benchWorkload(models: number): Promise<unknown> {
  const { buildWorkload } = (await import(pathToFileURL(join(repoRoot, 'bench/workload.mjs')).href)) as { buildWorkload: (n: number) => unknown };
  return buildWorkload(models);
}

/**
 * promtool's work for a proof file, counted independently of proof-files.ts: evaluations × (rules + series), a
 * constant rule (`vector(0.87)`) counting one and a rule that reads series three (measured: bench/README.md).
 */
function work(file: RuleTestFile, model: MonitoringModel): number {
  const rules = file.ruleFiles
    .map((path) => model.ruleFiles.find((f) => `../rules/${f.name}` === path)!)
    .flatMap((f) => f.groups.flatMap((g) => g.rules))
    .reduce((n, rule) => n + (/^vector\(-?[\d.]+(e[-+]?\d+)?\)$/i.test(rule.expr) ? 1 : 3), 0);
  return file.tests.reduce((sum, test) => {
    const times = [...test.alertRuleTests, ...(test.promqlExprTests ?? [])].map((t) => durationSeconds(t.evalTime));
    const evaluations = Math.floor(Math.max(...times) / durationSeconds(file.evaluationInterval)) + 1;
    return sum + evaluations * (rules + test.inputSeries.length);
  }, 0);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** A proof file's name without its part number: the shard (alert group and threshold file) it proves. */
const shardOf = (name: string) => name.replace(/-part-\d+\.test\.yml$/, '.test.yml');

describe('proof files', () => {
  // 100 models: one file per alert group. 1,000 and 10,000: sharded by threshold file, where every proof through
  // an alert lands in the first shard of models (the sample is the first of each threshold and team); before the
  // split, that one file did 21× the median file's work at 1,000 models.
  for (const models of [100, 1000, 10_000]) {
    it(`for the bench fleet of ${models.toLocaleString('en')} models, no file makes promtool work more than twice the median file`, async () => {
      const { model } = await generateFromConfig(await benchWorkload(models));
      const works = model.ruleTests.map((f) => work(f, model));
      const heaviest = model.ruleTests[works.indexOf(Math.max(...works))]!.name;
      expect(Math.max(...works) / median(works), `${heaviest}: ${Math.max(...works)} against a median of ${median(works)}`).toBeLessThanOrEqual(2);
      // The cost validate orders the files by is the same count, give or take the rule files' parsing.
      for (const [i, file] of model.ruleTests.entries()) {
        expect(proofFileCost(file, model.ruleFiles), file.name).toBeGreaterThanOrEqual(works[i]!);
        expect(proofFileCost(file, model.ruleFiles), file.name).toBeLessThanOrEqual(2 * works[i]!);
      }
    }, 60_000);
  }

  it('are split only into parts that load the same rule files, each test in exactly one part', async () => {
    const { model } = await generateFromConfig(await benchWorkload(1000));
    const parts = model.ruleTests.filter((f) => f.name !== shardOf(f.name));
    expect(parts.length).toBeGreaterThan(1);
    const byShard = new Map<string, RuleTestFile[]>();
    for (const file of model.ruleTests) byShard.set(shardOf(file.name), [...(byShard.get(shardOf(file.name)) ?? []), file]);
    for (const [shard, files] of byShard) {
      for (const file of files) {
        expect(file.ruleFiles, file.name).toEqual(files[0]!.ruleFiles);
        expect(file.groupEvalOrder, file.name).toEqual(files[0]!.groupEvalOrder);
      }
      const names = files.flatMap((f) => f.tests.map((t) => t.name));
      expect(new Set(names).size, shard).toBe(names.length);
    }
    // Every alert still has its two proofs through the alert, and every threshold kept its pinning test.
    const tests = model.ruleTests.flatMap((f) => f.tests);
    for (const alert of model.builtinAlerts) {
      expect(tests.filter((t) => t.name.startsWith(`${alert.name} fires`)).length, alert.name).toBeGreaterThanOrEqual(1);
      expect(tests.filter((t) => t.name.startsWith(`${alert.name} stays silent`)).length, alert.name).toBeGreaterThanOrEqual(1);
    }
  }, 60_000);

  it('of the example are split only where a group costs more than the floor (the goldens hold the small fixtures to staying whole), into parts near the dearest test; its SLO proofs, each simulating hours, are split', async () => {
    const { model } = await generateExample();
    const names = model.ruleTests.map((f) => f.name);
    // Per group (the name without its part), the cost of all its tests: whole below the floor, in parts above it.
    const groups = new Map<string, RuleTestFile[]>();
    for (const file of model.ruleTests) groups.set(file.name.replace(/-part-\d+\.test\.yml$/, '.test.yml'), [...(groups.get(file.name.replace(/-part-\d+\.test\.yml$/, '.test.yml')) ?? []), file]);
    expect([...groups.keys()].sort()).toEqual(['application.test.yml', 'infrastructure.test.yml', 'ml-models.test.yml', 'slo.test.yml']);
    for (const [group, files] of groups) {
      const cost = files.reduce((sum, f) => sum + proofFileCost(f, model.ruleFiles), 0);
      if (cost <= proofSplitFloor) expect(files.map((f) => f.name), group).toEqual([group]);
      else expect(files.every((f) => /-part-\d+\.test\.yml$/.test(f.name)), group).toBe(true);
    }
    // No part costs more than a quarter over the budget: the dearest single test, or the floor if that is more.
    const testCosts = model.ruleTests.flatMap((f) => f.tests.map((t) => proofFileCost({ ...f, tests: [t] }, model.ruleFiles)));
    const budget = Math.max(proofSplitFloor, ...testCosts);
    for (const file of model.ruleTests.filter((f) => f.tests.length > 1)) expect(proofFileCost(file, model.ruleFiles), file.name).toBeLessThanOrEqual(1.25 * budget);
    const slo = names.filter((n) => n.startsWith('slo'));
    expect(slo.length).toBeGreaterThan(1);
    expect(slo.every((n) => /^slo-part-\d+\.test\.yml$/.test(n))).toBe(true);
  });
});

describe('a fleet of more services and models than the proofs sample', () => {
  it('proves ServiceUnreachable and ModelMetricsMissing for the sample only: every other listed service and model stays seen', async () => {
    // 24 services in 6 teams: the sample is the first service of each team. 21 models on them, in 6 teams too.
    const services = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`svc-${String(i).padStart(2, '0')}`, { team: `t${i % 6}`, discovery: { staticTargets: [`10.0.0.${i}:80`] } }]));
    const models = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`m${String(i).padStart(2, '0')}`, { service: `svc-${String(i).padStart(2, '0')}`, team: `t${i % 6}` }]));
    const generated = await generateFromConfig({ services, models });
    const tests = generated.model.ruleTests.flatMap((f) => f.tests);
    const fires = (alert: string) => tests.find((t) => t.name.startsWith(`${alert} fires`))!;
    expect(fires('ServiceUnreachable').alertRuleTests.at(-1)!.expAlerts.map((a) => a.expLabels.service)).toEqual(['svc-00', 'svc-01', 'svc-02', 'svc-03', 'svc-04', 'svc-05']);
    // A service outside the sample has a target up while the sample goes unreachable.
    expect(fires('ServiceUnreachable').inputSeries).toContainEqual(expect.objectContaining({ series: expect.stringContaining('service="svc-23"') }));
    expect(fires('ModelMetricsMissing').alertRuleTests.at(-1)!.expAlerts.length).toBeLessThan(21);

    const dir = writeOut(generated);
    // Where the two alerts are proven (the infrastructure proofs have neither).
    const files = generated.model.ruleTests.map((f) => f.name).filter((name) => !name.startsWith('infrastructure'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const result = await promtool(join(dir, 'prometheus/tests'), files);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.ok, result.output).toBe(true);
  }, 120_000);
});

describe('promtool test rules in validate', () => {
  it('runs the proof files dearest first, no more promtool processes at once than cores', async () => {
    const generated = await generateFromConfig(await benchWorkload(1000));
    const { dir, cleanup } = scratchDir('mlmon-pool-');
    cleanups.push(cleanup);
    // A promtool that only notes when each `test rules` starts and ends: the pool is what is under test.
    const log = join(dir, 'log');
    writeFileSync(log, '');
    const fake = join(dir, 'promtool');
    writeFileSync(fake, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "promtool, version 3.16.0"; exit 0; fi\necho "start $3" >> ${log}\nsleep 0.2\necho "end $3" >> ${log}\n`);
    chmodSync(fake, 0o755);
    const check = externalChecks.find((c) => c.id === 'promtool/test-rules')!;
    const report = await runChecks(generated, { skipExternal: false, tools: { promtool: fake, amtool: tool('amtool'), timeoutMs: 60_000 } }, [check]);
    expect(problemsOf(report)).toEqual([]);

    const events = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ') as ['start' | 'end', string]);
    const started = events.filter(([kind]) => kind === 'start').map(([, file]) => file.replace('prometheus/tests/', ''));
    expect([...started].sort()).toEqual(generated.model.ruleTests.map((f) => f.name).sort());
    let running = 0;
    let most = 0;
    for (const [kind] of events) most = Math.max(most, (running += kind === 'start' ? 1 : -1));
    const cores = availableParallelism();
    expect(most).toBeLessThanOrEqual(cores);
    // The first `cores` to start are the dearest files.
    const cost = (name: string) => proofFileCost(generated.model.ruleTests.find((f) => f.name === name)!, generated.model.ruleFiles);
    const dearest = [...generated.model.ruleTests].map((f) => f.name).sort((a, b) => cost(b) - cost(a)).slice(0, cores);
    expect(started.slice(0, cores).map(cost).sort()).toEqual(dearest.map(cost).sort());
    expect(started.length).toBeGreaterThan(cores);
  }, 60_000);
});

function writeOut(generated: Generated): string {
  const { dir, cleanup } = scratchDir('mlmon-proof-shards-');
  cleanups.push(cleanup);
  for (const file of generated.files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  return dir;
}

async function promtool(cwd: string, files: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(tool('promtool'), ['test', 'rules', ...files], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

