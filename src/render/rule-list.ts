/**
 * The `rules:` entries of a Prometheus rule group as YAML, for the rule templates (`{{ruleList rules 6}}` in
 * templates/prometheus/rules.yml.hbs and templates/ruler/rules.yml.hbs).
 *
 * Why a helper, not a Handlebars loop: a fleet's rule files are tens of thousands of rules (a threshold series
 * per target and key, an objective per SLO), and the template's loop, conditionals and strict lookups per rule
 * were over half of rendering them. This writes, byte for byte, what the loop wrote, with the same helpers
 * (test/render/rule-list.test.ts holds the two to one output):
 *
 *       - alert: <yaml alert>            - record: <yaml record>
 *         expr: <text expr>                expr: <text expr>
 *         for: <yaml for>                  labels: <block labels>   (only when it has labels)
 *         labels: <block labels>
 *         annotations: <block annotations>
 */
import { yamlBlock, yamlInline, yamlText } from '../formats/yaml/layout.js';
import type { Rule } from '../normalize/model.js';

/** Each rule's lines, every line preceded by a line break, the dashes indented by `indent` spaces. */
export function ruleListYaml(rules: readonly Rule[], indent: number): string {
  const pad = `\n${' '.repeat(indent)}`;
  const field = `${pad}  `;
  const inner = indent + 4;
  let text = '';
  for (const rule of rules) {
    if (rule.kind === 'alert') {
      text += `${pad}- alert: ${yamlInline(rule.alert)}${field}expr: ${yamlText(rule.expr, inner)}${field}for: ${yamlInline(rule.for)}`;
      text += `${field}labels:${yamlBlock(rule.labels, inner)}${field}annotations:${yamlBlock(rule.annotations, inner)}`;
    } else {
      text += `${pad}- record: ${yamlInline(rule.record)}${field}expr: ${yamlText(rule.expr, inner)}`;
      if (Object.keys(rule.labels).length > 0) text += `${field}labels:${yamlBlock(rule.labels, inner)}`;
    }
  }
  return text;
}
