/**
 * Describing rule changes the way a reviewer thinks of them: "ModelAccuracyDrop threshold for model
 * fraud-detector: 0.9 → 0.95", not "line 48 of thresholds.yml".
 */
import { modelInfoSeries, serviceInfoSeries } from '../../catalog/series.js';
import { formatLabels, shortList, unionKeys, type Change, type ChangedField } from './change.js';
import { alertIdentity, isDefaultSeries, isShardLabel, knownThresholdSeries, recordIdentity } from './rule-matching.js';
import type { AlertRule, RecordingRule, RuleGroupInfo } from './rule-reading.js';
import { recordLabels } from './slo-changes.js';
import { sameValue } from './structure.js';

/** Rule groups added, removed, or with a new `interval`. */
export function diffGroups(before: readonly RuleGroupInfo[], after: readonly RuleGroupInfo[]): Change[] {
  const key = (g: RuleGroupInfo) => `${g.file}\u0000${g.name}`;
  const afterByKey = new Map(after.map((g) => [key(g), g]));
  const beforeByKey = new Map(before.map((g) => [key(g), g]));
  const changes: Change[] = [];
  const where = (g: RuleGroupInfo) => `rule group ${g.name} (${g.file.replace(/^prometheus\/rules\//, '')})`;
  for (const [k, g] of beforeByKey) {
    const now = afterByKey.get(k);
    if (!now) changes.push({ change: 'removed', subject: `group ${g.file}#${g.name}`, text: `${where(g)} removed` });
    else if (!sameValue(g.interval, now.interval)) {
      changes.push({
        change: 'changed',
        subject: `group ${g.file}#${g.name}`,
        text: `${where(g)}: interval ${String(g.interval ?? 'global')} → ${String(now.interval ?? 'global')}`,
        fields: [{ field: 'interval', before: g.interval, after: now.interval }],
      });
    }
  }
  for (const [k, g] of afterByKey) if (!beforeByKey.has(k)) changes.push({ change: 'added', subject: `group ${g.file}#${g.name}`, text: `${where(g)} added` });
  return changes;
}

/** One alert added, removed or changed (its expression, threshold, `for`, severity, labels, annotations). */
export function describeAlertChange(before: AlertRule | undefined, after: AlertRule | undefined, nameOf: (rule: AlertRule) => string): Change | undefined {
  const rule = (after ?? before)!;
  const subject = `alert ${alertIdentity(rule)}`;
  if (!before) return { change: 'added', subject, text: `alert ${nameOf(rule)} added (severity ${rule.labels.severity ?? 'none'}, for ${rule.for ?? '0s'})` };
  if (!after) return { change: 'removed', subject, text: `alert ${nameOf(rule)} removed` };

  const fields: ChangedField[] = [];
  const parts: string[] = [];
  const field = (name: string, from: string | undefined, to: string | undefined, text: string) => {
    if (from === to) return;
    fields.push({ field: name, ...(from !== undefined ? { before: from } : {}), ...(to !== undefined ? { after: to } : {}) });
    parts.push(text);
  };
  if (before.expr !== after.expr) {
    const threshold = thresholdChange(before.expr, after.expr);
    if (threshold) {
      fields.push({ field: 'threshold', before: threshold.before, after: threshold.after });
      parts.push(`threshold ${threshold.before} → ${threshold.after}`);
    } else {
      fields.push({ field: 'expr', before: before.expr, after: after.expr });
      parts.push(isShort(before.expr) && isShort(after.expr) ? `expression ${before.expr} → ${after.expr}` : 'expression changed');
    }
  }
  field('for', before.for, after.for, `for ${before.for ?? '0s'} → ${after.for ?? '0s'}`);
  field('keep_firing_for', before.keepFiringFor, after.keepFiringFor, `keep_firing_for ${before.keepFiringFor ?? 'none'} → ${after.keepFiringFor ?? 'none'}`);
  field('severity', before.labels.severity, after.labels.severity, `severity ${before.labels.severity ?? 'none'} → ${after.labels.severity ?? 'none'}`);
  const { severity: _a, ...labelsBefore } = before.labels;
  const { severity: _b, ...labelsAfter } = after.labels;
  if (!sameValue(labelsBefore, labelsAfter)) {
    fields.push({ field: 'labels', before: labelsBefore, after: labelsAfter });
    parts.push(`labels ${formatLabels(labelsBefore) || '{}'} → ${formatLabels(labelsAfter) || '{}'}`);
  }
  for (const name of unionKeys(before.annotations, after.annotations)) {
    const from = before.annotations[name];
    const to = after.annotations[name];
    if (from === to) continue;
    fields.push({ field: `annotations.${name}`, ...(from !== undefined ? { before: from } : {}), ...(to !== undefined ? { after: to } : {}) });
    if (from === undefined) parts.push(`annotation ${name} added`);
    else if (to === undefined) parts.push(`annotation ${name} removed`);
    else parts.push(isShort(from) && isShort(to) ? `annotation ${name}: ${from} → ${to}` : `annotation ${name} changed`);
  }
  if (parts.length === 0) return undefined;
  return { change: 'changed', subject, text: `alert ${nameOf(after)}: ${parts.join('; ')}`, fields };
}

