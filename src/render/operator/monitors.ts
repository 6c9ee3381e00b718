/**
 * Scrape targets for the Prometheus Operator: a PodMonitor for every job that finds pods (a service's
 * `kubernetesPods` discovery, the DaemonSet pods of node-exporter and dcgm-exporter) and a ScrapeConfig for every
 * job with a fixed target list. Each carries the standalone job's own relabelling, rule for rule, so the same pods are kept and
 * dropped and the same address chosen (normalize/scrape-jobs.ts).
 *
 * The operator puts relabelling of its own before ours (pkg/prometheus/promcfg.go, generatePodMonitorConfig, at
 * the version scripts/install-tools.sh pins): it keeps pods not in phase Failed/Succeeded, keeps the selector's
 * labels (none: `selector: {}` selects every pod), then sets `namespace`, `container`, `pod`,
 * `job="<namespace>/<PodMonitor name>"` (and `endpoint` when a port is named; ours never is). Ours undo that
 * first and last, so that the standalone job's relabelling runs on what it runs on standalone:
 * - first, `namespace`, `container` and `pod` are dropped, and set again only by a job whose standalone
 *   relabelling sets them (a service's, from the same pod). A job that sets none (node-exporter, dcgm-exporter)
 *   would otherwise carry its exporter pod's name: a node's alerts would be keyed by a pod that a rollout
 *   replaces, and dcgm-exporter's own `pod`/`namespace` (the workload a GPU is lent to, which
 *   GpuIdleWhileRequestsQueue joins on) would be renamed `exported_pod`/`exported_namespace` at the scrape
 *   (honor_labels is false). With no such target label, the exporter's own labels are stored as it exports
 *   them, and a GPU lent to no pod has no `pod` at all. Without `container`, the targets of one pod's several
 *   container ports, which our address relabelling gives one address, are scraped once, not once per container;
 * - last, `job` goes back to the standalone job's name, which dashboards and `up` queries group by.
 * Then every series of every job carries exactly the standalone labels (test/e2e/operator-live.test.ts proves it
 * with the real Prometheus, for service, node-exporter and dcgm-exporter jobs). The `prometheus` self-scrape and
 * the `kubernetes-nodes` (kubelet) jobs are left out: kube-prometheus-stack scrapes both itself.
 */
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IScrapeConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/ScrapeConfig';
import type { MonitoringModel, ScrapeJob } from '../../normalize/model.js';
import { escapeRelabelReplacement } from '../../formats/go-template.js';
import { objectName } from './names.js';

type Relabeling = NonNullable<NonNullable<IPodMonitor['spec']['podMetricsEndpoints']>[number]['relabelings']>[number];

/** The PodMonitors and ScrapeConfigs of the model's scrape jobs, in job order. */
export function scrapeObjects(model: MonitoringModel, labels: Readonly<Record<string, string>>): (IPodMonitor | IScrapeConfig)[] {
  const objects: (IPodMonitor | IScrapeConfig)[] = [];
  for (const job of model.scrapeJobs) {
    if (job.kind === 'prometheus' || job.kind === 'kubernetes-nodes') continue;
    const metadata = { name: objectName(job.name), labels: { ...labels } };
    if (job.kubernetesSd?.role === 'pod') {
      const namespaces = job.kubernetesSd.namespaces;
      objects.push({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata,
        spec: {
          namespaceSelector: namespaces?.length ? { matchNames: [...namespaces] } : { any: true },
          selector: {},
          // The config's scrape interval, not the cluster Prometheus' own: the rules' windows are sized for it.
          podMetricsEndpoints: [{
            interval: model.prometheus.scrapeInterval,
            relabelings: standaloneIdentity(job),
            // A model server's `model_name` copied to `model`, the signal groups' shard labels: the series must
            // read as the standalone job's do, or the alerts lose them.
            ...metricRelabelings(job),
          }],
        },
      });
    } else if (job.staticTargets) {
      objects.push({
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'ScrapeConfig',
        metadata,
        spec: {
          scrapeInterval: model.prometheus.scrapeInterval,
          staticConfigs: [{ targets: [...job.staticTargets], ...(job.staticLabels ? { labels: { ...job.staticLabels } } : {}) }],
          // The operator sets job="scrapeConfig/<namespace>/<name>" for these (generateScrapeConfig).
          relabelings: [{ targetLabel: 'job', replacement: escapeRelabelReplacement(job.name) }],
          ...metricRelabelings(job),
        },
      });
    }
  }
  return objects;
}

/** The labels the operator sets on every PodMonitor target before our relabelling runs (see the file comment). */
export const operatorPodLabels = ['namespace', 'container', 'pod'] as const;

/**
 * The PodMonitor's relabellings: the operator's pod labels dropped, the standalone job's relabelling rule for
 * rule, and the standalone `job` (see the file comment).
 */
export function standaloneIdentity(job: ScrapeJob): Relabeling[] {
  return [
    { action: 'labeldrop', regex: operatorPodLabels.join('|') },
    ...(job.relabelConfigs ?? []).map(relabeling),
    { targetLabel: 'job', replacement: escapeRelabelReplacement(job.name) },
  ];
}

/** The job's metric_relabel_configs as the operator's `metricRelabelings`, when it has any. */
function metricRelabelings(job: ScrapeJob): { metricRelabelings?: Relabeling[] } {
  return job.metricRelabelConfigs?.length ? { metricRelabelings: job.metricRelabelConfigs.map(relabeling) } : {};
}

const fieldNames: Readonly<Record<string, keyof Relabeling>> = {
  source_labels: 'sourceLabels', target_label: 'targetLabel', regex: 'regex', replacement: 'replacement',
  action: 'action', separator: 'separator', modulus: 'modulus',
};

/** A Prometheus relabel_config (snake_case) as the operator's RelabelConfig (camelCase). */
function relabeling(config: Readonly<Record<string, unknown>>): Relabeling {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const field = fieldNames[key];
    if (!field) throw new Error(`relabel field ${key} has no PodMonitor equivalent`);
    out[field] = Array.isArray(value) ? [...value] : value;
  }
  return out as Relabeling;
}
