/**
 * `mlmon diff`: what a config change will change in the deployed stack, said the way a reviewer thinks of it
 * (alerts, thresholds, routes, scrape jobs, dashboards, Kubernetes objects, Logstash plugins), then as a
 * unified diff of the files.
 *
 * Only files whose text differs are looked at, and within the large ones (a fleet's thresholds) only the
 * rules or documents whose text differs are parsed; everything is matched through maps keyed by identity.
 */
import type { RenderedFile } from '../render/artifact.js';
import { diffAlertmanager } from './diff/alertmanager.js';
import { artifactOf, type ArtifactKind, type ArtifactSummary, type Change } from './diff/change.js';
import { OutputSide } from './diff/side.js';
import { diffDashboards } from './diff/dashboards.js';
import { diffKubernetes } from './diff/kubernetes.js';
import { diffLogstash } from './diff/logstash.js';
import { unifiedPatch, type PatchLabels } from './diff/patch.js';
import { diffPrometheusConfig } from './diff/prometheus.js';
import { diffRouting, externalLabelsOf, readRouteTree } from './diff/routing.js';
import { readRuleSets, type RuleSets } from './diff/rule-reading.js';
import { diffRules } from './diff/rules.js';
import { artifactRegistry, type ArtifactRegistry } from '../render/registry.js';
import { compareOutput, type HandEdit } from './compare.js';
import type { OutputSnapshot } from './read-output.js';

export type { ArtifactSummary, Change } from './diff/change.js';
export type { HandEdit } from './compare.js';

export interface FileDifference {
  /** Relative to the output folder. */
  readonly path: string;
  readonly status: 'added' | 'removed' | 'changed';
  readonly patch: string;
}

export interface OutputDiff {
  /** Per artifact, in a fixed order; artifacts without changes are left out. */
  readonly summary: readonly ArtifactSummary[];
  readonly files: readonly FileDifference[];
  /** Generated files someone edited by hand since mlmon wrote them. */
  readonly handEdits: readonly HandEdit[];
  /** The manifest (.mlmon-manifest.json) is missing (`added`) or out of date (`changed`): the next generate rewrites it. */
  readonly manifest: 'added' | 'changed' | undefined;
  /** Any file differs, a generated file was edited by hand, or the manifest is not what generate would write: `generate --check` fails exactly then. */
  readonly different: boolean;
}

const titles: Record<ArtifactKind, string> = {
  'alert-rules': 'Alerts and thresholds',
  routing: 'Alert routing (which receivers each alert reaches)',
  prometheus: 'Prometheus (scrape jobs and settings)',
  alertmanager: 'Alertmanager (receivers, routes and settings)',
  dashboards: 'Grafana dashboards',
  kubernetes: 'Kubernetes objects',
  logstash: 'Logstash pipelines',
  other: 'Other files',
};
const order = Object.keys(titles) as ArtifactKind[];

/**
 * Compares an output folder (or out/ at a git ref) with freshly generated files: the comparison `generate`
 * and `generate --check` make (output/compare.ts), described for a reviewer.
 */
export function diffOutput(before: OutputSnapshot, generated: readonly RenderedFile[], labels: PatchLabels, registry: ArtifactRegistry<string> = artifactRegistry): OutputDiff {
  // Describing a change takes the text it changed from: a snapshot of digests (generate's) can't be described.
  if (before.holds === 'sha256') throw new Error(`diffOutput needs the text of ${before.label}, not only its digests`);
  const comparison = compareOutput(before, generated, registry);
  const differing = comparison.differences.map(({ path, status }) => ({ path, status }));
  const kindOf = (path: string) => artifactOf(path, registry);
  const summary = summarize(new OutputSide(comparison.current, 'before'), new OutputSide(comparison.generated, 'after'), differing, kindOf);
  const files = differing.map(({ path, status }) => ({ path, status, patch: unifiedPatch(path, comparison.current.get(path), comparison.generated.get(path), labels) }));
  return { summary, files, handEdits: comparison.handEdits, manifest: comparison.manifestStatus, different: !comparison.upToDate };
}

function summarize(before: OutputSide, after: OutputSide, differing: readonly { path: string; status: FileDifference['status'] }[], kindOf: (path: string) => Exclude<ArtifactKind, 'routing'>): ArtifactSummary[] {
  const pathsOf = new Map<ArtifactKind, string[]>();
  for (const { path } of differing) {
    const kind = kindOf(path);
    pathsOf.set(kind, [...(pathsOf.get(kind) ?? []), path]);
  }
  const changes = new Map<ArtifactKind, Change[]>();
  const add = (kind: ArtifactKind, list: readonly Change[]) => {
    if (list.length) changes.set(kind, [...(changes.get(kind) ?? []), ...list]);
  };

  let rules: RuleSets | undefined;
  const ruleSets = () => (rules ??= readRuleSets(before, after, (path) => kindOf(path) === 'alert-rules'));
  if (pathsOf.has('alert-rules')) add('alert-rules', diffRules(ruleSets()));

  // Receivers can change because the routes changed, the alerts changed (a new severity or team), or the
  // external labels every alert carries changed.
  let deliveryChanged = false;
  if (pathsOf.has('alertmanager') || pathsOf.has('alert-rules') || pathsOf.has('prometheus')) {
    const routeOf = (side: OutputSide) => {
      const parsed = side.yaml('alertmanager/alertmanager.yml');
      return parsed.ok ? readRouteTree(parsed.value) : undefined;
    };
    const routing = diffRouting({ route: routeOf(before), externalLabels: externalLabelsOf(before) }, { route: routeOf(after), externalLabels: externalLabelsOf(after) }, ruleSets());
    deliveryChanged = routing.length > 0;
    add('routing', routing);
  }
  if (pathsOf.has('prometheus')) add('prometheus', diffPrometheusConfig(before, after));
  if (pathsOf.has('alertmanager')) add('alertmanager', diffAlertmanager(before, after, deliveryChanged));
  if (pathsOf.has('dashboards')) add('dashboards', diffDashboards(before, after, pathsOf.get('dashboards')!));
  if (pathsOf.has('kubernetes')) add('kubernetes', diffKubernetes(before, after, pathsOf.get('kubernetes')!));
  if (pathsOf.has('logstash')) add('logstash', diffLogstash(before, after, pathsOf.get('logstash')!));
  add('other', differing.filter((d) => kindOf(d.path) === 'other').map(({ path, status }) => ({ change: status, subject: `file ${path}`, text: `${path} ${status}` })));

  return order
    .filter((kind) => changes.has(kind))
    .map((kind) => ({ artifact: kind, title: titles[kind], files: kind === 'routing' ? [...(pathsOf.get('alertmanager') ?? []), ...(pathsOf.get('alert-rules') ?? [])] : pathsOf.get(kind) ?? [], changes: changes.get(kind)! }));
}