/**
 * When two expressions differ only in the numbers they compare against (`… > 80` → `… > 90`), the change is
 * a threshold change, and says so with the numbers.
 */
function thresholdChange(before: string, after: string): { before: string; after: string } | undefined {
  const comparison = /((?:>=|<=|==|!=|>|<)\s*(?:bool\s+)?)(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?![\w.])/g;
  const numbers = (expr: string) => [...expr.matchAll(comparison)].map((m) => m[2]!);
  const shape = (expr: string) => expr.replace(comparison, '$1#');
  if (shape(before) !== shape(after)) return undefined;
  const from = numbers(before);
  const to = numbers(after);
  const changed = from.map((n, i) => [n, to[i]!] as const).filter(([a, b]) => a !== b);
  if (changed.length === 0) return undefined;
  return { before: changed.map(([a]) => a).join(', '), after: changed.map(([, b]) => b).join(', ') };
}

/** One recording rule added, removed or changed: a threshold, the model list, or any other series. */
export function describeRecordChange(before: RecordingRule | undefined, after: RecordingRule | undefined, owners: ReadonlyMap<string, readonly string[]>): Change | undefined {
  const rule = (after ?? before)!;
  if (rule.record === modelInfoSeries) return describeModelListChange(before, after);
  if (rule.record === serviceInfoSeries) return describeServiceListChange(before, after);
  if (!knownThresholdSeries.includes(rule.record)) return describeOtherRecordChange(before, after);

  const subject = `threshold ${recordIdentity(rule)}`;
  const owner = owners.get(rule.record)?.join('/') ?? `${rule.record} (no alert uses it)`;
  const target = Object.fromEntries(Object.entries(rule.labels).filter(([label]) => label !== 'team' && !isShardLabel(label)));
  const what = isDefaultSeries(rule.record) ? `${owner} default threshold (for ${targetKindOf(rule.record)} the config doesn't list)` : `${owner} threshold for ${describeTarget(target)}`;
  if (!before) return { change: 'added', subject, text: `${what} added: ${constantOf(after!.expr)}` };
  if (!after) return { change: 'removed', subject, text: `${what} removed (was ${constantOf(before.expr)})` };
  const fields: ChangedField[] = [];
  const parts: string[] = [];
  if (before.expr !== after.expr) {
    fields.push({ field: 'value', before: constantOf(before.expr), after: constantOf(after.expr) });
    parts.push(`${constantOf(before.expr)} → ${constantOf(after.expr)}`);
  }
  if (before.labels.team !== after.labels.team) {
    fields.push({ field: 'team', before: before.labels.team, after: after.labels.team });
    parts.push(`team ${before.labels.team ?? 'none'} → ${after.labels.team ?? 'none'}`);
  }
  // The alert shard is not the target's identity (the same model, moved), but it is which shard's rule group
  // judges it: a new shard count moves targets, and a reviewer should see which.
  for (const label of unionKeys(before.labels, after.labels).filter(isShardLabel)) {
    if (before.labels[label] === after.labels[label]) continue;
    fields.push({ field: label, before: before.labels[label], after: after.labels[label] });
    parts.push(`${label} ${before.labels[label] ?? 'none'} → ${after.labels[label] ?? 'none'}`);
  }
  if (parts.length === 0) return undefined;
  return { change: 'changed', subject, text: `${what}: ${parts.join(', ')}`, fields };
}

/**
 * A threshold series whose only change is its alert shard (`model_shard`, `service_shard`): the same target,
 * judged by another shard's rule group, as when the shard count changes.
 */
export function isShardMoveOnly(before: RecordingRule | undefined, after: RecordingRule | undefined): boolean {
  if (!before || !after || before.expr !== after.expr || !knownThresholdSeries.includes(after.record)) return false;
  const labels = unionKeys(before.labels, after.labels);
  return labels.some((l) => isShardLabel(l) && before.labels[l] !== after.labels[l]) && labels.every((l) => isShardLabel(l) || before.labels[l] === after.labels[l]);
}

/**
 * Threshold series that only moved alert shard, one line per alert and shard label rather than one per target
 * (a new shard count moves about half of a fleet's thousands of series): `DataDriftDetected thresholds of 40
 * models moved alert shard (model_shard): churn-model-0001 0 → 4, … and 35 more`.
 */
