/**
 * The `tests:` list of a promtool rule test file as YAML, for templates/prometheus/rule-tests.yml.hbs
 * (`tests:{{ruleTestList tests}}`).
 *
 * Why a helper, not Handlebars loops: a fleet's proofs are tens of thousands of input series and expected
 * samples, and the template's nested loops, conditionals and strict lookups per entry were most of rendering
 * them. This writes, byte for byte, what the loops wrote, with the same helpers (test/render/rule-list.test.ts
 * holds the two to one output): per test a `# name` comment, then `name`, `interval`, and `input_series`,
 * `promql_expr_test` and `alert_rule_test` when each has entries (an alert test with none expects
 * `exp_alerts: []`).
 */
import { yamlBlock, yamlInline } from '../formats/yaml/layout.js';
import { oneLine } from '../formats/yaml/line-breaks.js';
import type { RuleTest } from '../normalize/rule-proofs.js';

/** A `#` comment line's text: one line to every reader, no matter what the value holds (formats/yaml/line-breaks.ts). */
export function commentText(value: unknown): string {
  return oneLine(String(value));
}

/** Each test's lines, every line preceded by a line break, the dashes indented by two spaces. */
export function ruleTestListYaml(tests: readonly RuleTest[]): string {
  let text = '';
  for (const test of tests) {
    text += `\n  # ${commentText(test.name)}\n  - name: ${yamlInline(test.name)}\n    interval: ${yamlInline(test.interval)}`;
    if (test.inputSeries.length > 0) {
      text += '\n    input_series:';
      for (const input of test.inputSeries) text += `\n      - series: ${yamlInline(input.series)}\n        values: ${yamlInline(input.values)}`;
    }
    if (test.promqlExprTests !== undefined && test.promqlExprTests.length > 0) {
      text += '\n    promql_expr_test:';
      for (const exprTest of test.promqlExprTests) {
        text += `\n      - expr: ${yamlInline(exprTest.expr)}\n        eval_time: ${yamlInline(exprTest.evalTime)}\n        exp_samples:`;
        for (const sample of exprTest.expSamples) text += `\n          - labels: ${yamlInline(sample.labels)}\n            value: ${yamlInline(sample.value)}`;
      }
    }
    if (test.alertRuleTests.length > 0) {
      text += '\n    alert_rule_test:';
      for (const alertTest of test.alertRuleTests) {
        text += `\n      - eval_time: ${yamlInline(alertTest.evalTime)}\n        alertname: ${yamlInline(alertTest.alertname)}`;
        if (alertTest.expAlerts.length === 0) text += '\n        exp_alerts: []';
        else {
          text += '\n        exp_alerts:';
          for (const alert of alertTest.expAlerts) text += `\n          - exp_labels:${yamlBlock(alert.expLabels, 14)}\n            exp_annotations:${yamlBlock(alert.expAnnotations, 14)}`;
        }
      }
    }
  }
  return text;
}
