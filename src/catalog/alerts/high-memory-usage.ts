import { defineAlert } from '../alert-definition.js';
import { gauge, selector } from '../proof-series.js';

/**
 * Memory is a gauge: averaged over the window, so one failed scrape of node-exporter (staleness markers) doesn't
 * empty the series and restart `for`, and `alerts.HighMemoryUsage.window` means what it says.
 */
export const highMemoryUsage = defineAlert({
  name: 'HighMemoryUsage',
  scope: 'infrastructure',
  about: 'A node\'s memory in use (all but MemAvailable), averaged over the window, was above the threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes'],
  threshold: { key: 'maxMemoryPercent', firesWhen: 'above', type: 'Percentage', default: 85, doc: 'Memory usage above which HighMemoryUsage fires', bounds: { ceiling: 100 } },
  identity: ['instance'],
  labelSets: [['instance', 'job', 'team']],
  runbook: 'HighMemoryUsage',
  rule: ({ window, compare, thresholdValue, infrastructureTeam }) => ({
    expr: compare(`100 * (1 - avg_over_time(node_memory_MemAvailable_bytes[${window}]) / avg_over_time(node_memory_MemTotal_bytes[${window}]))`),
    summary: 'High memory usage on {{ $labels.instance }}',
    description: `Memory usage is {{ $value | printf "%.1f" }}% on {{ $labels.instance }}, above ${thresholdValue}%.`,
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, percent, { steps }) => ({
      series: [
        { series: selector('node_memory_MemTotal_bytes', scrape), values: gauge(1e9, steps) },
        { series: selector('node_memory_MemAvailable_bytes', scrape), values: gauge(1e9 * (1 - percent / 100), steps) },
      ],
      alertLabels: scrape,
    }),
  },
  panel: { dashboard: 'infrastructure', title: 'Memory usage per node' },
});
