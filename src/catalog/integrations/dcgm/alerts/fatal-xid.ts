import { defineAlert } from '../../../alert-definition.js';
import { gauge, type TargetSeries } from '../../../proof-series.js';
import { defaultFatalXids, fatalXidSeries, gpuBy } from '../settings.js';
import { gpuSeries, gpuTarget, gpuLabels } from './gpu-proof.js';

/**
 * DCGM_FI_DEV_XID_ERRORS is a gauge of the LAST XID's code (etc/default-counters.csv: "Value of the last XID
 * error encountered."), not a count: summing or rating it is meaningless, and `> 0` pages on any application
 * fault forever after. So its value is turned into an `xid` label (count_values) and joined with the fatal list,
 * one series per code (`mlmon:dcgm_fatal_xid:info{xid}`, from `infrastructure.gpus.dcgm.fatalXids`). The gauge
 * keeps the code until the next XID or a driver reload, so the alert fires until the GPU is reset, which is
 * what a fatal XID asks for; a later non-fatal XID overwrites it (NVIDIA/DCGM #235: some XIDs never reach the
 * field at all, so this is a floor, not a guarantee).
 */
export const gpuFatalXid = defineAlert({
  name: 'GpuFatalXid',
  scope: 'infrastructure',
  about: `The last XID error a GPU reported (DCGM_FI_DEV_XID_ERRORS is a gauge of the last code, not a count) is on the fatal list (\`infrastructure.gpus.dcgm.fatalXids\`): the GPU needs a reset, or the node a drain. The default list, ${defaultFatalXids.join(', ')}, is the one AWS's EKS node monitoring agent drains nodes for; each is a GPU reset or reboot in NVIDIA's Xid catalog (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html).`,
  defaults: { severity: 'critical', for: '1m', window: '5m' },
  windowUse: 'none',
  metrics: ['DCGM_FI_DEV_XID_ERRORS', fatalXidSeries],
  identity: ['instance', 'gpu'],
  labelSets: [['UUID', 'gpu', 'instance', 'modelName', 'team', 'xid']],
  runbook: 'GpuFatalXid',
  rule: ({ infrastructureTeam }) => ({
    expr: `count_values without () ("xid", max ${gpuBy} (DCGM_FI_DEV_XID_ERRORS))\n  * on (xid) group_left ()\n${fatalXidSeries}`,
    summary: 'Fatal XID {{ $labels.xid }} on GPU {{ $labels.gpu }} of {{ $labels.instance }}',
    description: 'GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.instance }} last reported XID {{ $labels.xid }}, a fatal code: drain the node and reset the GPU.',
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'custom',
    wording: {
      breach: 'fires after {for} for every GPU whose last XID is fatal, and not for one whose last XID is an application fault',
      inside: 'stays silent while GPUs report no XID or only non-fatal ones',
    },
    targets: (fleet, side, { steps }) => {
      const fatal = fleet.dcgm?.fatalXids[0] ?? 79;
      const broken = gpuLabels(0);
      const appFault = gpuLabels(1);
      return [
        // 0 is "no XID yet"; 13 is a graphics engine exception, an application's fault.
        withXid(gpuTarget(broken, [gpuSeries('DCGM_FI_DEV_XID_ERRORS', broken, gauge(side === 'breach' ? fatal : 0, steps))], side === 'breach', 1), fatal),
        gpuTarget(appFault, [gpuSeries('DCGM_FI_DEV_XID_ERRORS', appFault, gauge(13, steps))], false, 1),
      ];
    },
  },
});

const withXid = (target: TargetSeries, xid: number): TargetSeries => ({ ...target, alertLabels: { ...target.alertLabels, xid: String(xid) } });
