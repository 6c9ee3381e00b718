/**
 * Checks of meaning for where the stack runs and what it discovers in Kubernetes: the rules the Kubernetes API
 * applies to tolerations (which the schema cannot say), and one way to find node-exporter.
 *
 * Not checkable here: whether any node carries a `nodeSelector`'s labels or any taint a toleration names.
 * That is the cluster's state, not the config's; a selector no node matches leaves pods Pending.
 */
import type { Problem } from '../problems.js';
import { configPath } from '../problems.js';
import { configDefaults } from './defaults.js';
import type { MonitoringConfig, PodScheduling } from './types.js';

export function checkKubernetesPlacement(config: MonitoringConfig): Problem[] {
  const problems: Problem[] = [];
  const schedulings = Object.entries(config.kubernetes?.scheduling ?? {}) as [string, PodScheduling | undefined][];
  for (const [component, scheduling] of schedulings) {
    (scheduling?.tolerations ?? []).forEach((toleration, i) => {
      const at = (...rest: string[]) => configPath(['kubernetes', 'scheduling', component, 'tolerations', i, ...rest]);
      const operator = toleration.operator ?? configDefaults['kubernetes.scheduling.*.tolerations[].operator'];
      // The API server's ValidateTolerations (pkg/apis/core/validation): the same three rules, so kubectl never
      // refuses what mlmon wrote.
      if (operator === 'Exists' && toleration.value !== undefined && toleration.value !== '') {
        problems.push({
          id: 'config/toleration', severity: 'error', path: at('value'), value: toleration.value,
          message: `${at()} has operator Exists, which matches any value, and also value ${JSON.stringify(toleration.value)}`,
          allowed: 'no value with operator Exists', hint: 'remove value, or set operator: "Equal" to match only that value',
        });
      }
      if (operator === 'Equal' && !toleration.key) {
        problems.push({
          id: 'config/toleration', severity: 'error', path: at('key'), value: toleration,
          message: `${at()} has operator ${toleration.operator ? 'Equal' : 'Equal (the default)'} but no key, so it could match no taint`,
          allowed: 'a key with operator Equal; without a key, operator: "Exists" (tolerates every taint)',
          hint: 'set key to the taint key (e.g. "nvidia.com/gpu"), or operator: "Exists" to tolerate every taint',
        });
      }
      if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
        problems.push({
          id: 'config/toleration', severity: 'error', path: at('tolerationSeconds'), value: toleration.tolerationSeconds,
          message: `${at()} sets tolerationSeconds with effect ${toleration.effect ?? '(any)'}; only a NoExecute taint evicts after a time`,
          allowed: 'tolerationSeconds only with effect: "NoExecute"',
        });
      }
    });
  }
  const infra = config.infrastructure;
  if (infra?.nodeExporter && infra.nodeExporterTargets !== undefined) {
    problems.push({
      id: 'config/node-exporter-discovery', severity: 'error', path: 'infrastructure.nodeExporter', value: infra.nodeExporterTargets,
      message: 'infrastructure sets both nodeExporter (per-node discovery) and nodeExporterTargets (fixed targets); node-exporter would be scraped twice',
      allowed: 'one of infrastructure.nodeExporter or infrastructure.nodeExporterTargets',
      hint: 'in Kubernetes keep nodeExporter and remove nodeExporterTargets',
    });
  }
  return problems;
}
