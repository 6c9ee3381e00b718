import type { AlertingConfig, InhibitRuleConfig, ReceiverConfig, RouteConfig, RouteMatch } from '../config/types.js';
import type { AlertRoute, InhibitRule, Receiver } from './model.js';
import { configDefaults } from '../config/defaults.js';

export const defaultGroupBy = [...configDefaults['alerting.grouping.groupBy']];

/** An Alertmanager matcher `name="value"`; the value is double-quoted with `"` and `\` escaped. */
export function equalityMatcher(label: string, value: string): string {
  return `${label}=${JSON.stringify(value)}`;
}

function anyOfMatcher(label: string, values: readonly string[]): string {
  if (values.length === 1) return equalityMatcher(label, values[0]!);
  const regex = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return `${label}=~${JSON.stringify(regex)}`;
}

/** A route's `match` as label → accepted values, in a stable order. */
export function matchOf(match: RouteMatch | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!match) return out;
  const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  for (const [label, value] of [['alertname', match.alertname], ['severity', match.severity], ['team', match.team]] as const) {
    const values = list(value);
    if (values) out[label] = values;
  }
  // Code-unit order, not localeCompare: the matchers' order reaches alertmanager.yml and must not depend on
  // the machine's locale (ICU puts `team_b` before `teamA`, code units after).
  for (const [label, value] of Object.entries(match.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[label] = [value];
  return out;
}

export function buildRoute(alerting: AlertingConfig, grouping: Required<NonNullable<AlertingConfig['grouping']>>, defaultReceiver: string): AlertRoute {
  const child = (route: RouteConfig, source: string): AlertRoute => {
    const match = matchOf(route.match);
    return {
      receiver: route.receiver,
      matchers: Object.entries(match).map(([label, values]) => anyOfMatcher(label, values)),
      continue: route.continue ?? configDefaults['alerting.routes[].continue'],
      ...(route.groupBy ? { groupBy: route.groupBy } : {}),
      routes: (route.routes ?? []).map((r, i) => child(r, `${source}.routes[${i}]`)),
      source,
      match,
    };
  };
  return {
    receiver: defaultReceiver,
    matchers: [],
    continue: false,
    groupBy: grouping.groupBy,
    groupWait: grouping.groupWait,
    groupInterval: grouping.groupInterval,
    repeatInterval: grouping.repeatInterval,
    routes: (alerting.routes ?? []).map((r, i) => child(r, `alerting.routes[${i}]`)),
    source: 'alerting',
    match: {},
  };
}

export function buildReceivers(receivers: Record<string, ReceiverConfig>): Receiver[] {
  return Object.entries(receivers).map(([name, r]) => ({
    name,
    email: (r.email ?? []).map((e) => ({ to: e.to, sendResolved: e.sendResolved ?? configDefaults['alerting.receivers.*.email[].sendResolved'] })),
    slack: (r.slack ?? []).map((s) => ({
      channel: s.channel,
      sendResolved: s.sendResolved ?? configDefaults['alerting.receivers.*.slack[].sendResolved'],
      ...(s.apiUrlFile ? { apiUrlFile: s.apiUrlFile } : {}),
      ...(s.title !== undefined ? { title: s.title } : {}),
      ...(s.text !== undefined ? { text: s.text } : {}),
    })),
    pagerduty: (r.pagerduty ?? []).map((p) => ({ routingKeyFile: p.routingKeyFile, sendResolved: p.sendResolved ?? configDefaults['alerting.receivers.*.pagerduty[].sendResolved'] })),
    webhook: (r.webhook ?? []).map((h) => ({
      sendResolved: h.sendResolved ?? configDefaults['alerting.receivers.*.webhook[].sendResolved'],
      ...(h.url ? { url: h.url } : {}),
      ...(h.urlFile ? { urlFile: h.urlFile } : {}),
    })),
  }));
}

/**
 * By default a critical alert mutes warnings about the same thing: the same model, the same service, the same
 * node or scrape target. What an alert is about is told by which of those labels it carries (see
 * the catalog's `labelSets`): model alerts carry `model`, service alerts `service` and no `model` or `instance`,
 * node and target alerts `instance` and no `model`. Each rule selects, on both sides, only alerts about its
 * kind of thing and requires that label to be equal:
 * - a model's critical mutes that model's warnings, never another model's of the same service;
 * - a service's critical (HighErrorRate, ServiceUnreachable) mutes that service's warnings. ServiceDown is
 *   about one target (it carries `instance`): one replica down must not mute the service's or its models'
 *   warnings, which the healthy replicas still report;
 * - a node's or target's critical mutes warnings about the same `instance`;
 * - an alert about something finer (its catalog `identity` has a label more: a KServe revision's
 *   `revision_name`, a Triton GPU's `gpu_uuid`, a node GPU's `gpu`) is kept out of the three rules above by
 *   requiring that label absent, and gets a rule of its own, equal on its whole identity: a revision's
 *   critical mutes that revision's warnings, never its service's or another revision's. `identities` are
 *   those of the alerts in use (built-ins, integrations, the DCGM pack), so a new one needs nothing here.
 * Each label is also required present (`=~".+"`): Alertmanager treats a label missing from both sides as
 * equal, so without that a critical node alert (no `model`) would mute every warning that has no `model`.
 * `mlmon validate` (inhibit/mutes-other-things) checks these and the user's own rules against every alert.
 * `sameEnvironment` (a config with `environments`): the default rules also require the same `environment`, so
 * that environments sharing one Alertmanager (and cluster name) never mute each other's alerts.
 */
export function buildInhibitRules(configured: readonly InhibitRuleConfig[] | undefined, hasSlos = false, sameEnvironment = false, identities: readonly (readonly string[])[] = []): InhibitRule[] {
  if (configured) {
    return configured.map((rule, i) => ({
      sourceMatchers: Object.entries(rule.source).map(([l, v]) => equalityMatcher(l, v)),
      targetMatchers: Object.entries(rule.target).map(([l, v]) => equalityMatcher(l, v)),
      equal: rule.equal,
      source: `alerting.inhibitRules[${i}]`,
    }));
  }
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // The labels of every identity finer than `id` (holding all of its labels and more), less `id`'s own: an
  // alert about a node's GPU (`instance`, `gpu`), a service's revision (`service`, `revision_name`) or a model
  // server's GPU (`service`, `gpu_uuid`) is about another thing than the node's or the service's own alerts,
  // so the rule about `id` requires those labels absent, on both sides.
  const finerThan = (id: readonly string[]) => [...new Set(identities.filter((other) => other.length > id.length && id.every((l) => other.includes(l))).flatMap((other) => other.filter((l) => !id.includes(l))))]
    .sort(byText);
  const absent = (id: readonly string[], handled: readonly string[] = []) => finerThan(id).filter((l) => !handled.includes(l)).map((l) => `${l}=""`);
  const about = {
    model: ['model=~".+"', ...absent(['model'])],
    service: ['service=~".+"', 'model=""', 'instance=""', ...absent(['service'], ['model', 'instance'])],
    instance: ['instance=~".+"', 'model=""', ...absent(['instance'], ['model'])],
  } as const;
  const where = sameEnvironment ? ['cluster', 'environment'] : ['cluster'];
  // `instance` is a node's name in several jobs at once (node-exporter, the kubelets, dcgm-exporter), so the
  // same instance under another job is another thing: a dcgm-exporter target that is down (ServiceDown) is not
  // the node's memory or CPU. The rule about an instance is about one job's instance.
  const equalOf = { model: ['model'], service: ['service'], instance: ['instance', 'job'] } as const;
  const rules: InhibitRule[] = (['model', 'service', 'instance'] as const).map((label, i) => ({
    sourceMatchers: [equalityMatcher('severity', 'critical'), ...about[label]],
    targetMatchers: [equalityMatcher('severity', 'warning'), ...about[label]],
    equal: [...where, ...equalOf[label]],
    source: `alerting.inhibitRules (default rule ${i + 1}, about the same ${label})`,
  }));
  // A page tier of an SLO mutes its ticket tiers, whatever severities they were given: one burn, one alert
  // (the stable `slo_tier` label Pyrra's users ask for, pyrra-dev/pyrra#1883).
  if (hasSlos) {
    rules.push({
      sourceMatchers: [equalityMatcher('alertname', 'ErrorBudgetBurn'), 'slo_tier=~"page-.*"'],
      targetMatchers: [equalityMatcher('alertname', 'ErrorBudgetBurn'), 'slo_tier=~"ticket-.*"'],
      equal: [...where, 'model', 'service', 'slo'],
      source: `alerting.inhibitRules (default rule ${rules.length + 1}, an SLO's page tier mutes its ticket tiers)`,
    });
  }
  // The finer things themselves (a node's GPU, a service's revision, a model server's GPU), each identity once,
  // its labels as the catalog lists them: a critical about one mutes the warnings about the same one.
  const finer = new Map<string, readonly string[]>();
  for (const id of identities) if (id.length > 1 && !finer.has([...id].sort(byText).join(','))) finer.set([...id].sort(byText).join(','), id);
  for (const [, id] of [...finer].sort(([a], [b]) => byText(a, b))) {
    const matchers = [...id.map((l) => `${l}=~".+"`), ...absent(id)];
    rules.push({
      sourceMatchers: [equalityMatcher('severity', 'critical'), ...matchers],
      targetMatchers: [equalityMatcher('severity', 'warning'), ...matchers],
      equal: [...where, ...id],
      source: `alerting.inhibitRules (default rule ${rules.length + 1}, about the same ${id.join(' and ')})`,
    });
  }
  return rules;
}
