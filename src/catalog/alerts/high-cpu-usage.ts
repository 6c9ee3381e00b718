import { defineAlert } from '../alert-definition.js';
import { counter, selector } from '../proof-series.js';

/**
 * The seed uses irate(), which only sees the last two samples: one busy scrape pages someone. rate() over the
 * window is what "usage above X% for 5m" means.
 */
export const highCpuUsage = defineAlert({
  name: 'HighCPUUsage',
  scope: 'infrastructure',
  about: 'A node\'s CPUs, averaged over its cores, were busy above the threshold over the window.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['node_cpu_seconds_total'],
  threshold: { key: 'maxCpuPercent', firesWhen: 'above', type: 'Percentage', default: 80, doc: 'CPU usage above which HighCPUUsage fires', bounds: { ceiling: 100 } },
  identity: ['instance'],
  labelSets: [['instance', 'team']],
  runbook: 'HighCPUUsage',
  rule: ({ window, compare, thresholdValue, infrastructureTeam }) => ({
    expr: compare(`100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${window}])))`),
    summary: 'High CPU usage on {{ $labels.instance }}',
    description: `CPU usage is {{ $value | printf "%.1f" }}% on {{ $labels.instance }}, above ${thresholdValue}%.`,
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'threshold',
    // The idle counter grows by (1 - usage) CPU-seconds per second.
    signal: ({ scrape }, percent, { steps, step }) => ({
      series: [{ series: selector('node_cpu_seconds_total', { cpu: '0', mode: 'idle', ...scrape }), values: counter(step * (1 - percent / 100), steps) }],
      alertLabels: { instance: scrape.instance! },
    }),
  },
  panel: { dashboard: 'infrastructure', title: 'CPU usage per node' },
});
