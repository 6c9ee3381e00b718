/**
 * alertmanager.yml: receivers by name, inhibit rules, route settings (grouping and timing) and global
 * settings. Where alerts are delivered is `routing.ts`'s job.
 */
import { asField, type Change, unionKeys, recordsBy } from './change.js';
import { unreadable, type OutputSide } from './side.js';
import { describeFieldChanges, fieldChanges, isRecord, sameValue, type FieldChange } from './structure.js';

const path = 'alertmanager/alertmanager.yml';
/** Route fields that change how alerts are grouped and repeated, not where they go. */
const routeSettings = new Set(['group_by', 'group_wait', 'group_interval', 'repeat_interval', 'mute_time_intervals', 'active_time_intervals']);

export function diffAlertmanager(before: OutputSide, after: OutputSide, deliveryChanged: boolean): Change[] {
  const old = before.yaml(path);
  const now = after.yaml(path);
  if (!old.ok) return [unreadable(path, before, old.error, 'YAML')];
  if (!now.ok) return [unreadable(path, after, now.error, 'YAML')];
  const a = isRecord(old.value) ? old.value : {};
  const b = isRecord(now.value) ? now.value : {};
  const changes: Change[] = [...diffReceivers(a.receivers, b.receivers), ...diffInhibitRules(a.inhibit_rules, b.inhibit_rules)];
  // A whole new (or gone) file: its receivers say enough; every setting as "added" would only be noise.
  if (!before.files.has(path)) return [{ change: 'added', subject: `file ${path}`, text: `${path} added` }, ...changes];
  if (!after.files.has(path)) return [{ change: 'removed', subject: `file ${path}`, text: `${path} removed` }, ...changes];

  if (!sameValue(a.route, b.route)) {
    const settings = fieldChanges(a.route, b.route, 'route').filter((c) => routeSettings.has(lastSegment(c.path)));
    for (const change of settings) changes.push(fieldLine('route', change));
    if (settings.length === 0 && !deliveryChanged) {
      changes.push({ change: 'changed', subject: 'route', text: 'the route tree changed, but every alert reaches the same receivers as before' });
    }
  }
  for (const key of unionKeys(a, b)) {
    if (key === 'receivers' || key === 'inhibit_rules' || key === 'route') continue;
    for (const change of fieldChanges(a[key], b[key], key)) changes.push(fieldLine(key, change));
  }
  return changes;
}

function diffReceivers(before: unknown, after: unknown): Change[] {
  const byName = (list: unknown) => recordsBy(list, 'name');
  const old = byName(before);
  const now = byName(after);
  const changes: Change[] = [];
  const integrations = (r: Record<string, unknown>) => Object.keys(r).filter((k) => k.endsWith('_configs') && Array.isArray(r[k]) && r[k].length > 0).map((k) => k.replace(/_configs$/, '')).join(', ');
  for (const name of unionKeys(old, now)) {
    const a = old.get(name);
    const b = now.get(name);
    if (!a) changes.push({ change: 'added', subject: `receiver ${name}`, text: `receiver ${name} added (${integrations(b!) || 'no integrations'})` });
    else if (!b) changes.push({ change: 'removed', subject: `receiver ${name}`, text: `receiver ${name} removed` });
    else {
      const fields = fieldChanges(a, b);
      if (fields.length) changes.push({ change: 'changed', subject: `receiver ${name}`, text: `receiver ${name}: ${describeFieldChanges(fields)}`, fields: fields.map(asField) });
    }
  }
  return changes;
}

function diffInhibitRules(before: unknown, after: unknown): Change[] {
  const list = (value: unknown) => (Array.isArray(value) ? value.filter(isRecord) : []);
  const key = (rule: Record<string, unknown>) => JSON.stringify(rule, Object.keys(rule).sort());
  const old = new Map(list(before).map((r) => [key(r), r]));
  const now = new Map(list(after).map((r) => [key(r), r]));
  const changes: Change[] = [];
  for (const [k, rule] of old) if (!now.has(k)) changes.push({ change: 'removed', subject: `inhibit rule ${k}`, text: `inhibit rule removed: ${describeInhibitRule(rule)}` });
  for (const [k, rule] of now) if (!old.has(k)) changes.push({ change: 'added', subject: `inhibit rule ${k}`, text: `inhibit rule added: ${describeInhibitRule(rule)}` });
  return changes;
}

/** `[severity="critical", model=~".+"] mutes [severity="warning", model=~".+"] when cluster, model are equal`. */
function describeInhibitRule(rule: Record<string, unknown>): string {
  const matchers = (list: unknown, map: unknown) => [
    ...(Array.isArray(list) ? list.map(String) : []),
    ...(isRecord(map) ? Object.entries(map).map(([k, v]) => `${k}=${JSON.stringify(String(v))}`) : []),
  ];
  const source = matchers(rule.source_matchers, rule.source_match);
  const target = matchers(rule.target_matchers, rule.target_match);
  const equal = Array.isArray(rule.equal) ? rule.equal.map(String) : [];
  return `[${source.join(', ')}] mutes [${target.join(', ')}]${equal.length ? ` when ${equal.join(', ')} ${equal.length === 1 ? 'is' : 'are'} equal` : ''}`;
}

function fieldLine(section: string, change: FieldChange): Change {
  return { change: 'changed', subject: `${section} ${change.path}`, text: describeFieldChanges([change]), fields: [asField(change)] };
}

function lastSegment(path: string): string {
  return /([A-Za-z_][\w-]*)$/.exec(path)?.[1] ?? path;
}
