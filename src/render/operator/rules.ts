/**
 * PrometheusRule objects: mlmon's rule groups (the same groups as prometheus/rules/*.yml), packed into as few
 * objects as fit a size budget each, in the order of the rule files.
 */
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { MonitoringModel, Rule, RuleGroup } from '../../normalize/model.js';
import { RenderError } from '../artifact.js';
import { objectName } from './names.js';

/** A PrometheusRule as mlmon writes it: a name, the selector labels, groups. */
export type PrometheusRule = IPrometheusRule & { metadata: { name: string; labels: Record<string, string> }; spec: { groups: RuleGroupSpec[] } };
type RuleGroupSpec = NonNullable<IPrometheusRule['spec']['groups']>[number];

/**
 * Bytes of an object's JSON (what the API server stores a custom resource as), at most. etcd refuses an object
 * over 1.5 MiB and the API server a request body over 3 MiB, but `kubectl apply` without --server-side copies
 * the whole object into the `kubectl.kubernetes.io/last-applied-configuration` annotation, and all annotations
 * of an object together may hold 256 KiB (262,144 bytes, apimachinery's TotalAnnotationSizeLimitB). 200,000
 * bytes leaves room for the metadata kubectl adds, so either way of applying works.
 */
export const ruleObjectBudgetBytes = 200_000;

/**
 * One PrometheusRule per run of whole groups whose JSON fits `budget` bytes; a group is never split, since its
 * rules are evaluated in order. Sizes are exact: an object's JSON is its JSON with no groups plus each group's
 * JSON and the commas between them, so each group is serialized once.
 */
export function prometheusRules(model: MonitoringModel, labels: Readonly<Record<string, string>>, budget = ruleObjectBudgetBytes): PrometheusRule[] {
  const objects: PrometheusRule[] = [];
  for (const file of model.ruleFiles) {
    const stem = file.name.replace(/\.ya?ml$/, '');
    const make = (part: number, groups: RuleGroupSpec[]): PrometheusRule => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: `${objectName(stem)}-${part}`, labels: { ...labels } },
      spec: { groups },
    });
    let part = 1;
    let groups: RuleGroupSpec[] = [];
    let bytes = 0;
    const emptyBytes = () => serializedBytes(make(part, []));
    for (const group of file.groups) {
      const spec = groupSpec(group);
      const size = serializedBytes(spec);
      if (groups.length > 0 && emptyBytes() + bytes + 1 + size > budget) {
        objects.push(make(part++, groups));
        groups = [];
        bytes = 0;
      }
      if (groups.length === 0 && emptyBytes() + size > budget) {
        throw new RenderError('operator/prometheus-rules.yaml', `rule group ${group.name} alone is ${emptyBytes() + size} bytes as a PrometheusRule, over the ${budget}-byte budget of one object; a group cannot be split`);
      }
      bytes += (groups.length > 0 ? 1 : 0) + size;
      groups.push(spec);
    }
    if (groups.length) objects.push(make(part, groups));
  }
  return objects;
}

/** Bytes of the object as JSON, UTF-8. */
export function serializedBytes(object: unknown): number {
  return Buffer.byteLength(JSON.stringify(object), 'utf8');
}

function groupSpec(group: RuleGroup): RuleGroupSpec {
  return { name: group.name, interval: group.interval, rules: group.rules.map(ruleSpec) };
}

function ruleSpec(rule: Rule): NonNullable<RuleGroupSpec['rules']>[number] {
  if (rule.kind === 'alert') return { alert: rule.alert, expr: rule.expr, for: rule.for, labels: { ...rule.labels }, annotations: { ...rule.annotations } };
  return { record: rule.record, expr: rule.expr, ...(Object.keys(rule.labels).length ? { labels: { ...rule.labels } } : {}) };
}
