import type { ResolvedInfrastructure, ResolvedService } from './model.js';
import { escapeRelabelReplacement } from '../formats/go-template.js';
import { integrationNamed } from '../catalog/integrations/index.js';
import { modelShardRelabelConfigs, shardLabels, shardOf } from './alert-shards.js';

// In-cluster credentials every pod gets; the kubelet serves metrics over HTTPS and wants a bearer token.
const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

type RelabelConfig = Readonly<Record<string, unknown>>;

/** One job of prometheus.yml's scrape_configs, as the renderer lays it out. */
export interface ScrapeJob {
  readonly name: string;
  readonly kind: 'prometheus' | 'service' | 'node-exporter' | 'kubernetes-nodes' | 'dcgm-exporter';
  readonly scheme?: 'https';
  readonly staticTargets?: readonly string[];
  /** Labels added to every target of a static job. */
  readonly staticLabels?: Readonly<Record<string, string>>;
  readonly kubernetesSd?: { readonly role: 'pod' | 'node'; readonly namespaces?: readonly string[] };
  /** Prometheus relabel_config entries, in Prometheus' own field names. */
  readonly relabelConfigs?: readonly Readonly<Record<string, unknown>>[];
  /** Prometheus metric_relabel_configs entries (applied to every scraped series), in Prometheus' own field names. */
  readonly metricRelabelConfigs?: readonly Readonly<Record<string, unknown>>[];
  /** Prometheus tls_config / authorization fragments, in Prometheus' own field names. */
  readonly tlsConfig?: Readonly<Record<string, unknown>>;
  readonly authorization?: Readonly<Record<string, unknown>>;
}

/**
 * The seed's scrape jobs: Prometheus itself (at `localhost:<prometheusPort>`, the port it listens on), each
 * service, node-exporter and the Kubernetes nodes.
 */
