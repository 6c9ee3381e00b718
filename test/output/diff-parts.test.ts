/**
 * The parts of `mlmon diff`, in process: splitting Kubernetes documents, reading rule files, unified patches
 * (against jsdiff) and a fleet-sized out/. The CLI end to end is in diff.test.ts; the route tree evaluation
 * (against amtool) in test/formats/alertmanager-routing.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { diffOutput, type OutputDiff } from '../../src/output/diff.js';
import { splitDocuments } from '../../src/output/diff/kubernetes.js';
import { unifiedPatch } from '../../src/output/diff/patch.js';
import { readPlainRecordingRule } from '../../src/output/diff/rule-reading.js';
import { prometheusHashmod } from '../../src/formats/prometheus-hashmod.js';
import type { OutputSnapshot } from '../../src/output/read-output.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { renderAlertmanagerConfig } from '../../src/render/alertmanager.js';
import { renderPrometheusConfig } from '../../src/render/prometheus.js';
import { createTemplates } from '../../src/render/templating.js';
import { generateFromConfig, modelOf } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const fixtures = join(repoRoot, 'test/fixtures/diff');

const linesOf = (report: OutputDiff, artifact: string) => report.summary.find((s) => s.artifact === artifact)?.changes.map((c) => c.text) ?? [];

function snapshotOf(files: Record<string, string>): OutputSnapshot {
  return { label: 'out', files: new Map(Object.entries(files)), manifest: undefined, manifestText: undefined, exists: true };
}

describe('Kubernetes documents', () => {
  it.each([
    ['a banner before the first document stays with it', '# banner\napiVersion: v1\nkind: A\n---\nkind: B\n', ['# banner\napiVersion: v1\nkind: A\n', 'kind: B\n']],
    ['`...` ends a document and a file may start with `---`', '---\nkind: A\n...\n---\nkind: B', ['kind: A\n', 'kind: B']],
    ['documents of only comments hold no object', '# only\n---\n# comment\n', []],
    ['`---` inside a block scalar is content, not a separator', 'kind: A\ndata:\n  x: |\n    ---\n', ['kind: A\ndata:\n  x: |\n    ---\n']],
  ])('splits a multi-document file: %s', (_what, text, documents) => {
    expect(splitDocuments(text)).toEqual(documents);
  });
});

describe('alert rules', () => {
  it('reads a rule file laid out differently (a template override in flow style) the same way', async () => {
    const generated = await generateFromConfig(JSON.parse(readFileSync(join(fixtures, 'alert-settings/before.json'), 'utf8')));
    const after = await generateFromConfig(JSON.parse(readFileSync(join(fixtures, 'alert-settings/after.json'), 'utf8')));
    const rules = (files: readonly RenderedFile[]) => files.filter((f) => f.path.startsWith('prometheus/rules/'));
    // The same rules, written as JSON (YAML's flow style): the splitter can't cut it, the parser reads it whole.
    const flow = rules(generated.files).map((f) => ({ path: f.path, content: JSON.stringify(parse(f.content)) }));
    const result = diffOutput(snapshotOf(Object.fromEntries(flow.map((f) => [f.path, f.content]))), rules(after.files), { before: 'a', after: 'b' });
    expect(linesOf(result, 'alert-rules')).toEqual(['alert HighLatency: for 5m → 10m; severity warning → critical']);
  });

  it('reads every recording rule mlmon writes without the YAML parser exactly as the parser does', async () => {
    const generated = await generateFromConfig(JSON.parse(readFileSync(join(fixtures, 'service-added/after.json'), 'utf8')));
    const thresholds = generated.files.find((f) => f.path === 'prometheus/rules/thresholds.yml')!.content;
    const rules = (parse(thresholds) as { groups: { rules: Record<string, unknown>[] }[] }).groups.flatMap((g) => g.rules);
    const texts = thresholds.split(/\n(?= {6}- record:)/).slice(1).map((text) => text.replace(/\n$/, ''));
    expect(texts).toHaveLength(rules.length);
    texts.forEach((text, i) => {
      const rule = rules[i]!;
      expect(readPlainRecordingRule(text)).toEqual({ kind: 'record', record: rule.record, expr: rule.expr, labels: rule.labels ?? {} });
    });
  });

  it.each([
    ['a quoted value', '- record: a:b\n  expr: vector(1)\n  labels:\n    team: "x y"'],
    ['a value YAML reads as a number', '- record: a:b\n  expr: vector(1)\n  labels:\n    team: 1.0'],
    ['a value YAML reads as a boolean', '- record: a:b\n  expr: vector(1)\n  labels:\n    team: yes'],
    ['a block scalar', '- record: a:b\n  expr: |-\n    vector(1)'],
    ['a comment', '- record: a:b\n  expr: vector(1) # one'],
    ['a repeated key', '- record: a:b\n  expr: vector(1)\n  expr: vector(2)'],
  ])('leaves a recording rule with %s to the YAML parser', (_what, text) => {
    expect(readPlainRecordingRule(text)).toBeUndefined();
  });
});

describe('unified patches', () => {
  it('matches jsdiff on the whole file, with three lines of context as git has, for a single change', () => {
    const before = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const after = before.replace('line 120\n', 'line 120 changed\n');
    expect(unifiedPatch('f.yml', before, after, { before: 'a', after: 'b' })).toBe(createTwoFilesPatch('a/f.yml', 'b/f.yml', before, after, 'a', 'b', { headerOptions: FILE_HEADERS_ONLY, context: 3 }));
  });

  it.each([
    ['the smallest diff jsdiff finds', undefined],
    ['the fallback when jsdiff gives up (lines compared in place, or the middle replaced whole)', 0],
  ])('applies cleanly (jsdiff applyPatch) to turn the old text into the new one, for many random edits: %s', (_how, maxEditLength) => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['a', 'b', 'c', '', 'd'];
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: random(30) }, () => words[random(words.length)]!);
      const edited = [...lines];
      for (let edits = random(4); edits >= 0; edits--) {
        const at = random(edited.length + 1);
        const kind = random(3);
        if (kind === 0) edited.splice(at, 0, words[random(words.length)]!);
        else if (kind === 1) edited.splice(at, 1);
        else edited[at] = `x${random(9)}`;
      }
      const before = lines.join('\n') + (random(2) ? '\n' : '');
      const after = edited.join('\n') + (random(2) ? '\n' : '');
      const patch = unifiedPatch('f', before, after, { before: 'a', after: 'b' }, maxEditLength === undefined ? {} : { maxEditLength });
      expect(applyPatch(before, patch, { fuzzFactor: 0 }), JSON.stringify({ before, after, patch })).toBe(after);
    }
  });

  it('gives up on a search that would take long and compares lines in place, one hunk per run of changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const after = before.replace('line 3\n', 'line 3 changed\n').replace('line 15\n', 'line 15 changed\n');
    expect(unifiedPatch('f', before, after, { before: 'a', after: 'b' }, { maxEditLength: 1 })).toBe(
      [
        '--- a/f\ta',
        '+++ b/f\tb',
        '@@ -1,7 +1,7 @@', ' line 0', ' line 1', ' line 2', '-line 3', '+line 3 changed', ' line 4', ' line 5', ' line 6',
        '@@ -13,7 +13,7 @@', ' line 12', ' line 13', ' line 14', '-line 15', '+line 15 changed', ' line 16', ' line 17', ' line 18',
        '',
      ].join('\n'),
    );
  });

  it('numbers a new file from line 1 against /dev/null and a removed one to /dev/null', () => {
    expect(unifiedPatch('n.yml', undefined, 'a\nb\n', { before: 'x', after: 'y' })).toBe('--- /dev/null\tx\n+++ b/n.yml\ty\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedPatch('n.yml', 'a\n', undefined, { before: 'x', after: 'y' })).toBe('--- a/n.yml\tx\n+++ /dev/null\ty\n@@ -1,1 +0,0 @@\n-a\n');
  });
});

describe('a large synthetic out/ (3000 models)', () => {
  const team = (i: number) => `team-${i % 20}`;
  const fleet = (): MonitoringConfig => ({
    infrastructure: { team: 'platform', nodeExporterTargets: ['node-exporter:9100'] },
    services: { 'model-api': { team: 'ml-platform', discovery: { staticTargets: ['model-api:8080'] } } },
    models: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`model-${i}`, { service: 'model-api', team: team(i), thresholds: { minAccuracy: [0.8, 0.85, 0.9][i % 3]! } }])),
    alerting: {
      defaultReceiver: 'default',
      receivers: { default: { webhook: [{ url: 'http://sink:8080/' }] }, risk: { webhook: [{ url: 'http://risk:8080/' }] } },
      routes: [{ match: { team: 'team-3' }, receiver: 'risk' }],
    },
  });
  /** prometheus.yml, the rule files and alertmanager.yml, through mlmon's own templates. */
  const render = (config: MonitoringConfig): RenderedFile[] => {
    const model = modelOf(config);
    const templates = createTemplates(undefined);
    const rules = model.ruleFiles.map((file) => ({ path: `prometheus/rules/${file.name}`, content: templates.render('prometheus/rules.yml.hbs', { banner: '# synthetic', groups: file.groups }) }));
    return [...renderPrometheusConfig(model, templates), ...rules, renderAlertmanagerConfig(model, templates)];
  };
  let before: OutputSnapshot;
  beforeAll(() => {
    before = snapshotOf(Object.fromEntries(render(fleet()).map((f) => [f.path, f.content])));
  }, 120_000);

  it('reports exactly the one threshold that changed among 15,000 series, with a one-hunk patch', () => {
    const config = fleet();
    config.models!['model-7']!.thresholds!.minAccuracy = 0.99;
    const result = diffOutput(before, render(config), { before: 'out', after: 'generated' });
    expect(result.summary.map((s) => [s.artifact, s.changes.map((c) => c.text)])).toEqual([['alert-rules', ['ModelAccuracyDrop threshold for model model-7: 0.85 → 0.99']]]);
    // One threshold file (a fleet's thresholds may be sharded into several; only one of them changed).
    expect(result.files.map((f) => f.path)).toEqual([expect.stringMatching(/^prometheus\/rules\/thresholds[\w-]*\.yml$/)]);
    expect(result.files[0]!.patch.match(/^@@ /gm)).toHaveLength(1);
  });

  it('names the models whose alerts a team route change moves', () => {
    const config = fleet();
    config.alerting!.routes = [{ match: { team: 'team-4' }, receiver: 'risk' }];
    const result = diffOutput(before, render(config), { before: 'out', after: 'generated' });
    const routing = linesOf(result, 'routing');
    // 150 models of team-3 leave `risk`, 150 of team-4 join it, for each of the four model alerts.
    expect(routing).toHaveLength(8);
    expect(routing).toContain('ModelAccuracyDrop (critical) for model model-1003, model model-1023, model model-103, model model-1043, model model-1063 and 145 more: risk → default');
    expect(routing).toContain('ModelAccuracyDrop (critical) for model model-1004, model model-1024, model model-104, model model-1044, model model-1064 and 145 more: default → risk');
    expect(linesOf(result, 'alert-rules')).toEqual([]);
  });

  it('a new alert shard count: the threshold series that move shard in one line per alert, counted, not one line per model', () => {
    const config = fleet();
    // 3,000 listed models get 16 alert shards by default; 32 moves every model whose hashmod changes.
    expect(modelOf(config).prometheus.modelShards).toBe(16);
    config.prometheus = { ...config.prometheus, modelShards: 32 };
    const lines = linesOf(diffOutput(before, render(config), { before: 'out', after: 'generated' }), 'alert-rules');
    const moved = Array.from({ length: 3000 }, (_, i) => `model-${i}`)
      .map((name) => ({ name, from: prometheusHashmod(name, 16), to: prometheusHashmod(name, 32) }))
      .filter((m) => m.from !== m.to)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(moved.length).toBeGreaterThan(1000);
    const shown = moved.slice(0, 5).map((m) => `${m.name} ${m.from} → ${m.to}`).join(', ');
    // Every listed model has a threshold series of each model alert, so each alert's line names the same models.
    expect(lines.filter((l) => l.includes('moved alert shard'))).toEqual(['DataDriftDetected', 'HighInferenceLatency', 'ModelAccuracyDrop', 'LowPredictionConfidence'].map(
      (alert) => `${alert} thresholds of ${moved.length} models moved alert shard (model_shard): ${shown} and ${moved.length - 5} more`,
    ));
    // The 16 new shards' groups are there too; no model's threshold is described on a line of its own.
    expect(lines.filter((l) => /^rule group ml-models-shard-\d+ \(alerts\.yml\) added$/.test(l))).toHaveLength(16);
    expect(lines.filter((l) => l.includes('threshold for model'))).toEqual([]);
  });
});


