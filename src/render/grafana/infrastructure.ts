/**
 * Infrastructure: CPU, memory, disk and network per node (node-exporter), pods and containers per node
 * (kubelet), and scrape targets that are down. Each panel computes what its alert computes.
 */
import { realFilesystems } from '../../catalog/alerts/disk-space-low.js';
import type { MonitoringModel } from '../../normalize/model.js';
import { drawAlertThresholds, enabledAlert } from './alert-thresholds.js';
import { gpuSection } from './dcgm.js';
import { datasourceVariable, labelVariable, type DashboardSpec } from './dashboard.js';
import type { PanelDraft, Section } from './panels.js';
import { rate, selector } from './queries.js';


export function infrastructureDashboard(model: MonitoringModel): DashboardSpec {
  const instance = 'instance=~"$instance"';
  const downAlert = enabledAlert(model, 'ServiceDown');

  const nodePanels: PanelDraft[] = !model.scrapeJobs.some((job) => job.kind === 'node-exporter') ? [] : [
    {
      kind: 'timeseries', title: 'CPU usage per node', w: 12, h: 8, unit: 'percent', min: 0, max: 100,
      description: `Share of CPU time not idle, averaged over all CPUs of each node.`,
      queries: [{ expr: `100 * (1 - avg by (instance) (${rate('node_cpu_seconds_total', ['mode="idle"', instance])}))`, legend: '{{instance}}' }],
    },
    {
      kind: 'timeseries', title: 'Memory usage per node', w: 12, h: 8, unit: 'percent', min: 0, max: 100,
      description: `Share of memory not available to new processes (page cache counts as available).`,
      queries: [{ expr: `100 * (1 - ${selector('node_memory_MemAvailable_bytes', [instance])} / ${selector('node_memory_MemTotal_bytes', [instance])})`, legend: '{{instance}}' }],
    },
    {
      kind: 'timeseries', title: 'Disk space free per filesystem', w: 12, h: 8, unit: 'percent', min: 0, max: 100,
      description: `Free space left to non-root users on each real filesystem of each node.`,
      queries: [{
        expr: `100 * ${selector('node_filesystem_avail_bytes', [realFilesystems, instance])} / ${selector('node_filesystem_size_bytes', [realFilesystems, instance])}`,
        legend: '{{instance}} {{mountpoint}}',
      }],
    },
    {
      kind: 'timeseries', title: 'Network I/O per node', w: 12, h: 8, unit: 'Bps',
      description: 'Bytes per second received and transmitted by each node, over all interfaces except loopback.',
      queries: [
        { expr: `sum by (instance) (${rate('node_network_receive_bytes_total', ['device!="lo"', instance])})`, legend: '{{instance}} received' },
        { expr: `sum by (instance) (${rate('node_network_transmit_bytes_total', ['device!="lo"', instance])})`, legend: '{{instance}} transmitted' },
      ],
    },
  ];

  const kubeletPanels: PanelDraft[] = !model.infrastructure.kubernetesNodes ? [] : [
    {
      kind: 'timeseries', title: 'Pods running per node', w: 8, h: 8, unit: 'short', decimals: 0,
      description: 'Pods the kubelet of each Kubernetes node reports running.',
      queries: [{ expr: 'sum by (node) (kubelet_running_pods)', legend: '{{node}}' }],
    },
    {
      kind: 'timeseries', title: 'Containers by state', w: 8, h: 8, unit: 'short', decimals: 0,
      description: 'Containers on all Kubernetes nodes by state (running, exited, created, unknown): a rising exited count means crashing pods.',
      queries: [{ expr: 'sum by (container_state) (kubelet_running_containers)', legend: '{{container_state}}' }],
    },
  ];

  const targetsPanel: PanelDraft = {
    kind: 'stat', title: 'Scrape targets down', w: 8, h: 8, unit: 'short', redFrom: 1,
    description: `Targets Prometheus failed to scrape last time, over every job.${downAlert ? ` ${downAlert.name} (${downAlert.severity}) fires for a target down for ${downAlert.for}.` : ''}`,
    query: { expr: 'count(up == 0) or vector(0)', legend: 'down' },
  };

  const sections: Section[] = [
    { title: 'Nodes', panels: nodePanels },
    { title: 'Cluster', panels: [...kubeletPanels, targetsPanel] },
    ...gpuSection(model),
  ];
  return drawAlertThresholds({
    uid: 'mlmon-infrastructure',
    title: 'Infrastructure',
    description: 'Nodes and the Kubernetes cluster, with the thresholds of the infrastructure alerts.',
    tags: ['infrastructure'],
    variables: [
      datasourceVariable(model.grafana),
      labelVariable('instance', 'Node', 'label_values(node_cpu_seconds_total, instance)', true),
    ],
    sections,
  }, model, { dashboard: 'infrastructure', whose: 'the' });
}

