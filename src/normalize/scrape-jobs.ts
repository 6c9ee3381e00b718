import type { ResolvedInfrastructure, ResolvedService, ScrapeJob } from './model.js';
import { escapeRelabelReplacement } from '../formats/go-template.js';

// In-cluster credentials every pod gets; the kubelet serves metrics over HTTPS and wants a bearer token.
const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The seed's scrape jobs: Prometheus itself, each service, node-exporter and the Kubernetes nodes. */
export function buildScrapeJobs(services: readonly ResolvedService[], infra: ResolvedInfrastructure): ScrapeJob[] {
  const jobs: ScrapeJob[] = [{ name: 'prometheus', kind: 'prometheus', staticTargets: ['localhost:9090'] }];
  for (const service of services) jobs.push(serviceJob(service));
  if (infra.nodeExporterTargets.length > 0) {
    jobs.push({ name: 'node-exporter', kind: 'node-exporter', staticTargets: infra.nodeExporterTargets });
  }
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

function serviceJob(service: ResolvedService): ScrapeJob {
  // Every series of a service carries `service="<name>"`, which is what its alerts, thresholds and
  // dashboards join on, whether its targets come from Kubernetes or a static list.
  if (service.discovery.kind === 'static') {
    return { name: service.name, kind: 'service', staticTargets: service.discovery.targets, staticLabels: { service: service.name } };
  }
  return {
    name: service.name,
    kind: 'service',
    kubernetesSd: { role: 'pod', namespaces: service.discovery.namespaces },
    relabelConfigs: [
      // The seed's annotation relabelling: only pods annotated prometheus.io/scrape: "true", on the
      // annotated path and port.
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], action: 'replace', target_label: '__metrics_path__', regex: '(.+)' },
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scheme'], action: 'replace', target_label: '__scheme__', regex: '(https?)' },
      { source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'], action: 'replace', regex: '([^:]+)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__' },
      // The seed drops pod identity: without these, two pods of one service are told apart only by IP.
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      // A replacement expands $1 and ${name}: `$$` keeps a `$` in the service's name.
      { target_label: 'service', replacement: escapeRelabelReplacement(service.name) },
    ],
  };
}