describe('SLO changes across a fleet (1,000 models with a default SLO)', () => {
  const fleet = (availability: { objective: number; window?: string; tiers?: 'pyrra'; minEvents?: number }, own: Record<string, number> = {}): MonitoringConfig => ({
    infrastructure: { team: 'platform', nodeExporterTargets: ['node-exporter:9100'] },
    services: { 'model-api': { team: 'ml-platform', discovery: { staticTargets: ['model-api:8080'] } } },
    defaults: { modelSlos: { availability: { indicator: { kind: 'availability' }, ...availability } } },
    models: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`model-${i}`, { service: 'model-api', ...(own[`model-${i}`] !== undefined ? { slos: { availability: { objective: own[`model-${i}`]! } } } : {}) }])),
    alerting: { defaultReceiver: 'default', receivers: { default: { webhook: [{ url: 'http://sink:8080/' }] } } },
  });
  const render = (config: MonitoringConfig): RenderedFile[] => {
    const model = modelOf(config);
    const templates = createTemplates(undefined);
    return model.ruleFiles.map((file) => ({ path: `prometheus/rules/${file.name}`, content: templates.render('prometheus/rules.yml.hbs', { banner: '# synthetic', groups: file.groups }) }));
  };
  let before: OutputSnapshot;
  beforeAll(() => {
    before = snapshotOf(Object.fromEntries(render(fleet({ objective: 99.5 }, { 'model-7': 99 })).map((f) => [f.path, f.content])));
  }, 120_000);
  const diff = (config: MonitoringConfig) => linesOf(diffOutput(before, render(config), { before: 'out', after: 'generated' }), 'alert-rules');

  it('a default objective is one line naming the models that inherit it, not 999 threshold lines', () => {
    expect(diff(fleet({ objective: 99.9 }, { 'model-7': 99 }))).toEqual([
      "SLO availability of every model the config doesn't list (default) and 999 listed models (model-0, model-1, model-10, model-100, model-101 and 994 more): objective 99.5% → 99.9%",
    ]);
  });

  it('one model\'s own objective is one line for that model', () => {
    expect(diff(fleet({ objective: 99.5 }, { 'model-7': 99.95 }))).toEqual(['SLO availability of model model-7: objective 99% → 99.95%']);
  });

  it('a window is one policy line with every factor and the number of models it affects', () => {
    expect(diff(fleet({ objective: 99.5, window: '7d' }, { 'model-7': 99 }))).toEqual([
      "policy sre-workbook-28d → sre-workbook-7d: window 28d → 7d; page-fast factor 13.44 → 3.36; page-slow factor 5.6 → 1.4; ticket-fast factor 2.8 → 0.7; ticket-slow factor 0.9333 → 0.2333; affects 1,000 models (model-0, model-1, model-10, model-100, model-101 and 995 more), every model the config doesn't list",
    ]);
  });

  it('another tier set: the old policy removed, the new one added with the models it affects, and the models moved to it in one line', () => {
    const lines = diff(fleet({ objective: 99.5, tiers: 'pyrra', minEvents: 20 }, { 'model-7': 99 }));
    expect(lines.filter((l) => !l.startsWith('recording rule ') && !l.startsWith('alert '))).toEqual([
      "policy pyrra-28d added: page-fast 14, page-slow 7, ticket-fast 2, ticket-slow 1, min events 20; affects 1,000 models (model-0, model-1, model-10, model-100, model-101 and 995 more), every model the config doesn't list",
      'policy sre-workbook-28d removed (no SLO uses it any more)',
      "SLO availability of every model the config doesn't list (default) and 1,000 listed models (model-0, model-1, model-10, model-100, model-101 and 995 more): tiers: policy sre-workbook-28d → pyrra-28d",
    ]);
    // Pyrra's slowest ticket tier reads 4d, not 3d: its windows are new recording rules, named by indicator.
    expect(lines).toContain('recording rule mlmon:slo_burn_rate:rate4d{sli="model-availability"} added');
  });
});
