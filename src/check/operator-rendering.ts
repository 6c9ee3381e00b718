/**
 * What the Prometheus Operator renders into its Alertmanager's configuration from one AlertmanagerConfig, so that
 * `mlmon validate` (check `amtool/operator-routes`) and the tests can run amtool on the routing the cluster will
 * really have. It follows prometheus-operator v0.85.0 (the version scripts/install-tools.sh pins for the CRD
 * schemas), pkg/alertmanager/amcfg.go: AddAlertmanagerConfigs, convertRoute, convertReceiver,
 * makeNamespacedString and the enforcers of getEnforcer. The base configuration is kube-prometheus-stack's
 * default `alertmanager.config`, whose root route sends to a `null` receiver:
 * - receivers and route receivers become `<namespace>/<name>/<receiver>`;
 * - the object's top route becomes the root's first child, with `continue: true`;
 * - `OnNamespace` adds `namespace="<namespace>"` to that top route's matchers, `OnNamespaceExceptForAlertmanagerNamespace`
 *   does so only when the object's namespace is not the Alertmanager's, `None` never; inhibit rules likewise get
 *   the matcher on both sides.
 * Only webhook receivers with a literal URL keep their integration; the others keep just their name (all that
 * amtool's routing tests read: the real integrations need the Secrets the operator resolves in the cluster).
 */
import type { IAlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig';

type Spec = NonNullable<IAlertmanagerConfig['spec']>;
type RouteSpec = NonNullable<Spec['route']>;
type Matcher = NonNullable<RouteSpec['matchers']>[number];

/** The operator's `alertmanagerConfigMatcherStrategy.type` values. */
export type MatcherStrategy = 'None' | 'OnNamespace' | 'OnNamespaceExceptForAlertmanagerNamespace';

/** An AlertmanagerConfig as read back from YAML: a name and a spec (a route and receivers) are what is rendered. */
export type AlertmanagerConfigObject = Pick<IAlertmanagerConfig, 'spec'> & { readonly metadata: { readonly name: string } };

// A matcher without matchType is `=`, or `=~` with the deprecated `regex: true` (the CRD: matchType overrides regex).
const matcherText = (m: Matcher): string => `${m.name}${m.matchType ?? (m.regex ? '=~' : '=')}${JSON.stringify(m.value ?? '')}`;

/**
 * The alertmanager.yml (as data, snake_case keys) the operator renders from `object` in `namespace`, for an
 * Alertmanager in `alertmanagerNamespace` with matcher strategy `strategy`. `resolveTimeout` is the base
 * configuration's `global.resolve_timeout` (Alertmanager's default, 5m).
 */
export function operatorAlertmanagerConfig(object: AlertmanagerConfigObject, namespace: string, strategy: MatcherStrategy, alertmanagerNamespace: string, resolveTimeout = '5m'): Record<string, unknown> {
  const spec: Spec = object.spec ?? {};
  const prefix = (name: string) => `${namespace}/${object.metadata.name}/${name}`;
  const enforce = strategy === 'OnNamespace' || (strategy === 'OnNamespaceExceptForAlertmanagerNamespace' && namespace !== alertmanagerNamespace);
  const namespaceMatcher = matcherText({ name: 'namespace', matchType: '=', value: namespace });
  // Child routes are untyped in the CRD (`routes: any[]`): the operator decodes each as a Route, as here.
  const convert = (route: RouteSpec): Record<string, unknown> => ({
    ...(route.receiver ? { receiver: prefix(route.receiver) } : {}),
    ...(route.groupBy ? { group_by: route.groupBy } : {}),
    ...(route.groupWait ? { group_wait: route.groupWait } : {}),
    ...(route.groupInterval ? { group_interval: route.groupInterval } : {}),
    ...(route.repeatInterval ? { repeat_interval: route.repeatInterval } : {}),
    ...(route.matchers?.length ? { matchers: route.matchers.map(matcherText) } : {}),
    ...(route.continue ? { continue: true } : {}),
    ...(route.routes?.length ? { routes: (route.routes as RouteSpec[]).map(convert) } : {}),
  });
  const top = convert(spec.route ?? {});
  if (enforce) top.matchers = [...((top.matchers as string[] | undefined) ?? []), namespaceMatcher];
  top.continue = true;
  return {
    global: { resolve_timeout: resolveTimeout },
    route: { receiver: 'null', routes: [top] },
    receivers: [
      { name: 'null' },
      ...(spec.receivers ?? []).map((r) => ({
        name: prefix(r.name),
        ...(r.webhookConfigs?.length && r.webhookConfigs.every((w) => w.url) ? { webhook_configs: r.webhookConfigs.map((w) => ({ url: w.url, send_resolved: w.sendResolved ?? true })) } : {}),
      })),
    ],
    inhibit_rules: (spec.inhibitRules ?? []).map((rule) => {
      const side = (matchers: readonly Matcher[]) => [...matchers.map(matcherText), ...(enforce ? [namespaceMatcher] : [])];
      return { source_matchers: side(rule.sourceMatch ?? []), target_matchers: side(rule.targetMatch ?? []), ...(rule.equal ? { equal: rule.equal } : {}) };
    }),
  };
}
