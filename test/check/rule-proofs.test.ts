/**
 * The generated promtool tests prove the thresholds, not just the syntax: they pass on the generated
 * rules, and fail as soon as any threshold in the generated rules is nudged by hand, either way.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Generated } from '../../src/pipeline.js';
import { generateInMemory } from '../../src/pipeline.js';
import { generateExample, generateFromConfig, problemsOf, scratchDir } from '../support/fixtures.js';
import { repoRoot, tool } from '../support/tools.js';

const run = promisify(execFile);
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function writeOut(generated: Generated): string {
  const { dir, cleanup } = scratchDir('mlmon-proofs-');
  cleanups.push(cleanup);
  for (const file of generated.files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  return dir;
}

/**
 * promtool on the named proof files, or on the parts a file was split into (`<name>-part-N.test.yml`), one
 * process per file and one per core at a time, as validate runs them.
 */
async function promtoolTest(dir: string, only?: string, all = ['application.test.yml', 'infrastructure.test.yml', 'ml-models.test.yml']): Promise<{ ok: boolean; output: string }> {
  const testDir = join(dir, 'prometheus/tests');
  const wanted = new Set(only ? [only] : all);
  const files = readdirSync(testDir).filter((f) => wanted.has(f) || wanted.has(shardOf(f))).sort();
  const results: { ok: boolean; output: string }[] = [];
  const queue = [...files];
  await Promise.all(Array.from({ length: availableParallelism() }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      try {
        const { stdout, stderr } = await run(tool('promtool'), ['test', 'rules', file], { cwd: testDir, maxBuffer: 64 * 1024 * 1024 });
        results.push({ ok: true, output: stdout + stderr });
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string };
        results.push({ ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` });
      }
    }
  }));
  return { ok: files.length > 0 && results.every((r) => r.ok), output: results.map((r) => r.output).join('\n') };
}

/** A proof file's name without its part number. */
function shardOf(name: string): string {
  return name.replace(/-part-\d+\.test\.yml$/, '.test.yml');
}

describe('generated rule tests', () => {
  for (const [name, load] of [
    ['the example', generateExample],
    ['the static-fleet fixture (custom thresholds, disabled alerts, unlisted models)', () => generateInMemory({ cwd: join(repoRoot, 'test/fixtures/render/static-fleet') })],
  ] as const) {
    it(`pass in promtool for ${name}`, async () => {
      const dir = writeOut(await load());
      const result = await promtoolTest(dir);
      expect(result.output).not.toMatch(/FAILED/);
      expect(result.ok).toBe(true);
    });
  }

  it('cover every alert on both sides of its threshold, and prove a disabled threshold never fires', async () => {
    const { model } = await generateExample();
    const tests = model.ruleTests.flatMap((f) => f.tests);
    for (const alert of model.builtinAlerts) {
      expect(tests.filter((t) => t.name.startsWith(`${alert.name} fires`)), alert.name).toHaveLength(1);
      expect(tests.filter((t) => t.name.startsWith(`${alert.name} stays silent`)), alert.name).toHaveLength(1);
    }
    // recommendation-engine disables maxDriftScore: its series sits far past the threshold and is not expected.
    const drift = tests.find((t) => t.name.startsWith('DataDriftDetected fires'))!;
    expect(drift.inputSeries.some((s) => s.series.includes('model="recommendation-engine"'))).toBe(true);
    const firing = drift.alertRuleTests.at(-1)!.expAlerts.map((a) => a.expLabels.model);
    expect(firing).not.toContain('recommendation-engine');
    expect(firing).toContain('fraud-detector');
    expect(firing).toContain('mlmon-unlisted-model');
  });

  it('fail when any threshold in the generated rules is nudged by hand, up or down', async () => {
    const generated = await generateExample();
    const thresholds = generated.files.find((f) => f.path === 'prometheus/rules/thresholds.yml')!;
    const alerts = generated.files.find((f) => f.path === 'prometheus/rules/alerts.yml')!;
    // Every per-target and default threshold series, and the literal infrastructure thresholds.
    // Each nudge runs only the tests of the alerts that read the nudged series (or, for a literal threshold, of
    // the alert it is written in), cut out of the generated proof files: the other tests can't notice, and
    // running every proof file of the group for each of ~130 nudges took minutes.
    const alertBlocks = alerts.content.split(/\n(?=\s+- alert: )/).map((block) => ({ name: /- alert: (\S+)/.exec(block)?.[1], block })).filter((a): a is { name: string; block: string } => a.name !== undefined);
    const nudges: { file: string; from: string; to: string; label: string; alerts: string[] }[] = [];
    const lines = thresholds.content.split('\n');
    lines.forEach((line, i) => {
      // The record name is the line above `expr:` in the rendered rule.
      const m = /^(\s+expr: vector\()([\d.]+)(\))$/.exec(line);
      // SLO objectives and factors have proofs of their own (test/slo/slo-proofs.test.ts nudges them).
      if (m && !/mlmon:(model|service)_info|mlmon:slo_/.test(lines[i - 1]!)) {
        const value = Number(m[2]);
        const series = /record: (\S+)/.exec(lines[i - 1]!)![1]!;
        const reading = alertBlocks.filter((a) => a.block.includes(series)).map((a) => a.name);
        for (const factor of [1.002, 0.998]) nudges.push({ file: 'thresholds.yml', from: `${i}`, to: `${m[1]}${value * factor}${m[3]}`, label: `${lines[i - 1]!.trim()} ${value} → ${value * factor}`, alerts: reading });
      }
    });
    for (const [, op, value] of alerts.content.matchAll(/ ([<>]) (\d+)$/gm)) {
      // `> 0` is "any at all" (an ECC error, a failed row remap, a queued request), not a threshold: a factor
      // leaves it as it is.
      if (Number(value) === 0) continue;
      const writtenIn = alertBlocks.filter((a) => a.block.includes(` ${op} ${value}\n`) || a.block.endsWith(` ${op} ${value}`)).map((a) => a.name);
      for (const factor of [1.002, 0.998]) nudges.push({ file: 'alerts.yml', from: ` ${op} ${value}\n`, to: ` ${op} ${Number(value) * factor}\n`, label: `alerts.yml ${op} ${value} → ${Number(value) * factor}`, alerts: writtenIn });
    }
    // The proofs of `names`, as one promtool test file per generated proof file that has any (JSON is YAML).
    const proofsOf = (names: readonly string[]) => generated.model.ruleTests.flatMap((file) => {
      const tests = file.tests.filter((t) => t.alertRuleTests.some((a) => names.includes(a.alertname)));
      return tests.length === 0 ? [] : [{
        rule_files: file.ruleFiles, evaluation_interval: file.evaluationInterval, group_eval_order: file.groupEvalOrder,
        tests: tests.map((t) => ({
          name: t.name, interval: t.interval,
          input_series: t.inputSeries.map((i) => ({ series: i.series, values: i.values })),
          alert_rule_test: t.alertRuleTests.map((a) => ({ eval_time: a.evalTime, alertname: a.alertname, exp_alerts: a.expAlerts.map((e) => ({ exp_labels: e.expLabels, exp_annotations: e.expAnnotations })) })),
        })),
      }];
    });
    // Every nudge has a proof to run: a series no alert's proof reads would survive unnoticed.
    expect(nudges.filter((n) => proofsOf(n.alerts).length === 0).map((n) => n.label)).toEqual([]);
    expect(nudges.length).toBeGreaterThanOrEqual(2 * (3 + 4 + 3 * 3));
    // Without a nudge the same procedure passes: a failure below is the nudge's doing, not the harness'.
    const unnudged = writeOut(generated);
    const allCut = proofsOf(alertBlocks.map((a) => a.name)).map((proof, k) => {
      writeFileSync(join(unnudged, 'prometheus/tests', `cut-${k}.test.yml`), JSON.stringify(proof));
      return `cut-${k}.test.yml`;
    });
    expect((await promtoolTest(unnudged, undefined, allCut)).ok).toBe(true);

    const survivors: string[] = [];
    const queue = [...nudges];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let nudge = queue.shift(); nudge; nudge = queue.shift()) {
        const dir = writeOut(generated);
        const path = join(dir, 'prometheus/rules', nudge.file);
        if (nudge.file === 'thresholds.yml') {
          const content = thresholds.content.split('\n');
          content[Number(nudge.from)] = nudge.to;
          writeFileSync(path, content.join('\n'));
        } else {
          writeFileSync(path, alerts.content.replace(nudge.from, nudge.to));
        }
        const files = proofsOf(nudge.alerts).map((proof, k) => {
          writeFileSync(join(dir, 'prometheus/tests', `nudge-${k}.test.yml`), JSON.stringify(proof));
          return `nudge-${k}.test.yml`;
        });
        if ((await promtoolTest(dir, undefined, files)).ok) survivors.push(nudge.label);
      }
    }));
    expect(survivors, 'nudged thresholds the generated tests did not notice').toEqual([]);
  }, 240_000);

  it('for a fleet, prove a sample through the alert and pin every threshold series, so a nudge to any model still fails', async () => {
    const models = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`m${i}`, { service: 'api', team: `t${i % 3}`, thresholds: { minAccuracy: 0.8 + (i % 4) / 100 } }]));
    const generated = await generateFromConfig({ services: { api: { discovery: { staticTargets: ['10.0.0.1:80'] } } }, models });
    const accuracyTests = generated.model.ruleTests.flatMap((f) => f.tests).filter((t) => t.name.startsWith('ModelAccuracyDrop'));
    const fires = accuracyTests.find((t) => t.name.includes('fires'))!;
    // 4 values × 3 teams = 12 distinct targets (+ the unlisted model), not 60.
    expect(fires.alertRuleTests.at(-1)!.expAlerts).toHaveLength(13);
    const pinned = accuracyTests.find((t) => t.promqlExprTests)!;
    expect(pinned.promqlExprTests![0]!.expSamples).toHaveLength(60);

    const dir = writeOut(generated);
    expect((await promtoolTest(dir, 'ml-models.test.yml')).ok).toBe(true);
    // m59 is no sample of the alert proofs (m0…m11 cover every value and team); nudge its threshold.
    const path = join(dir, 'prometheus/rules/thresholds.yml');
    const rules = readFileSync(path, 'utf8');
    const at = rules.indexOf('model: m59\n          team: t2');
    const expr = rules.lastIndexOf('expr: vector(', at);
    writeFileSync(path, `${rules.slice(0, expr)}expr: vector(0.8301)${rules.slice(rules.indexOf(')', expr) + 1)}`);
    expect((await promtoolTest(dir, 'ml-models.test.yml')).ok).toBe(false);
  }, 180_000);

  it('for a fleet of services and models, the absence alerts fire for their sample alone: every other service and model stays seen', async () => {
    // 30 services over 3 teams: ServiceUnreachable's sample is 3 of them; 60 models over 30 services and 3 teams:
    // ModelMetricsMissing's sample is 20 of them. The rest must stay silent on both sides of either proof.
    const services = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`s${i}`, { team: `t${i % 3}`, discovery: { staticTargets: [`10.0.0.${i + 1}:80`] } }]));
    const models = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`m${i}`, { service: `s${i % 30}`, team: `t${i % 3}` }]));
    const generated = await generateFromConfig({ services, models });
    const tests = generated.model.ruleTests.flatMap((f) => f.tests);
    const proof = (alert: string, side: 'fires' | 'stays silent') => tests.find((t) => t.name.startsWith(`${alert} ${side}`))!;
    const firing = (alert: string) => proof(alert, 'fires').alertRuleTests.at(-1)!.expAlerts.map((a) => a.expLabels.service ?? a.expLabels.model);
    expect(firing('ServiceUnreachable')).toHaveLength(3);
    expect(firing('ModelMetricsMissing')).toHaveLength(20);
    // Outside the sample, one series each with nothing but the label the rule joins on.
    const missingInside = proof('ModelMetricsMissing', 'stays silent').inputSeries.map((s) => s.series);
    expect(missingInside).toHaveLength(60 + 1);
    expect(missingInside.filter((s) => /^\w+\{model="m\d+"\}$/.test(s))).toHaveLength(40);
    const unreachableInside = proof('ServiceUnreachable', 'stays silent').inputSeries.map((s) => s.series);
    expect(unreachableInside.filter((s) => /^up\{service="s\d+"\}$/.test(s))).toHaveLength(27);

    const dir = writeOut(generated);
    const result = await promtoolTest(dir);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.ok).toBe(true);
  }, 180_000);

  it('for a fleet past one threshold file, load one file of targets per proof, so promtool never meets its 10,000-sample limit', async () => {
    // 450 models × 5 series = 2,250 threshold rules: two files of models, and one of the defaults.
    const models = Object.fromEntries(Array.from({ length: 450 }, (_, i) => [`m${String(i).padStart(3, '0')}`, { service: 'api', team: `t${i % 3}`, thresholds: { minAccuracy: 0.8 + (i % 4) / 100 } }]));
    const generated = await generateFromConfig({ services: { api: { discovery: { staticTargets: ['10.0.0.1:80'] } } }, models });
    const thresholdFiles = generated.model.ruleFiles.filter((f) => f.name.startsWith('thresholds-'));
    const rulesIn = (name: string) => thresholdFiles.find((f) => f.name === name)!.groups.flatMap((g) => g.rules).flatMap((r) => (r.kind === 'record' ? [r] : []));
    // No model's series straddle two files; the defaults have one of their own.
    const fileOfModel = new Map<string, Set<string>>();
    for (const file of thresholdFiles) for (const rule of rulesIn(file.name)) if (rule.labels.model) fileOfModel.set(rule.labels.model, (fileOfModel.get(rule.labels.model) ?? new Set()).add(file.name));
    expect([...fileOfModel.values()].filter((files) => files.size > 1)).toEqual([]);
    const defaultsFile = thresholdFiles.find((f) => rulesIn(f.name).some((r) => r.record.endsWith(':default_threshold')))!;
    expect(rulesIn(defaultsFile.name).every((r) => r.record.endsWith(':default_threshold'))).toBe(true);

    // Each proof loads the defaults and one file of models or services; the infrastructure proofs load none,
    // but for ServiceDown's proof of a service's target (which carries the team of its service).
    const tests = generated.model.ruleTests;
    for (const file of tests) {
      const loaded = file.ruleFiles.map((f) => f.replace('../rules/', '')).filter((f) => f.startsWith('thresholds-'));
      if (file.name === 'infrastructure.test.yml') expect(loaded, file.name).toEqual([]);
      else expect(loaded.filter((f) => f !== defaultsFile.name).length, file.name).toBeLessThanOrEqual(1);
      if (file.name.startsWith('infrastructure-')) expect(file.tests.map((t) => t.name.split(' ')[0]), file.name).toEqual(['ServiceDown', 'ServiceDown']);
    }
    const modelProofs = tests.filter((f) => f.name.startsWith('ml-models-'));
    // One proof file per threshold file, or several parts of one (balanced by cost; see proof-shards.test.ts).
    expect([...new Set(modelProofs.map((f) => shardOf(f.name)))].sort()).toEqual(thresholdFiles.filter((f) => rulesIn(f.name).some((r) => r.labels.model) || f === defaultsFile).map((f) => `ml-models-${f.name.replace('.yml', '')}.test.yml`).sort());
    // Every model's threshold is pinned in the proof of its own file.
    const pinned = modelProofs.flatMap((f) => f.tests).filter((t) => t.name.startsWith('ModelAccuracyDrop compares')).flatMap((t) => t.promqlExprTests![0]!.expSamples);
    expect(pinned).toHaveLength(450);

    const dir = writeOut(generated);
    const all = tests.map((f) => f.name);
    const result = await promtoolTest(dir, undefined, all);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.ok).toBe(true);
    // A model of the last file, nudged: its file's proof notices.
    const last = thresholdFiles.at(-1)!;
    const path = join(dir, 'prometheus/rules', last.name);
    const rules = readFileSync(path, 'utf8');
    const at = rules.indexOf('model: m449\n');
    const expr = rules.indexOf('expr: vector(', rules.indexOf('record: mlmon:model_min_accuracy:threshold', at));
    expect(rules.slice(expr, rules.indexOf('\n', expr))).toBe('expr: vector(0.81)');
    writeFileSync(path, `${rules.slice(0, expr)}expr: vector(0.8301)${rules.slice(rules.indexOf(')', expr) + 1)}`);
    const ownProofs = all.filter((name) => shardOf(name) === `ml-models-${last.name.replace('.yml', '')}.test.yml`);
    expect(ownProofs.length).toBeGreaterThan(0);
    expect((await promtoolTest(dir, undefined, ownProofs)).ok).toBe(false);
  }, 240_000);

  it('expect text clear of a rounding tie, so promtool agrees whatever the rule group interval (0.05 crossed by 0.01% was 5.0005%)', async () => {
    // The fuzzer's case: a 1h30m rule group interval moved rate()'s float noise to the other side of the tie.
    // Such an interval is refused now (config/rule-group-interval); the longest one allowed, and an odd one, stand for it.
    for (const ruleGroupInterval of ['2m30s', '1m50s']) {
      const dir = writeOut(await generateFromConfig({ prometheus: { ruleGroupInterval }, services: { a: { discovery: { staticTargets: ['a:1'] } } } }));
      const result = await promtoolTest(dir);
      expect(result.output, ruleGroupInterval).not.toMatch(/FAILED/);
      expect(result.ok, ruleGroupInterval).toBe(true);
    }
  }, 240_000);

  it('refuses the fuzzer\'s 1h30m rule group interval itself, on its config path', async () => {
    const problems = await problemsOf({ prometheus: { ruleGroupInterval: '1h30m' }, services: { a: { discovery: { staticTargets: ['a:1'] } } } });
    expect(problems.map((p) => [p.id, p.path, p.value])).toEqual([['config/rule-group-interval', 'prometheus.ruleGroupInterval', '1h30m']]);
  });

  for (const ruleGroupInterval of ['30s', '2m30s']) {
    it(`expect text clear of a rounding tie for thresholds whose 0.01% crossing is a tie in every Go format the alerts print (group interval ${ruleGroupInterval})`, async () => {
      // 4 significant digits (humanizePercentage, humanizeDuration): 0.1 → 10.01%/10.00%, 0.25 s → 250.025 ms,
      // 0.75 → 75.0075%, 2.5 s → 2.50025 s, each exactly halfway at 0.01%.
      const dir = writeOut(await generateFromConfig({
        prometheus: { ruleGroupInterval },
        services: { a: { discovery: { staticTargets: ['a:1'] }, thresholds: { maxErrorRatio: 0.1, maxLatencyP95Seconds: 0.25 } } },
        models: { m: { service: 'a', thresholds: { minAccuracy: 0.75, maxInferenceLatencyP95Seconds: 2.5 } } },
      }));
      const result = await promtoolTest(dir);
      expect(result.output).not.toMatch(/FAILED/);
      expect(result.ok).toBe(true);
    }, 120_000);
  }
});

