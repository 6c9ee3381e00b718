/**
 * The rule templates write a group's rules with one helper (`{{ruleList rules 6}}`, src/render/rule-list.ts)
 * instead of a Handlebars loop per rule. Held here to write exactly what that loop wrote, with the same helpers,
 * over the example (thresholds, SLOs, an integration, the GPU pack) and random and hostile rules; and a user's
 * template override may still write the loop itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Rule, RuleGroup } from '../../src/normalize/model.js';
import { createTemplates } from '../../src/render/templating.js';
import { generateExample, scratchDir } from '../support/fixtures.js';

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

const scratch = scratchDir('mlmon-rule-list-');
afterAll(() => scratch.cleanup());
mkdirSync(join(scratch.dir, 'prometheus'), { recursive: true });
writeFileSync(join(scratch.dir, 'prometheus/rules.yml.hbs'), loopTemplate);
const withHelper = createTemplates(undefined);
const withLoop = createTemplates(scratch.dir);
const render = (templates: typeof withHelper, groups: readonly RuleGroup[]) => templates.render('prometheus/rules.yml.hbs', { banner: '# banner', groups });

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
