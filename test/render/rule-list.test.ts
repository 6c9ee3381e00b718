/**
 * The rule templates write a group's rules with one helper (`{{ruleList rules 6}}`, src/render/rule-list.ts)
 * instead of a Handlebars loop per rule, and the proof template its tests with another (`{{ruleTestList tests}}`,
 * src/render/rule-test-list.ts). Held here to write exactly what that loop wrote, with the same helpers,
 * over the example (thresholds, SLOs, an integration, the GPU pack) and random and hostile rules; and a user's
 * template override may still write the loop itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Rule, RuleGroup } from '../../src/normalize/model.js';
import type { RuleTest } from '../../src/normalize/rule-proofs.js';
import { createTemplates } from '../../src/render/templating.js';
import { generateExample, modelOf, scratchDir } from '../support/fixtures.js';

/** The loop the rule templates held before the helper, as a user's override may still hold it. */
const loopTemplate = `{{banner}}
groups:
{{#each groups}}
  - name: {{yaml name}}
    interval: {{yaml interval}}
    rules:
{{#each rules}}
{{#if (eq kind "alert")}}
      - alert: {{yaml alert}}
        expr: {{text expr 10}}
        for: {{yaml for}}
        labels:{{block labels 10}}
        annotations:{{block annotations 10}}
{{else}}
      - record: {{yaml record}}
        expr: {{text expr 10}}
{{#if (nonEmpty labels)}}
        labels:{{block labels 10}}
{{/if}}
{{/if}}
{{/each}}
{{/each}}
`;

/** The loops the proof template held before the helper. */
const testLoopTemplate = `{{banner}}
tests:
{{#each tests}}
  # {{comment name}}
  - name: {{yaml name}}
    interval: {{yaml interval}}
{{#if (nonEmpty inputSeries)}}
    input_series:
{{#each inputSeries}}
      - series: {{yaml series}}
        values: {{yaml values}}
{{/each}}
{{/if}}
{{#if (nonEmpty promqlExprTests)}}
    promql_expr_test:
{{#each promqlExprTests}}
      - expr: {{yaml expr}}
        eval_time: {{yaml evalTime}}
        exp_samples:
{{#each expSamples}}
          - labels: {{yaml labels}}
            value: {{yaml value}}
{{/each}}
{{/each}}
{{/if}}
{{#if (nonEmpty alertRuleTests)}}
    alert_rule_test:
{{#each alertRuleTests}}
      - eval_time: {{yaml evalTime}}
        alertname: {{yaml alertname}}
{{#if (nonEmpty expAlerts)}}
        exp_alerts:
{{#each expAlerts}}
          - exp_labels:{{block expLabels 14}}
            exp_annotations:{{block expAnnotations 14}}
{{/each}}
{{else}}
        exp_alerts: []
{{/if}}
{{/each}}
{{/if}}
{{/each}}
`;
const testHelperTemplate = `{{banner}}
tests:{{ruleTestList tests}}
`;

const scratch = scratchDir('mlmon-rule-list-');
afterAll(() => scratch.cleanup());
mkdirSync(join(scratch.dir, 'prometheus'), { recursive: true });
writeFileSync(join(scratch.dir, 'prometheus/rules.yml.hbs'), loopTemplate);
// The two proof layouts under names of their own (only the templates' folder is read for them).
writeFileSync(join(scratch.dir, 'prometheus/tests-loop.yml.hbs'), testLoopTemplate);
writeFileSync(join(scratch.dir, 'prometheus/tests-helper.yml.hbs'), testHelperTemplate);
const withHelper = createTemplates(undefined);
const withLoop = createTemplates(scratch.dir);
const render = (templates: typeof withHelper, groups: readonly RuleGroup[]) => templates.render('prometheus/rules.yml.hbs', { banner: '# banner', groups });
// Handlebars' strict mode wants every key a template reads to exist (as renderRuleTests gives it).
const renderTests = (template: string, tests: readonly RuleTest[]) => withLoop.render(template, { banner: '# banner', tests: tests.map((t) => ({ promqlExprTests: undefined, ...t })) });

