import { defineAlert } from '../alert-definition.js';
import { gauge, sampled, selector, type TargetSeries } from '../proof-series.js';
import { serviceInfoSeries } from '../series.js';

/**
 * About one scrape target, not a service: one crash-looping replica of three. A target is owned by the team of
 * the service it belongs to (joined from mlmon:service_info on `service`); a target of no configured service
 * (Prometheus itself, node-exporter, the kubelets) by the infrastructure team. The team is in the expression,
 * not a static label, because a rule's static label would override it.
 */
export const serviceDown = defineAlert({
  name: 'ServiceDown',
  scope: 'infrastructure',
  about: 'Prometheus failed to scrape a target (any job: a service\'s pod, node-exporter, Prometheus itself).',
  defaults: { severity: 'critical', for: '2m', window: '5m' },
  windowUse: 'none',
  metrics: ['up'],
  // A target of a configured service carries `service` (and its team); Prometheus and node-exporter don't.
  identity: ['instance'],
  labelSets: [['instance', 'job', 'service', 'team'], ['instance', 'job', 'team']],
  runbook: 'ServiceDown',
  rule: ({ infrastructureTeam, for: forDuration }) => ({
    expr: [
      `(up == 0) * on (service) group_left (team) ${serviceInfoSeries}`,
      `  or ignoring (team)`,
      `label_replace(up == 0, "team", ${JSON.stringify(infrastructureTeam.replaceAll('$', () => '$$'))}, "", "")`,
    ].join('\n'),
    summary: 'Target {{ $labels.instance }} of job {{ $labels.job }} is down',
    description: `Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for more than ${forDuration}.`,
  }),
  proof: {
    kind: 'custom',
    wording: {
      breach: "fires after {for} for every target that is down, with its service's team or the infrastructure team",
      inside: 'stays silent while every target is up',
    },
    // A target of no configured service is the infrastructure team's; a service's target its team's.
    targets: (fleet, side, { steps }) => {
      const up = gauge(side === 'breach' ? 0 : 1, steps);
      const labels = { instance: 'target-1:8080', job: 'scraped-job' };
      const unowned: TargetSeries = { series: [{ series: selector('up', labels), values: up }], alertLabels: { ...labels, team: fleet.infrastructure.team }, value: 0, fires: side === 'breach' };
      return [unowned, ...sampled(fleet.services, (service) => [service.team]).map((service): TargetSeries => {
        const target = { instance: `${service.name}-0:8080`, job: service.name, service: service.name };
        return { series: [{ series: selector('up', target), values: up }], alertLabels: { ...target, team: service.team }, value: 0, fires: side === 'breach', target: { kind: 'service', name: service.name } };
      })];
    },
  },
});
