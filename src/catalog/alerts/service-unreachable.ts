import { defineAlert } from '../alert-definition.js';
import { gauge, sampled, selector, type TargetSeries } from '../proof-series.js';
import { serviceInfoSeries } from '../series.js';

/**
 * Absence of a service: no successful scrape of any of its targets within the window, whether none is
 * discovered (scaled to zero, a selector that matches nothing) or every one is down. Both are the same fact
 * about the service (nothing serves it) and get one alert about the service; ServiceDown stays the alert about
 * each target (one crash-looping replica of three), and can't see a service that has no target.
 *
 * `window` is how long without a successful scrape counts as gone, long enough that a lost scrape or a
 * rollout's gap between pods never does; `for` is how long it must then stay gone.
 */
export const serviceUnreachable = defineAlert({
  name: 'ServiceUnreachable',
  scope: 'service',
  about: 'No target of a configured service was scraped successfully within the window: none is discovered, or every one is down.',
  defaults: { severity: 'critical', for: '3m', window: '2m' },
  windowUse: 'overTime',
  metrics: ['up'],
  identity: ['service'],
  labelSets: [['service', 'team']],
  runbook: 'ServiceUnreachable',
  watches: (fleet) => fleet.services > 0,
  rule: ({ window }) => ({
    expr: `${serviceInfoSeries}\n  unless on (service)\n(max_over_time(up[${window}]) == 1)`,
    summary: 'No target of service {{ $labels.service }} is up',
    description: `Prometheus has not scraped any target of {{ $labels.service }} successfully for ${window} and more: none is discovered (scaled to zero, or a selector that matches nothing), or every one is down. Its alerts can't see it.`,
  }),
  proof: {
    kind: 'custom',
    wording: {
      breach: 'fires after {for} for every service with no target up: none discovered, or every one down',
      inside: 'stays silent while every service has a target up, even beside one that is down',
    },
    // Past it, the first service has no target at all (scaled to zero) and every other one only targets that
    // are down; inside it, every service has one target up beside one that is down, which is ServiceDown's
    // business, not the service being unreachable. For a fleet, only the sample is unreachable: every other
    // service is in the rule's view (mlmon:service_info) too and stays reachable on both sides, through one `up`
    // series with only its `service` label (the rule joins on `service` alone).
    targets: (fleet, side, { steps }) => {
      const [up, down] = [gauge(1, steps), gauge(0, steps)];
      const proven = sampled(fleet.services, (service) => [service.team]);
      const provenIndex = new Map(proven.map((service, i) => [service, i]));
      return fleet.services.map((service): TargetSeries => {
        const i = provenIndex.get(service);
        const target = { kind: 'service', name: service.name } as const;
        if (i === undefined) return { series: [{ series: selector('up', { service: service.name }), values: up }], alertLabels: { service: service.name, team: service.team }, value: 1, fires: false, target };
        const replica = (n: number) => ({ instance: `${service.name}-${n}:8080`, job: service.name, service: service.name });
        const series = side === 'inside'
          ? [{ series: selector('up', replica(0)), values: up }, { series: selector('up', replica(1)), values: down }]
          : i === 0 ? [] : [0, 1].map((n) => ({ series: selector('up', replica(n)), values: down }));
        return { series, alertLabels: { service: service.name, team: service.team }, value: 1, fires: side === 'breach', target };
      });
    },
  },
});
