/**
 * Holds one scrape to the metric contract: missing metrics and labels, wrong types, names of another version
 * of an integration's server, histograms without the boundaries the config's SLOs and thresholds read, and
 * model label values the alerts' joins would drop. Check ids are documented in docs/checks.md.
 */
import { didYouMean } from '../config/did-you-mean.js';
import { formatNumber } from '../formats/decimal.js';
import type { Problem } from '../problems.js';
import type { MetricContract, MetricGroup } from './contract.js';
import type { ExposedFamily } from './exposition.js';
import { compareVersions, recogniseIntegrations } from './integrations.js';
import type { IntegrationDefinition } from '../catalog/integrations/integration.js';

/** Every problem id check-metrics reports (docs/checks.md has a heading for each; a docs test holds it so). */
export const checkMetricsProblemIds = [
  'metrics/unreachable', 'metrics/unparsable', 'metrics/no-known-metrics', 'metrics/missing-metric', 'metrics/missing-label', 'metrics/wrong-type',
  'metrics/no-series', 'metrics/renamed', 'metrics/missing-bucket', 'metrics/empty-join-label', 'metrics/model-label-mismatch',
] as const;

/** Labels that are about the series' shape, not the instrumentation's: never expected, never missing. */
const structuralLabels = new Set(['le', 'quantile']);

/**
 * The problems of one scrape (`source`: its URL or file, the problems' artifact). Only the groups the endpoint
 * exports at least one metric of are expected: a vLLM server is not asked for `predictions_total`.
 * `known` is every integration mlmon has, to name a server the config doesn't enable.
 */
export function checkExposition(source: string, families: readonly ExposedFamily[], contract: MetricContract, known: readonly IntegrationDefinition[]): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map(families.map((f) => [f.name, f]));
  const names = new Set(byName.keys());
  const renamedAway = new Set<string>();

  // Names that belong to another version of an enabled integration's server.
  for (const integration of contract.integrations) {
    const { definition, version, path } = integration;
    for (const rename of definition.renames) {
      const declaredIsNew = compareVersions(version, rename.inVersion) >= 0;
      if (declaredIsNew && names.has(rename.from)) {
        if (rename.to) renamedAway.add(rename.to);
        problems.push({
          id: 'metrics/renamed', severity: 'error', artifact: source, object: rename.from, path: `${path}.version`, value: version,
          message: rename.to
            ? `\`${rename.from}\` was renamed to \`${rename.to}\` in ${definition.name} ${rename.inVersion}; the endpoint exports the old name, so it runs an older ${definition.name} than the config's ${version}, and the alerts on \`${rename.to}\` see nothing`
            : `\`${rename.from}\` was removed in ${definition.name} ${rename.inVersion}; the endpoint still exports it, so it runs an older ${definition.name} than the config's ${version}`,
          allowed: definition.versions.join(', '),
          hint: `set ${path}.version to the version the server runs (older than ${rename.inVersion}), or upgrade the server; see ${rename.source}`,
        });
      } else if (!declaredIsNew && rename.to && names.has(rename.to) && !names.has(rename.from)) {
        renamedAway.add(rename.from);
        problems.push({
          id: 'metrics/renamed', severity: 'error', artifact: source, object: rename.to, path: `${path}.version`, value: version,
          message: `\`${rename.from}\` was renamed to \`${rename.to}\` in ${definition.name} ${rename.inVersion}; the endpoint exports the new name, so it runs ${definition.name} ${rename.inVersion} or newer, not the config's ${version}, and the alerts on \`${rename.from}\` see nothing`,
          allowed: definition.versions.join(', '),
          hint: `set ${path}.version to the version the server runs (${rename.inVersion} or newer); see ${rename.source}`,
        });
      }
    }
  }

  const present = contract.groups.filter((group) => group.metrics.some((m) => names.has(m.name)) || isRenamedGroup(group, names));
  if (present.length === 0) {
    const recognised = recogniseIntegrations(names, known);
    problems.push({
      id: 'metrics/no-known-metrics', severity: 'error', artifact: source,
      message: `${source} exports none of the metrics the config expects (${families.length} famil${families.length === 1 ? 'y' : 'ies'} scraped)`,
      hint: recognised.length
        ? `it looks like ${recognised.map((r) => `${r.definition.name} ${r.version}`).join(', ')}: enable ${recognised.map((r) => (r.definition.scope === 'service' ? `services.<service>.integration.${r.definition.name}` : `infrastructure.gpus.${r.definition.name}`)).join(', ')} in the config`
        : 'is this the right endpoint? `mlmon instrument` writes the application metrics the alerts read',
    });
    return problems;
  }

  for (const group of present) {
    for (const expected of group.metrics) {
      const family = byName.get(expected.name);
      const where = group.integration ? `${group.integration.definition.name} ${group.integration.version}` : group.name === 'config' ? 'the config\'s `metrics`' : `the ${group.name} metrics`;
      if (!family) {
        if (renamedAway.has(expected.name)) continue;
        problems.push({
          id: 'metrics/missing-metric', severity: 'error', artifact: source, object: expected.name,
          ...(group.integration ? { path: `${group.integration.path}.version`, value: group.integration.version } : group.name === 'config' ? { path: `metrics` } : {}),
          message: `${expected.name} (${expected.type}, of ${where}) is not exported by ${source}`,
          ...(didYouMean(expected.name, names) ? { hint: `did you mean ${didYouMean(expected.name, names)}? The alerts read ${expected.name}` } : { hint: group.name === 'application' ? 'export it (`mlmon instrument` writes the module that does), or the alerts that read it never fire' : 'the alerts that read it never fire without it' }),
        });
        continue;
      }
      if (family.type !== expected.type) {
        problems.push({ id: 'metrics/wrong-type', severity: 'error', artifact: source, object: expected.name, value: family.type, allowed: expected.type, message: `${expected.name} is a ${family.type} on ${source}; the alerts read it as a ${expected.type} (${where})`, hint: expected.type === 'histogram' ? 'rate(…_bucket) and histogram_quantile need a histogram' : `export it as a ${expected.type}` });
        continue;
      }
      if (family.series.length === 0) {
        problems.push({ id: 'metrics/no-series', severity: 'warning', artifact: source, object: expected.name, message: `${expected.name} has no series yet on ${source}, so its labels${expected.type === 'histogram' ? ' and buckets' : ''} cannot be checked`, hint: 'scrape again after the service has handled some traffic' });
        continue;
      }
      const exposedLabels = new Set(family.series.flatMap((s) => Object.keys(s.labels)));
      for (const label of expected.labels) {
        if (structuralLabels.has(label)) continue;
        const missingOn = family.series.filter((s) => !(label in s.labels)).length;
        if (missingOn > 0) {
          const guess = didYouMean(label, [...exposedLabels].filter((l) => !expected.labels.includes(l)));
          problems.push({ id: 'metrics/missing-label', severity: 'error', artifact: source, object: expected.name, value: [...exposedLabels].sort(), allowed: expected.labels.join(', '), message: `${expected.name} has no \`${label}\` label on ${missingOn} of ${family.series.length} series; the alerts group and join by it`, ...(guess ? { hint: `did you mean ${guess}? rename the label to ${label}` } : {}) });
        }
      }
      problems.push(...joinLabelProblems(source, family, group, contract.models));
    }
  }

  // Histograms without the boundaries the config's SLOs and thresholds read.
  for (const required of contract.requiredBuckets) {
    const family = byName.get(required.metric);
    if (!family || family.type !== 'histogram' || family.series.length === 0) continue;
    const boundaries = [...new Set(family.series.flatMap((s) => Object.keys(s.buckets ?? {})))].map(Number).filter(Number.isFinite).sort((a, b) => a - b);
    const fine = required.kind === 'at-least' ? boundaries.some((b) => b >= required.seconds) : boundaries.includes(required.seconds);
    if (fine) continue;
    const target = formatNumber(required.seconds);
    problems.push({
      id: 'metrics/missing-bucket', severity: 'error', artifact: source, object: required.metric, path: required.path, value: boundaries, allowed: required.kind === 'at-least' ? `a finite bucket at or above ${target}` : `a bucket with le="${target}"`,
      message: required.kind === 'exact'
        ? `${required.metric} has no bucket boundary at ${target} s, which ${required.path} counts good events from`
        : required.kind === 'declared'
          ? `${required.metric} has no bucket boundary at ${target}, one of the buckets its catalog entry declares (${required.path}): the alerts and proofs on it assume them`
          : `${required.metric}'s highest finite bucket is ${formatNumber(boundaries[boundaries.length - 1] ?? 0)} s, below the ${target} s threshold of ${required.path}: histogram_quantile never returns more, so the alert can never fire`,
      hint: required.kind === 'declared'
        ? `does the server run the version the config declares? Otherwise export the declared buckets`
        : `add ${target} to the histogram's buckets (and to the config's \`metrics\` entry for ${required.metric})`,
    });
  }
  return problems;
}

