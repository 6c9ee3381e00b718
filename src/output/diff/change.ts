/**
 * What `mlmon diff` says about a change, in two forms: a line a reviewer reads, and fields a bot can use.
 */
import { artifactRegistry, type ArtifactRegistry } from '../../render/registry.js';
import { isRecord, type FieldChange } from './structure.js';

export interface Change {
  readonly change: 'added' | 'removed' | 'changed';
  /** What the change is about, stable across runs: `alert HighLatency`, `threshold mlmon:model_min_accuracy:threshold{model="fraud-detector"}`. */
  readonly subject: string;
  /** The line people read: `ModelAccuracyDrop threshold for model fraud-detector: 0.9 → 0.95`. */
  readonly text: string;
  /** The fields that changed, when the change is a change of fields. */
  readonly fields?: readonly ChangedField[];
}

export interface ChangedField {
  readonly field: string;
  /** Absent when the field was added. */
  readonly before?: unknown;
  /** Absent when the field was removed. */
  readonly after?: unknown;
}

/** A generic field change as a summary's field. */
export function asField(change: FieldChange): ChangedField {
  return { field: change.path, ...('before' in change ? { before: change.before } : {}), ...('after' in change ? { after: change.after } : {}) };
}

export type ArtifactKind = 'alert-rules' | 'routing' | 'prometheus' | 'alertmanager' | 'dashboards' | 'kubernetes' | 'logstash' | 'other';

export interface ArtifactSummary {
  readonly artifact: ArtifactKind;
  readonly title: string;
  /** The differing files this summary is about (paths relative to the output folder). */
  readonly files: readonly string[];
  readonly changes: readonly Change[];
}

/**
 * Which summary of `mlmon diff` describes a file: its entry's `diff` describer in the artifact registry
 * (render/registry.ts). A path no entry claims (a file of an older mlmon, or the user's own in a folder
 * without a manifest) is one of the other files.
 */
export function artifactOf(path: string, registry: ArtifactRegistry<string> = artifactRegistry): Exclude<ArtifactKind, 'routing'> {
  const describer = registry.entryFor(path)?.diff;
  return describer === undefined || describer === 'file' ? 'other' : describer;
}

/** `{team="platform"}`, or '' for no labels; keys sorted so the text is stable. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}` : '';
}

/** `a, b and 3 more`: a list that stays one line long. */
export function shortList(items: readonly string[], limit = 5): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

/** The keys of either map, in the order summaries list them. */
export function unionKeys(before: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>, after: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>): string[] {
  const keys = (side: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>) => (side instanceof Map ? [...side.keys()] : Object.keys(side));
  return [...new Set([...keys(before), ...keys(after)])].sort(byText);
}

/** The objects of a parsed YAML list, by the field that names them (`name`, `job_name`). */
export function recordsBy(list: unknown, field: string): Map<string, Record<string, unknown>> {
  return new Map((Array.isArray(list) ? list : []).filter(isRecord).map((item) => [String(item[field]), item]));
}

/** Plain code-unit order: stable across machines and locales, unlike localeCompare. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The items whose text the other side doesn't have (as often), in order: what is on both sides is unchanged
 * and never needs parsing. One pass over each side, indexed by text.
 */
export function textSurplus<T>(before: readonly T[], after: readonly T[], text: (item: T) => string): { onlyBefore: T[]; onlyAfter: T[] } {
  const count = (items: readonly T[]) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(text(item), (counts.get(text(item)) ?? 0) + 1);
    return counts;
  };
  const surplus = (items: readonly T[], other: Map<string, number>) =>
    items.filter((item) => {
      const left = other.get(text(item)) ?? 0;
      if (left === 0) return true;
      other.set(text(item), left - 1);
      return false;
    });
  return { onlyBefore: surplus(before, count(after)), onlyAfter: surplus(after, count(before)) };
}
