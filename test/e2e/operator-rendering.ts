/**
 * What prometheus-operator v0.85.0 renders into its Alertmanager's configuration from one AlertmanagerConfig,
 * reproduced for the tests (pkg/alertmanager/amcfg.go: AddAlertmanagerConfigs, convertRoute, convertReceiver,
 * makeNamespacedString, the enforcers of getEnforcer), on top of a base configuration whose root route sends to
 * a `null` receiver, as kube-prometheus-stack's default `alertmanager.config` does:
 * - receivers and route receivers become `<namespace>/<name>/<receiver>`;
 * - the object's top route becomes the root's first child, with `continue: true`;
 * - `OnNamespace` adds `namespace="<namespace>"` to that top route's matchers, `OnNamespaceExceptForAlertmanagerNamespace`
 *   does so only when the object's namespace is not the Alertmanager's, `None` never; inhibit rules likewise get
 *   the matcher on both sides.
 * Only webhook receivers with a literal URL keep their integration; others keep just their name (enough for
 * amtool's routing tests).
 */
type Matcher = { name: string; matchType: string; value: string };

export type MatcherStrategy = 'None' | 'OnNamespace' | 'OnNamespaceExceptForAlertmanagerNamespace';

const matcherText = (m: Matcher): string => `${m.name}${m.matchType}${JSON.stringify(m.value)}`;

export function operatorAlertmanagerConfig(object: any, namespace: string, strategy: MatcherStrategy, alertmanagerNamespace: string, resolveTimeout = '5m'): Record<string, unknown> {
  const prefix = (name: string) => `${namespace}/${object.metadata.name}/${name}`;
  const enforce = strategy === 'OnNamespace' || (strategy === 'OnNamespaceExceptForAlertmanagerNamespace' && namespace !== alertmanagerNamespace);
  const namespaceMatcher = matcherText({ name: 'namespace', matchType: '=', value: namespace });
  const convert = (route: any): Record<string, unknown> => ({
    receiver: prefix(route.receiver),
    ...(route.groupBy ? { group_by: route.groupBy } : {}),
    ...(route.groupWait ? { group_wait: route.groupWait } : {}),
    ...(route.groupInterval ? { group_interval: route.groupInterval } : {}),
    ...(route.repeatInterval ? { repeat_interval: route.repeatInterval } : {}),
    ...(route.matchers?.length ? { matchers: route.matchers.map(matcherText) } : {}),
    ...(route.continue ? { continue: true } : {}),
    ...(route.routes?.length ? { routes: route.routes.map(convert) } : {}),
  });
  const top = convert(object.spec.route);
  if (enforce) top.matchers = [...((top.matchers as string[] | undefined) ?? []), namespaceMatcher];
  top.continue = true;
  return {
    global: { resolve_timeout: resolveTimeout },
    route: { receiver: 'null', routes: [top] },
    receivers: [
      { name: 'null' },
      ...object.spec.receivers.map((r: any) => ({
        name: prefix(r.name),
        ...(r.webhookConfigs?.every((w: any) => w.url) ? { webhook_configs: r.webhookConfigs.map((w: any) => ({ url: w.url, send_resolved: w.sendResolved ?? true })) } : {}),
      })),
    ],
    inhibit_rules: (object.spec.inhibitRules ?? []).map((rule: any) => {
      const side = (matchers: Matcher[]) => [...matchers.map(matcherText), ...(enforce ? [namespaceMatcher] : [])];
      return { source_matchers: side(rule.sourceMatch ?? []), target_matchers: side(rule.targetMatch ?? []), ...(rule.equal ? { equal: rule.equal } : {}) };
    }),
  };
}
