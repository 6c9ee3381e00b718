/**
 * prometheus.yml: scrape jobs by `job_name` (added, removed, and which of their fields changed), then any
 * other setting (scrape interval, external labels, rule files, Alertmanager targets) field by field.
 */
import { asField, type Change, unionKeys, recordsBy } from './change.js';
import { unreadable, type OutputSide } from './side.js';
import { describeFieldChanges, fieldChanges, isRecord } from './structure.js';

const path = 'prometheus/prometheus.yml';

export function diffPrometheusConfig(before: OutputSide, after: OutputSide): Change[] {
  const old = before.yaml(path);
  const now = after.yaml(path);
  if (!old.ok) return [unreadable(path, before, old.error, 'YAML')];
  if (!now.ok) return [unreadable(path, after, now.error, 'YAML')];
  const a = isRecord(old.value) ? old.value : {};
  const b = isRecord(now.value) ? now.value : {};
  const changes = diffScrapeJobs(a.scrape_configs, b.scrape_configs);
  if (!before.files.has(path)) return [{ change: 'added', subject: `file ${path}`, text: `${path} added` }, ...changes];
  if (!after.files.has(path)) return [{ change: 'removed', subject: `file ${path}`, text: `${path} removed` }, ...changes];
  for (const key of unionKeys(a, b)) {
    if (key === 'scrape_configs') continue;
    for (const change of fieldChanges(a[key], b[key], key)) {
      changes.push({ change: 'changed', subject: `setting ${change.path}`, text: describeFieldChanges([change]), fields: [asField(change)] });
    }
  }
  return changes;
}

function diffScrapeJobs(before: unknown, after: unknown): Change[] {
  const byName = (list: unknown) => recordsBy(list, 'job_name');
  const old = byName(before);
  const now = byName(after);
  const changes: Change[] = [];
  for (const name of unionKeys(old, now)) {
    const a = old.get(name);
    const b = now.get(name);
    const subject = `scrape job ${name}`;
    if (!a) changes.push({ change: 'added', subject, text: `scrape job ${name} added (${discoveryOf(b!)})` });
    else if (!b) changes.push({ change: 'removed', subject, text: `scrape job ${name} removed` });
    else {
      const fields = fieldChanges(a, b);
      if (fields.length) changes.push({ change: 'changed', subject, text: `scrape job ${name}: ${describeFieldChanges(fields)}`, fields: fields.map(asField) });
    }
  }
  return changes;
}

/** How the job finds its targets: `static: a:1, b:2` or `kubernetes pod discovery`. */
function discoveryOf(job: Record<string, unknown>): string {
  const targets = (Array.isArray(job.static_configs) ? job.static_configs : []).filter(isRecord).flatMap((c) => (Array.isArray(c.targets) ? c.targets.map(String) : []));
  const sd = Object.keys(job).filter((k) => k.endsWith('_sd_configs'));
  const parts = [
    ...(targets.length ? [`static targets ${targets.join(', ')}`] : []),
    ...sd.map((k) => {
      const roles = (Array.isArray(job[k]) ? job[k] : []).filter(isRecord).map((c) => c.role).filter((r) => r !== undefined);
      return `${k.replace(/_sd_configs$/, '')} discovery${roles.length ? ` (${roles.join(', ')})` : ''}`;
    }),
  ];
  return parts.join('; ') || 'no targets';
}