describe('the ruleList helper of the rule templates', () => {
  it("writes the example's rule files byte for byte as the per-rule loop did", async () => {
    const { model } = await generateExample();
    expect(model.ruleFiles.length).toBeGreaterThan(2);
    for (const file of model.ruleFiles) expect(render(withHelper, file.groups), file.name).toBe(render(withLoop, file.groups));
  });

  it('writes hostile and random rules as the loop did: quotes, breaks, YAML words, unicode, empty label sets and groups', () => {
    const text = fc.oneof(
      fc.constantFrom('', 'plain', 'true', 'no', '017', '- item', 'a: b', 'x #y', '{{ $labels.model }}', 'multi\nline', 'trailing\n', '  spaced  ', '\u2028', 'é ✓ 模型', '|', '>', '---x', 'e3', '~'),
      fc.string({ unit: 'binary', maxLength: 12 }),
    );
    const labels = fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), text, { maxKeys: 3 });
    const rule: fc.Arbitrary<Rule> = fc.oneof(
      fc.record({ kind: fc.constant('alert' as const), alert: text, expr: text, for: text, labels, annotations: labels, source: fc.constant('test') }),
      fc.record({ kind: fc.constant('record' as const), record: text, expr: text, labels, source: fc.constant('test') }),
    );
    const group: fc.Arbitrary<RuleGroup> = fc.record({ name: text, interval: fc.constant('30s'), rules: fc.array(rule, { maxLength: 4 }) });
    fc.assert(fc.property(fc.array(group, { maxLength: 3 }), (groups) => {
      expect(render(withHelper, groups)).toBe(render(withLoop, groups));
    }), { numRuns: 500, seed: 20261130 });
  });
});

describe('the ruleTestList helper of the proof template', () => {
  it("writes the proofs of the example and of a fleet (its pinned thresholds) byte for byte as the loops did", async () => {
    const fleet = modelOf({
      services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } },
      models: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`model-${i}`, { service: 'model-api', thresholds: { minAccuracy: 0.8 + i / 1000 } }])),
    });
    for (const model of [(await generateExample()).model, fleet]) {
      const tests = model.ruleTests.flatMap((file) => file.tests);
      expect(tests.some((t) => t.alertRuleTests.some((a) => a.expAlerts.length === 0))).toBe(true);
      for (const file of model.ruleTests) expect(renderTests('prometheus/tests-helper.yml.hbs', file.tests), file.name).toBe(renderTests('prometheus/tests-loop.yml.hbs', file.tests));
    }
    expect(fleet.ruleTests.flatMap((file) => file.tests).some((t) => t.promqlExprTests?.length)).toBe(true);
  });

  it('writes random and hostile tests as the loops did: empty lists, breaks in names, odd label values', () => {
    const text = fc.oneof(fc.constantFrom('', 'x', 'true', 'a: b', 'multi\nline\r\nname', '#', '- y', '\u0085', '模型'), fc.string({ unit: 'binary', maxLength: 10 }));
    const labels = fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), text, { maxKeys: 2 });
    const test: fc.Arbitrary<RuleTest> = fc.record({
      name: text,
      interval: fc.constant('15s'),
      inputSeries: fc.array(fc.record({ series: text, values: text }), { maxLength: 3 }),
      promqlExprTests: fc.option(fc.array(fc.record({ expr: text, evalTime: fc.constant('1m'), expSamples: fc.array(fc.record({ labels: text, value: fc.double() }), { maxLength: 2 }) }), { maxLength: 2 }), { nil: undefined }),
      alertRuleTests: fc.array(fc.record({ evalTime: fc.constant('5m'), alertname: text, expAlerts: fc.array(fc.record({ expLabels: labels, expAnnotations: labels }), { maxLength: 2 }) }), { maxLength: 2 }),
    }, { requiredKeys: ['name', 'interval', 'inputSeries', 'alertRuleTests'] }) as fc.Arbitrary<RuleTest>;
    fc.assert(fc.property(fc.array(test, { maxLength: 3 }), (tests) => {
      expect(renderTests('prometheus/tests-helper.yml.hbs', tests)).toBe(renderTests('prometheus/tests-loop.yml.hbs', tests));
    }), { numRuns: 500, seed: 20261130 });
  });
});
