/**
 * Field-by-field differences between two parsed documents (YAML or JSON), for the parts of a diff summary
 * that have no more specific meaning than "this field changed": a receiver's Slack channel, a Kubernetes
 * container's image, a scrape job's interval.
 */

export interface FieldChange {
  /** Where, in the document's own field names: `slack_configs[0].channel`, `containers[prometheus].image`. */
  readonly path: string;
  /** Absent when the field was added. */
  readonly before?: unknown;
  /** Absent when the field was removed. */
  readonly after?: unknown;
}

/** Array items are matched by the first of these keys that every item has, uniquely; otherwise by position. */
const identityKeys = ['name', 'job_name', 'uid', 'refId', 'alert', 'record', 'id'] as const;

export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  const changes: FieldChange[] = [];
  collect(before, after, path, changes);
  return changes;
}

function collect(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (sameValue(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      const child = joinPath(path, key);
      if (!(key in before)) out.push({ path: child, after: after[key] });
      else if (!(key in after)) out.push({ path: child, before: before[key] });
      else collect(before[key], after[key], child, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.every(isScalar) && after.every(isScalar)) {
      // A list of plain values (group_by, targets) reads best whole: `alertname, cluster → alertname`.
      out.push({ path, before, after });
      return;
    }
    const key = identityKeys.find((k) => uniquelyKeyed(before, k) && uniquelyKeyed(after, k));
    if (key) {
      const beforeByKey = new Map(before.map((item) => [String((item as Record<string, unknown>)[key]), item]));
      const afterByKey = new Map(after.map((item) => [String((item as Record<string, unknown>)[key]), item]));
      for (const [id, item] of beforeByKey) {
        const child = `${path}[${id}]`;
        if (!afterByKey.has(id)) out.push({ path: child, before: item });
        else collect(item, afterByKey.get(id), child, out);
      }
      for (const [id, item] of afterByKey) if (!beforeByKey.has(id)) out.push({ path: `${path}[${id}]`, after: item });
      return;
    }
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      const child = `${path}[${i}]`;
      if (i >= before.length) out.push({ path: child, after: after[i] });
      else if (i >= after.length) out.push({ path: child, before: before[i] });
      else collect(before[i], after[i], child, out);
    }
    return;
  }
  out.push({ path, before, after });
}

/** `spec.replicas: 1 → 2`, `data["rules.yml"] changed`, `labels.tier added: gold`, `tls_config removed`. */
export function describeFieldChange(change: FieldChange): string {
  const where = change.path || '(whole document)';
  if (!('before' in change)) return `${where} added${shortValue(change.after) !== undefined ? `: ${shortValue(change.after)}` : ''}`;
  if (!('after' in change)) return `${where} removed${shortValue(change.before) !== undefined ? ` (was ${shortValue(change.before)})` : ''}`;
  const before = shortValue(change.before);
  const after = shortValue(change.after);
  return before !== undefined && after !== undefined ? `${where}: ${before} → ${after}` : `${where} changed`;
}

/** At most `limit` field changes, then how many more: a summary line stays readable, the text diff has the rest. */
export function describeFieldChanges(changes: readonly FieldChange[], limit = 5): string {
  const shown = changes.slice(0, limit).map(describeFieldChange);
  if (changes.length > limit) shown.push(`and ${changes.length - limit} more`);
  return shown.join('; ');
}

/** A value as one short line, or undefined when it wouldn't fit on one (the text diff shows it). */
export function shortValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value.includes('\n') || value.length > 80 ? undefined : value === '' ? '""' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every(isScalar)) {
    const text = value.length === 0 ? '[]' : value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
    return text.length > 80 || text.includes('\n') ? undefined : text;
  }
  const json = JSON.stringify(value);
  return json.length > 80 ? undefined : json;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function uniquelyKeyed(items: readonly unknown[], key: string): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    if (!isRecord(item)) return false;
    const id = item[key];
    if (typeof id !== 'string' && typeof id !== 'number') return false;
    if (seen.has(String(id))) return false;
    seen.add(String(id));
  }
  return items.length > 0;
}

function joinPath(path: string, key: string): string {
  const segment = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!path) return segment;
  return segment.startsWith('[') ? `${path}${segment}` : `${path}.${segment}`;
}