export function describeShardMoves(pairs: readonly { readonly before: RecordingRule; readonly after: RecordingRule }[], owners: ReadonlyMap<string, readonly string[]>): Change[] {
  const moves = new Map<string, { owner: string; label: string; kind: string; targets: string[] }>();
  for (const { before, after } of pairs) {
    const owner = owners.get(after.record)?.join('/') ?? `${after.record} (no alert uses it)`;
    const kind = targetKindOf(after.record);
    for (const label of unionKeys(before.labels, after.labels).filter(isShardLabel)) {
      if (before.labels[label] === after.labels[label]) continue;
      const key = `${owner}\u0000${label}\u0000${kind}`;
      const move = moves.get(key) ?? { owner, label, kind, targets: [] };
      const target = after.labels.model ?? after.labels.service ?? recordIdentity(after);
      move.targets.push(`${target} ${before.labels[label] ?? 'none'} → ${after.labels[label] ?? 'none'}`);
      moves.set(key, move);
    }
  }
  return [...moves.values()].map(({ owner, label, kind, targets }) => ({
    change: 'changed' as const,
    subject: `alert shards ${owner} ${label}`,
    text: `${owner} thresholds of ${targets.length} ${targets.length === 1 ? kind.replace(/s$/, '') : kind} moved alert shard (${label}): ${shortList(targets)}`,
  }));
}

/** mlmon:service_info: the services ServiceUnreachable expects to see, and the team their targets' ServiceDown goes to. */
function describeServiceListChange(before: RecordingRule | undefined, after: RecordingRule | undefined): Change | undefined {
  const service = (after ?? before)!.labels.service ?? '?';
  if (!before) return { change: 'added', subject: `service ${service}`, text: `service ${service} added (team ${after!.labels.team ?? 'none'})` };
  if (!after) return { change: 'removed', subject: `service ${service}`, text: `service ${service} removed` };
  if (before.labels.team === after.labels.team) return undefined;
  return { change: 'changed', subject: `service ${service}`, text: `service ${service}: team ${before.labels.team ?? 'none'} → ${after.labels.team ?? 'none'}`, fields: [{ field: 'team', before: before.labels.team, after: after.labels.team }] };
}

function describeModelListChange(before: RecordingRule | undefined, after: RecordingRule | undefined): Change | undefined {
  const rule = (after ?? before)!;
  const model = rule.labels.model ?? '?';
  const subject = `model ${model}`;
  if (!before) return { change: 'added', subject, text: `model ${model} added (service ${rule.labels.service ?? 'none'}, team ${rule.labels.team ?? 'none'})` };
  if (!after) return { change: 'removed', subject, text: `model ${model} removed: the default thresholds apply to it again` };
  const fields: ChangedField[] = [];
  for (const label of ['service', 'team']) {
    if (before.labels[label] !== after.labels[label]) fields.push({ field: label, before: before.labels[label], after: after.labels[label] });
  }
  if (fields.length === 0) return undefined;
  return { change: 'changed', subject, text: `model ${model}: ${fields.map((f) => `${f.field} ${String(f.before ?? 'none')} → ${String(f.after ?? 'none')}`).join(', ')}`, fields };
}

function describeOtherRecordChange(before: RecordingRule | undefined, after: RecordingRule | undefined): Change | undefined {
  const rule = (after ?? before)!;
  const name = `${rule.record}${formatLabels(recordLabels(rule))}`;
  const subject = `recording rule ${name}`;
  if (!before) return { change: 'added', subject, text: `recording rule ${name} added` };
  if (!after) return { change: 'removed', subject, text: `recording rule ${name} removed` };
  if (before.expr === after.expr && sameValue(before.labels, after.labels)) return undefined;
  const text = isShort(before.expr) && isShort(after.expr) ? `expression ${before.expr} → ${after.expr}` : 'expression changed';
  return { change: 'changed', subject, text: `recording rule ${name}: ${text}`, fields: [{ field: 'expr', before: before.expr, after: after.expr }] };
}

/** `model fraud-detector`, `service model-api`, or the labels as written. */
export function describeTarget(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels);
  if (keys.length === 1 && (keys[0] === 'model' || keys[0] === 'service')) return `${keys[0]} ${labels[keys[0]]}`;
  return formatLabels(labels) || 'every target';
}

function targetKindOf(record: string): string {
  return record.startsWith('mlmon:service_') ? 'services' : 'models';
}

/** `vector(0.9)` → `0.9`; any other expression as written. */
function constantOf(expr: string): string {
  return /^\s*vector\(\s*([^()]+?)\s*\)\s*$/.exec(expr)?.[1] ?? expr;
}

/** Short enough to show as `before → after` within one summary line. */
function isShort(text: string): boolean {
  return !text.includes('\n') && text.length <= 60;
}
