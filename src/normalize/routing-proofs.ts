/**
 * Which receivers each kind of alert must reach, derived from the routing config: every alert mlmon
 * generates, with its severity and each team that can own it, plus one case per route built from its own
 * match. `mlmon validate` checks each case against the rendered alertmanager.yml with
 * `amtool config routes test --verify.receivers`, so a route that the rendering got wrong (order, `continue`,
 * a matcher's quoting) is caught by Alertmanager's own routing code.
 */
import { anyOfMatcher, receiversFor, type RouteNode } from '../formats/alertmanager-routing.js';
import type { AlertRoute, MonitoringModel } from './model.js';

export interface RoutingTestCase {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Receivers in the order Alertmanager delivers to them. */
  readonly receivers: readonly string[];
}

/**
 * The route tree as Alertmanager's routing sees it, built from what each route is meant to match (`match`,
 * from the config) rather than from its rendered matcher strings: amtool then judges the rendering against
 * that intent, so a matcher quoted wrongly fails the proof instead of being evaluated the same wrong way.
 */
export function intendedRouteTree(route: AlertRoute): RouteNode {
  return {
    receiver: route.receiver,
    matchers: Object.entries(route.match).map(([label, values]) => anyOfMatcher(label, values)),
    continue: route.continue,
    routes: route.routes.map(intendedRouteTree),
  };
}

export function buildRoutingProofs(model: Pick<MonitoringModel, 'alertmanager' | 'builtinAlerts' | 'ruleFiles' | 'models' | 'services' | 'infrastructure' | 'defaults' | 'slos'>): RoutingTestCase[] {
  const route = model.alertmanager.route;
  const tree = intendedRouteTree(route);
  const cases = new Map<string, RoutingTestCase>();
  const add = (name: string, labels: Record<string, string>): void => {
    const sorted = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const key = JSON.stringify(sorted);
    if (!cases.has(key)) cases.set(key, { name, labels: sorted, receivers: receiversFor(tree, sorted) });
  };

  const teamsOf = (alert: (typeof model.builtinAlerts)[number]): string[] => {
    const scope = alert.scope;
    // An infrastructure alert whose instances can carry `service` (ServiceDown: a target of a configured
    // service) has the team of that service, the infrastructure team's otherwise.
    if (scope === 'infrastructure') return [model.infrastructure.team, ...(alert.labelSets.some((set) => set.includes('service')) ? model.services.map((s) => s.team) : [])];
    if (scope === 'service') return model.services.map((s) => s.team);
    return [...model.models.map((m) => m.team), model.defaults.team];
  };
  for (const alert of model.builtinAlerts) {
    for (const team of [...new Set(teamsOf(alert))].sort()) {
      add(`${alert.name} (${alert.severity}, team ${team})`, { alertname: alert.name, severity: alert.severity, team });
    }
  }
  // Every SLO tier, with the teams of the SLOs that have it: a page must reach the pager, a ticket the ticket queue.
  const policyTeams = new Set(model.slos.slos.map((slo) => `${slo.policy}\n${slo.team}`));
  for (const key of [...policyTeams].sort()) {
    const [policyId, team] = key.split('\n') as [string, string];
    for (const tier of model.slos.policies.find((p) => p.id === policyId)!.tiers) {
      add(`ErrorBudgetBurn ${tier.name} (${tier.severity}, team ${team})`, { alertname: 'ErrorBudgetBurn', severity: tier.severity, slo_tier: tier.name, team });
    }
  }
  for (const file of model.ruleFiles) {
    for (const group of file.groups) {
      if (group.name !== 'custom') continue;
      for (const rule of group.rules) if (rule.kind === 'alert') add(`${rule.alert} (${rule.labels.severity}, team ${rule.labels.team})`, { alertname: rule.alert, ...rule.labels });
    }
  }
  const visitRoutes = (node: AlertRoute, inherited: Record<string, string>): void => {
    for (const child of node.routes) {
      const own = Object.fromEntries(Object.entries(child.match).map(([label, values]) => [label, values[0]!]));
      const labels = { ...inherited, ...own };
      if (Object.keys(own).length > 0) add(`what ${child.source} matches`, labels);
      visitRoutes(child, labels);
    }
  };
  visitRoutes(route, {});
  add('an alert no route matches', { alertname: 'mlmon-unrouted-alert' });
  return [...cases.values()];
}
