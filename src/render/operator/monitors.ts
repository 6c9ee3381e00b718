/**
 * Scrape targets for the Prometheus Operator: a PodMonitor for every job that finds pods (a service's
 * `kubernetesPods` discovery, node-exporter's DaemonSet pods) and a ScrapeConfig for every job with a fixed
 * target list. Each carries the standalone job's own relabelling, rule for rule, so the same pods are kept and
 * dropped and the same address chosen (normalize/scrape-jobs.ts).
 *
 * The operator puts relabelling of its own before ours (pkg/prometheus/promcfg.go, generatePodMonitorConfig, at
 * the version scripts/install-tools.sh pins): it keeps pods not in phase Failed/Succeeded, keeps the selector's
 * labels (none: `selector: {}` selects every pod), then sets `namespace`, `container`, `pod`,
 * `job="<namespace>/<PodMonitor name>"` (and `endpoint` when a port is named; ours never is). Ours run after it,
 * and end by undoing what differs from the standalone series:
 * - `job` goes back to the standalone job's name, which dashboards and `up` queries group by;
 * - `container` is dropped: with it, the targets of one pod's several container ports, which our address
 *   relabelling gives one address, would differ by a label and be scraped once per container instead of once.
 * Then every series carries exactly the standalone labels (test/e2e/operator-live.test.ts proves it with the
 * real Prometheus). The `prometheus` self-scrape and the `kubernetes-nodes` (kubelet) jobs are left out:
 * kube-prometheus-stack scrapes both itself.
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
            relabelings: [...(job.relabelConfigs ?? []).map(relabeling), ...standaloneIdentity(job)],
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

/** The relabellings that give an operator-scraped series the standalone job's labels (see the file comment). */
export function standaloneIdentity(job: ScrapeJob): Relabeling[] {
  return [
    { targetLabel: 'job', replacement: escapeRelabelReplacement(job.name) },
    { action: 'labeldrop', regex: 'container' },
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
