/**
 * Rule hygiene in the spirit of pint: what makes an alert hard to act on, or noisy, rather than wrong.
 */
import type { MonitoringModel, Rule } from '../normalize/model.js';
import type { Problem } from '../problems.js';
import { durationSeconds } from '../formats/prometheus-duration.js';

export const allowedSeverities = ['critical', 'warning', 'info'];

// Signals that move sample to sample: an alert on them without `for` fires on a single blip.
const flappy = /\b(rate|irate|increase|histogram_quantile|deriv|delta)\s*\(|_over_time\s*\(/;

export function checkRuleHygiene(model: MonitoringModel, runbookConfigured: boolean): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const file of model.ruleFiles) {
    for (const group of file.groups) {
      for (const rule of group.rules) {
        const artifact = `prometheus/rules/${file.name}`;
        const at = (id: string, message: string, severity: Problem['severity'], hint?: string): void => {
          problems.push({ id, severity, message, artifact, object: nameOf(rule), path: rule.source, ...(hint ? { hint } : {}) });
        };
        if (rule.kind !== 'alert') continue;
        const severity = rule.labels.severity;
        if (!severity || !allowedSeverities.includes(severity)) at('rules/severity', `alert ${rule.alert} has severity ${JSON.stringify(severity ?? null)}`, 'error', `use one of ${allowedSeverities.join(', ')}`);
        if (!/^[A-Z][A-Za-z0-9]*$/.test(rule.alert)) at('rules/alert-name', `alert name ${JSON.stringify(rule.alert)} is not CamelCase`, 'error');
        for (const key of ['summary', 'description']) {
          if (!rule.annotations[key]?.trim()) at('rules/annotations', `alert ${rule.alert} has no ${key} annotation`, 'error');
        }
        if (runbookConfigured && !rule.annotations.runbook_url) at('rules/runbook', `alert ${rule.alert} has no runbook_url although runbookBaseUrl is set`, 'error');
        const identity = JSON.stringify([rule.alert, Object.entries(rule.labels).sort()]);
        if (seen.has(identity)) at('rules/duplicate', `alert ${rule.alert} with labels ${JSON.stringify(rule.labels)} is defined twice (also in ${seen.get(identity)})`, 'error');
        seen.set(identity, `${file.name} group ${group.name}`);
        if (flappy.test(rule.expr) && durationSeconds(rule.for) === 0) {
          at('rules/for', `alert ${rule.alert} fires on the first evaluation of a signal that moves sample to sample`, 'warning', 'set `for` (e.g. 5m) so one blip doesn\'t page');
        }
      }
    }
  }
  return problems;
}

function nameOf(rule: Rule): string {
  return rule.kind === 'alert' ? rule.alert : rule.record;
}
