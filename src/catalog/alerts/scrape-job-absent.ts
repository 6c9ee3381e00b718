import { defineAlert } from '../alert-definition.js';
import { scrapeJobNames } from '../absence.js';
import { gauge, selector, type TargetSeries } from '../proof-series.js';

/** The infrastructure jobs whose targets are discovered, so can all vanish (a fixed target can't). */
function discoveredJobs(scraped: { readonly nodeExporterPods: boolean; readonly kubelets: boolean; readonly dcgmPods: boolean }): string[] {
  return [
    ...(scraped.nodeExporterPods ? [scrapeJobNames.nodeExporter] : []),
    ...(scraped.kubelets ? [scrapeJobNames.kubelets] : []),
    ...(scraped.dcgmPods ? [scrapeJobNames.dcgm] : []),
  ];
}

/**
 * Absence of a whole infrastructure job: no target of node-exporter, the kubelets or dcgm-exporter discovered
 * within the window (a DaemonSet deleted or its pod labels changed, RBAC that no longer lets Prometheus list
 * pods or nodes). Every alert over the job's series is silent then, and so is NodeExporterMissing and
 * DcgmExporterMissing, which read the kubelets' job. kubernetes-mixin's `KubeletDown` and kube-prometheus'
 * `NodeExporterDown` (src/catalog/absence.ts); a job whose targets are there but down is ServiceDown's.
 * A service's job is ServiceUnreachable's.
 */
export const scrapeJobAbsent = defineAlert({
  name: 'ScrapeJobAbsent',
  scope: 'infrastructure',
  about: 'No target of a discovered infrastructure job (node-exporter, the kubelets, dcgm-exporter) was discovered within the window: every alert over its series, and the per-node absence alerts that read the kubelets, are blind.',
  defaults: { severity: 'critical', for: '10m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['up'],
  identity: ['job'],
  labelSets: [['job']],
  runbook: 'ScrapeJobAbsent',
  watches: (fleet) => discoveredJobs(fleet.scraped).length > 0,
  rule: ({ window, scraped, infrastructureTeam }) => ({
    expr: discoveredJobs(scraped).map((job) => `absent_over_time(up{job="${job}"}[${window}])`).join('\nor\n'),
    summary: 'Job {{ $labels.job }} has no target',
    description: `Prometheus has discovered no target of job {{ $labels.job }} for ${window} and more: the alerts over its series can't see anything.`,
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'custom',
    wording: {
      breach: 'fires after {for} for every discovered infrastructure job with no target',
      inside: 'stays silent while every job has a target, even one that is down',
    },
    // Past it, no target of any job at all (Prometheus' own is there); inside it, each job has one target, down:
    // a target that is there is ServiceDown's.
    targets: (fleet, side, { steps }) => {
      const jobs = discoveredJobs({ nodeExporterPods: fleet.infrastructure.nodeExporter.kind === 'kubernetes-pods', kubelets: fleet.infrastructure.kubernetesNodes, dcgmPods: fleet.dcgm?.discovery.kind === 'kubernetes-pods' });
      const prometheus: TargetSeries = { series: [{ series: selector('up', { instance: 'localhost:9090', job: 'prometheus' }), values: gauge(1, steps) }], alertLabels: {}, value: 1, fires: false };
      return [prometheus, ...jobs.map((job): TargetSeries => ({
        series: side === 'breach' ? [] : [{ series: selector('up', { instance: 'node-1', job, node: 'node-1' }), values: gauge(0, steps) }],
        alertLabels: { job, team: fleet.infrastructure.team }, value: 1, fires: side === 'breach',
      }))];
    },
  },
});
