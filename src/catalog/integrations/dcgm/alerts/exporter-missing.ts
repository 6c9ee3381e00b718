import { defineAlert } from '../../../alert-definition.js';
import { kubeletNodes, scrapeJobNames, seenLookback, seenWithin } from '../../../absence.js';
import { gauge, selector, type TargetSeries } from '../../../proof-series.js';

/**
 * A GPU node that lost its dcgm-exporter: the node is there (its kubelet answers), it had a dcgm-exporter
 * target within `seenLookback`, and has none within the window (the pod evicted, stuck Pending, the DaemonSet
 * no longer matching the node). Every GPU alert of the node is silent then; GpuFatalXid above all. Not every
 * node has GPUs, so the nodes that should have the exporter are those that had it: dcgm-exporter's DaemonSet
 * runs only where the GPU Operator or its nodeSelector puts it (https://github.com/NVIDIA/dcgm-exporter,
 * deployment/values.yaml; the GPU Operator's `nvidia.com/gpu.deploy.dcgm-exporter` label), a choice mlmon
 * can't see. A node scaled away takes its kubelet with it and is not missed. The whole job gone is
 * ScrapeJobAbsent; a target there but down, ServiceDown.
 *
 * Labelled `node`, not `instance`, as NodeExporterMissing is: about the node's exporter, it must not mute the
 * node's other warnings through the default inhibit rule about the same `instance`.
 */
export const dcgmExporterMissing = defineAlert({
  name: 'DcgmExporterMissing',
  scope: 'infrastructure',
  about: `A node whose kubelet is scraped had a dcgm-exporter target within the last ${seenLookback} but none within the window (the pod evicted, stuck Pending, or no longer scheduled on the node): the GPU alerts are blind to its GPUs.`,
  defaults: { severity: 'critical', for: '10m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['up'],
  identity: ['node'],
  labelSets: [['node']],
  runbook: 'DcgmExporterMissing',
  watches: (fleet) => fleet.scraped.dcgmPods && fleet.scraped.kubelets,
  rule: ({ window, infrastructureTeam }) => {
    const up = `up{job="${scrapeJobNames.dcgm}"}`;
    return {
      expr: `${kubeletNodes(window)}\n  and on (node)\n${seenWithin(up, seenLookback)}\n  unless on (node)\n${seenWithin(up, window)}`,
      summary: 'dcgm-exporter is missing on node {{ $labels.node }}',
      description: `Node {{ $labels.node }} had a dcgm-exporter target within ${seenLookback} but none for ${window} and more while its kubelet answers: its GPU alerts can't see its GPUs.`,
      labels: { team: infrastructureTeam, job: scrapeJobNames.dcgm },
    };
  },
  proof: {
    kind: 'custom',
    wording: {
      breach: 'fires after {for} for a node whose kubelet answers and whose dcgm-exporter target is gone',
      inside: 'stays silent while every node that had a dcgm-exporter target has it, and for nodes without GPUs',
    },
    // gpu-node-1's exporter is scraped once, then gone, past it. Silent on both sides: cpu-node-1, which never had
    // the exporter, and gpu-node-2, scaled away (its kubelet gone with the exporter).
    settlesAfterWindow: true,
    targets: (_fleet, side, { steps }) => {
      const up = (job: string, node: string, values: string) => ({ series: selector('up', { instance: node, job, node }), values });
      const { kubelets, dcgm } = scrapeJobNames;
      return [
        { series: [up(kubelets, 'gpu-node-1', gauge(1, steps)), up(dcgm, 'gpu-node-1', side === 'breach' ? '1' : gauge(1, steps))], alertLabels: { node: 'gpu-node-1' }, value: 1, fires: side === 'breach' },
        { series: [up(kubelets, 'cpu-node-1', gauge(1, steps))], alertLabels: {}, value: 1, fires: false },
        { series: [up(kubelets, 'gpu-node-2', '1'), up(dcgm, 'gpu-node-2', '1')], alertLabels: {}, value: 1, fires: false },
      ] satisfies TargetSeries[];
    },
  },
});
