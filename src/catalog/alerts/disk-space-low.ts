import { defineAlert } from '../alert-definition.js';
import { gauge, selector } from '../proof-series.js';

/**
 * The filesystems DiskSpaceLow looks at, and the infrastructure dashboard shows: pseudo-filesystems are never
 * "full" in a way anyone can act on, and tmpfs reports its size as free RAM.
 */
export const realFilesystems = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs"';

/** A filesystem of DiskSpaceLow is part of its node: the node is what it is about. */
export const diskSpaceLow = defineAlert({
  name: 'DiskSpaceLow',
  scope: 'infrastructure',
  about: 'A real (not tmpfs, overlay…) filesystem of a node had less free space than the threshold, averaged over the window.',
  defaults: { severity: 'critical', for: '5m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['node_filesystem_avail_bytes', 'node_filesystem_size_bytes'],
  threshold: { key: 'minDiskFreePercent', firesWhen: 'below', type: 'Percentage', default: 15, doc: 'Free disk space below which DiskSpaceLow fires', bounds: { floor: 0 } },
  identity: ['instance'],
  labelSets: [['device', 'fstype', 'instance', 'job', 'mountpoint', 'team']],
  runbook: 'DiskSpaceLow',
  rule: ({ window, compare, thresholdValue, infrastructureTeam }) => ({
    expr: compare(`100 * avg_over_time(node_filesystem_avail_bytes{${realFilesystems}}[${window}]) / avg_over_time(node_filesystem_size_bytes{${realFilesystems}}[${window}])`),
    summary: 'Low disk space on {{ $labels.instance }} ({{ $labels.mountpoint }})',
    description: `Only {{ $value | printf "%.1f" }}% disk space is left on {{ $labels.mountpoint }} of {{ $labels.instance }}, below ${thresholdValue}%.`,
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, percent, { steps }) => {
      const fs = { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/', ...scrape };
      const tmpfs = { ...fs, device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run' };
      return {
        series: [
          { series: selector('node_filesystem_size_bytes', fs), values: gauge(1e9, steps) },
          { series: selector('node_filesystem_avail_bytes', fs), values: gauge(1e7 * percent, steps) },
          // tmpfs is never "full" in a way anyone can act on: an empty one must not fire.
          { series: selector('node_filesystem_size_bytes', tmpfs), values: gauge(1e9, steps) },
          { series: selector('node_filesystem_avail_bytes', tmpfs), values: gauge(0, steps) },
        ],
        alertLabels: fs,
      };
    },
  },
  panel: { dashboard: 'infrastructure', title: 'Disk space free per filesystem' },
});