export function buildScrapeJobs(services: readonly ResolvedService[], infra: ResolvedInfrastructure, prometheusPort: number, shards: { readonly model: number; readonly service: number } = { model: 1, service: 1 }): ScrapeJob[] {
  const jobs: ScrapeJob[] = [{ name: 'prometheus', kind: 'prometheus', staticTargets: [`localhost:${prometheusPort}`] }];
  const shardRelabelling = modelShardRelabelConfigs(shards.model);
  for (const service of services) {
    // The shard labels of the per-shard alerts (src/normalize/alert-shards.ts): the service's own, a constant of
    // its job, and each series' model's, from its `model` label.
    const job = serviceJob(service);
    const shardLabelling = [...(shards.service > 1 ? [serviceShardRelabelConfig(service.name, shards.service)] : []), ...shardRelabelling];
    jobs.push(shardLabelling.length ? { ...job, metricRelabelConfigs: [...(job.metricRelabelConfigs ?? []), ...shardLabelling] } : job);
  }
  const nodeExporter = nodeExporterJob(infra);
  if (nodeExporter) jobs.push(nodeExporter);
  if (infra.kubernetesNodes) {
    // The seed scrapes nodes over plain HTTP with no credentials; the kubelet answers that with
    // "Client sent an HTTP request to an HTTPS server". Use HTTPS with the pod's service-account token.
    jobs.push({
      name: 'kubernetes-nodes',
      kind: 'kubernetes-nodes',
      scheme: 'https',
      kubernetesSd: { role: 'node' },
      tlsConfig: { ca_file: `${serviceAccountDir}/ca.crt` },
      authorization: { credentials_file: `${serviceAccountDir}/token` },
      relabelConfigs: [
        { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
        { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
      ],
    });
  }
  return jobs;
}

/**
 * The relabelling every pod-discovery job starts with: keep only targets that can ever answer a scrape.
 *
 * Prometheus' pod discovery hands out one target per container port of every container, init containers
 * included, and one port-less target per container that declares no port; it keeps pods in every phase as
 * long as they have an IP (pkg discovery/kubernetes/pod.go, buildPod). Left in, an evicted (`Failed`) or
 * finished (`Succeeded`) pod is a target with `up == 0` until it is garbage-collected, and ServiceDown pages
 * for it. Pending pods have not started their containers yet; a pod in `Unknown` is kept, because its node
 * stopped reporting and a pod nobody can reach is an outage worth knowing about.
 */
export const scrapablePods: readonly RelabelConfig[] = [
  { source_labels: ['__meta_kubernetes_pod_phase'], action: 'drop', regex: 'Pending|Succeeded|Failed' },
  // No IP, no address (discovery skips these today; the rule keeps it so if that ever changes).
  { source_labels: ['__meta_kubernetes_pod_ip'], action: 'drop', regex: '' },
  // Init containers have exited by the time the pod runs.
  { source_labels: ['__meta_kubernetes_pod_container_init'], action: 'drop', regex: 'true' },
];

/**
 * Sets `__address__` to the pod's IP and the port in `portLabel` (only when that label holds a port number),
 * bracketing an IPv6 address as `[fd00::1]:8080`. Built from `__meta_kubernetes_pod_ip`, not from the
 * discovered address: that one is `[ip]:port` for IPv6 and bare `ip` for a container with no declared port.
 * Every target of one pod then gets the same address and labels, and Prometheus scrapes such duplicates once.
 * A dual-stack pod has one primary IP (`status.podIP`), which is the one discovery reports.
 */
export function podAddress(portLabel: string): RelabelConfig[] {
  return [
    { source_labels: [portLabel, '__meta_kubernetes_pod_ip'], action: 'replace', regex: '(\\d+);([^:]+)', replacement: '$2:$1', target_label: '__address__' },
    { source_labels: [portLabel, '__meta_kubernetes_pod_ip'], action: 'replace', regex: '(\\d+);(.*:.*)', replacement: '[$2]:$1', target_label: '__address__' },
  ];
}

/** A label value that is not a port number: empty, or holding anything but digits. */
const noPortNumber = '(|.*\\D.*)';

const portAnnotation = '__meta_kubernetes_pod_annotation_prometheus_io_port';

/**
 * Which port of a pod is scraped: the `prometheus.io/port` annotation when it holds a number, else the
 * service's `port` (a number, or a container port's name), else none: the pod is not scraped. Discovery makes a
 * target of every declared port, and scraping each would make one target per port of one pod, every port that
 * serves no metrics (gRPC, a sidecar's) a target that is down for ever and a ServiceDown page. A service whose
 * pods name no port has no targets, which ServiceUnreachable reports.
 */
function portRelabelling(port: number | string | undefined): RelabelConfig[] {
  if (typeof port === 'number') {
    const chosen = '__tmp_metrics_port';
    return [
      { target_label: chosen, replacement: String(port) },
      { source_labels: [portAnnotation], action: 'replace', regex: '(\\d+)', target_label: chosen },
      ...podAddress(chosen),
    ];
  }
  const kept: RelabelConfig[] = port === undefined
    ? [{ source_labels: [portAnnotation], action: 'keep', regex: '\\d+' }]
    : [
        // Only the container port of that name; its discovered address is already `ip:port` (`[ip]:port`).
        { source_labels: [portAnnotation, '__meta_kubernetes_pod_container_port_name'], action: 'keep', regex: `\\d+;.*|${noPortNumber};${escapeRegex(port)}` },
      ];
  return [...kept, ...podAddress(portAnnotation)];
}

/**
 * A model server that names the model otherwise than `model` (vLLM's `model_name`) gets it copied to `model` on
 * every scraped series, so its alerts join the per-model threshold series on `model` as the built-ins do.
 */
function integrationRelabelling(service: ResolvedService): Pick<ScrapeJob, 'metricRelabelConfigs'> {
  const from = service.integration && integrationNamed(service.integration.name)?.scrape.modelLabelFrom;
  return from ? { metricRelabelConfigs: [{ source_labels: [from], regex: '(.+)', target_label: 'model', action: 'replace' }] } : {};
}

function serviceJob(service: ResolvedService): ScrapeJob {
  // Every series of a service carries `service="<name>"`, which is what its alerts, thresholds and
  // dashboards join on, whether its targets come from Kubernetes or a static list.
  if (service.discovery.kind === 'static') {
    return { name: service.name, kind: 'service', staticTargets: service.discovery.targets, staticLabels: { service: service.name }, ...integrationRelabelling(service) };
  }
  // Pods of a model server without a port annotation or a configured port are scraped on the server's own.
  const port = service.discovery.port ?? (service.integration && integrationNamed(service.integration.name)?.scrape.port);
  const annotation = (name: 'scrape' | 'path' | 'scheme') => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;
  return {
    name: service.name,
    kind: 'service',
    kubernetesSd: { role: 'pod', namespaces: service.discovery.namespaces },
    relabelConfigs: [
      // The seed's annotation relabelling: only pods annotated prometheus.io/scrape: "true", on the
      // annotated path and port.
      { source_labels: [annotation('scrape')], action: 'keep', regex: 'true' },
      ...scrapablePods,
      ...portRelabelling(port),
      { source_labels: [annotation('path')], action: 'replace', target_label: '__metrics_path__', regex: '(.+)' },
      { source_labels: [annotation('scheme')], action: 'replace', target_label: '__scheme__', regex: '(https?)' },
      // The seed drops pod identity: without these, two pods of one service are told apart only by IP.
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      // A replacement expands $1 and ${name}: `$$` keeps a `$` in the service's name.
      { target_label: 'service', replacement: escapeRelabelReplacement(service.name) },
    ],
    ...integrationRelabelling(service),
  };
}

/**
 * node-exporter: a fixed list of `host:port` targets, or in Kubernetes one target per node, found through the
 * pods of its DaemonSet. Scraping the DaemonSet through a Service would hit a random node on every scrape.
 * `instance` is the node's name, so node alerts keep their identity when the node-exporter pod is replaced.
 */
function nodeExporterJob(infra: ResolvedInfrastructure): ScrapeJob | undefined {
  const found = infra.nodeExporter;
  if (found.kind === 'static') {
    return found.targets.length > 0 ? { name: 'node-exporter', kind: 'node-exporter', staticTargets: found.targets } : undefined;
  }
  const portLabel = '__tmp_node_exporter_port';
  return {
    name: 'node-exporter',
    kind: 'node-exporter',
    kubernetesSd: { role: 'pod', namespaces: [found.namespace] },
    relabelConfigs: [
      // Prometheus turns every character of a label name that is not [a-zA-Z0-9_] into `_`.
      ...Object.entries(found.podLabels).map(([key, value]) => ({
        source_labels: [`__meta_kubernetes_pod_label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`],
        action: 'keep',
        regex: escapeRegex(value),
      })),
      ...scrapablePods,
      { target_label: portLabel, replacement: String(found.port) },
      ...podAddress(portLabel),
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' },
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
    ],
  };
}

/** A literal string as an RE2 pattern (Prometheus anchors relabel regexes itself). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * The service's shard on every series its job scrapes: metric relabelling, not target relabelling, so that
 * `up` and the other series Prometheus writes about the scrape itself stay without it (ServiceDown's alerts would
 * otherwise carry the label).
 */
function serviceShardRelabelConfig(service: string, count: number): Readonly<Record<string, unknown>> {
  return { target_label: shardLabels.service, replacement: shardOf(service, count) };
}
