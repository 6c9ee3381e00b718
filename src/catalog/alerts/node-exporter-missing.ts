import { defineAlert } from '../alert-definition.js';
import { kubeletNodes, scrapeJobNames, seenWithin } from '../absence.js';
import { gauge, selector, type TargetSeries } from '../proof-series.js';

/**
 * A node without node-exporter: its kubelet is scraped, its node-exporter target is gone (the pod evicted, stuck
 * Pending, or the DaemonSet no longer matching the node). HighCPUUsage, HighMemoryUsage and DiskSpaceLow read
 * nothing of that node then, and ServiceDown has no `up == 0` to see. The kubelets are the list of nodes
 * (src/catalog/absence.ts); a node whose kubelet is down too is ServiceDown's (the kubelet's target), and a node
 * that is gone takes both away. Only with node-exporter found through Kubernetes and the kubelets scraped; the
 * whole job gone is ScrapeJobAbsent.
 *
 * Labelled `node`, not `instance`: the default inhibit rules pair alerts by `instance`, and this one is about
 * the node's exporter, not the node, so a critical on it must not mute the node's other warnings.
 */
export const nodeExporterMissing = defineAlert({
  name: 'NodeExporterMissing',
  scope: 'infrastructure',
  about: 'A node whose kubelet is scraped had no node-exporter target within the window (the pod evicted, stuck Pending, or not scheduled on the node): the node alerts are blind to it.',
  defaults: { severity: 'critical', for: '10m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['up'],
  identity: ['node'],
  labelSets: [['node']],
  runbook: 'NodeExporterMissing',
  watches: (fleet) => fleet.scraped.nodeExporterPods && fleet.scraped.kubelets,
  rule: ({ window, infrastructureTeam }) => ({
    expr: `${kubeletNodes(window)}\n  unless on (node)\n${seenWithin(`up{job="${scrapeJobNames.nodeExporter}"}`, window)}`,
    summary: 'node-exporter is missing on node {{ $labels.node }}',
    description: `Node {{ $labels.node }} has had no node-exporter target for ${window} and more while its kubelet answers: its node alerts can't see it.`,
    labels: { team: infrastructureTeam, job: scrapeJobNames.nodeExporter },
  }),
  proof: {
    kind: 'custom',
    wording: {
      breach: 'fires after {for} for a node whose kubelet answers and whose node-exporter target is gone',
      inside: 'stays silent while every node with a kubelet has its node-exporter target',
    },
    // node-1 loses its exporter past it. Silent on both sides: node-2 with its exporter down (ServiceDown's),
    // node-3 whose kubelet is down too (a node not ready is the kubelet's ServiceDown).
    targets: (fleet, side, { steps }) => {
      const up = (job: string, node: string, value: number) => ({ series: selector('up', { instance: node, job, node }), values: gauge(value, steps) });
      const { kubelets, nodeExporter } = scrapeJobNames;
      return [
        { series: [up(kubelets, 'node-1', 1), ...(side === 'breach' ? [] : [up(nodeExporter, 'node-1', 1)])], alertLabels: { node: 'node-1' }, value: 1, fires: side === 'breach' },
        { series: [up(kubelets, 'node-2', 1), up(nodeExporter, 'node-2', 0)], alertLabels: {}, value: 1, fires: false },
        { series: [up(kubelets, 'node-3', 0)], alertLabels: {}, value: 1, fires: false },
      ] satisfies TargetSeries[];
    },
  },
});