/** True when the endpoint exports an old name of one of the group's metrics (a server older than declared). */
function isRenamedGroup(group: MetricGroup, names: ReadonlySet<string>): boolean {
  return group.integration?.definition.renames.some((r) => names.has(r.from) || (r.to !== undefined && names.has(r.to))) ?? false;
}

/**
 * Model label values the alerts can't join on: empty (Prometheus treats `model=""` as no label, so the series
 * falls out of every `by (model)` and `on (model)`), and a spelling of a listed model that differs only in case
 * or surrounding spaces (it joins with nothing, so the model's thresholds and team never apply).
 */
function joinLabelProblems(source: string, family: ExposedFamily, group: MetricGroup, models: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const listed = new Set(models);
  for (const label of group.modelLabels) {
    const values = family.series.filter((s) => label in s.labels).map((s) => s.labels[label]!);
    const empty = values.filter((v) => v.trim() === '').length;
    if (empty > 0) {
      problems.push({ id: 'metrics/empty-join-label', severity: 'error', artifact: source, object: family.name, value: '', message: `${family.name} has ${empty} series with an empty \`${label}\` label; Prometheus drops an empty label, so they fall out of every per-model alert and join`, hint: `set ${label} to the model's name where the metric is observed` });
    }
    for (const value of [...new Set(values)].sort()) {
      if (value.trim() === '' || listed.has(value)) continue;
      const normalized = value.trim().toLowerCase();
      const match = models.find((m) => m.toLowerCase() === normalized);
      if (match) {
        problems.push({ id: 'metrics/model-label-mismatch', severity: 'warning', artifact: source, object: family.name, value, allowed: models.join(', '), message: `${family.name}{${label}=${JSON.stringify(value)}} does not match the config's model ${JSON.stringify(match)}: the model's thresholds, team and routing never apply to it`, hint: `did you mean ${match}? export ${label}="${match}"` });
      }
    }
  }
  return problems;
}
