/**
 * Routing as an AlertmanagerConfig (monitoring.coreos.com/v1alpha1, config
 * `deploy.prometheusOperator.routing: 'alertmanager-config'`): mlmon's route tree, receivers and inhibit rules,
 * for the operator to merge into its Alertmanager's configuration.
 *
 * What the operator does with it (pkg/alertmanager/amcfg.go at the pinned v0.85.0, AddAlertmanagerConfigs,
 * convertRoute, makeNamespacedString, getEnforcer):
 * - every receiver (and every route's receiver) is renamed `<namespace>/<name>/<receiver>`; routing-tests.yml
 *   here names them so;
 * - the object's top route is put first among the root route's children, with `continue: true`;
 * - the matcher strategy's enforcer may add `namespace="<namespace>"` to that top route: `OnNamespace` (the
 *   default) always, `OnNamespaceExceptForAlertmanagerNamespace` unless the object is in the Alertmanager's
 *   namespace, `None` never. mlmon's alerts about models and nodes carry no namespace label, so only the two
 *   strategies that add nothing are accepted (config `alertmanagerConfigMatcherStrategy`), and the top route is
 *   written with no matcher at all, so it takes every alert, as the root route of alertmanager.yml does.
 * The Alertmanager's own root receiver and `global` section stay the cluster's; the email settings of
 * `alerting.smtp` go into each email receiver, since an AlertmanagerConfig has no `global`.
 */
import { posix } from 'node:path';
import type { IAlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig';
import type { AlertRoute, MonitoringModel, Receiver } from '../../normalize/model.js';
import { RenderError } from '../artifact.js';

type Spec = NonNullable<IAlertmanagerConfig['spec']>;
type RouteSpec = NonNullable<Spec['route']>;
type MatcherSpec = NonNullable<RouteSpec['matchers']>[number];
type ReceiverSpec = Spec['receivers'] extends (infer R)[] | undefined ? R : never;
type SecretKeySelector = { name: string; key: string };

/** The AlertmanagerConfig's name: receivers become `<namespace>/mlmon/<receiver>`. */
export const alertmanagerConfigName = 'mlmon';

const artifact = 'operator/alertmanager-config.yaml';

/** The AlertmanagerConfig of the model's routing. A credential file outside the operator's secret mounts is a RenderError naming it. */
export function alertmanagerConfigObject(model: MonitoringModel): IAlertmanagerConfig {
  const { route, receivers, inhibitRules } = model.alertmanager;
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: { name: alertmanagerConfigName, labels: { ...model.deploy.prometheusOperator.labels } },
    spec: {
      route: routeSpec(route),
      receivers: receivers.map((r) => receiverSpec(model, r)),
      inhibitRules: inhibitRules.map((rule) => ({
        sourceMatch: rule.sourceMatchers.map(matcherSpec),
        targetMatch: rule.targetMatchers.map(matcherSpec),
        ...(rule.equal.length ? { equal: [...rule.equal] } : {}),
      })),
    },
  };
}

/** The receiver name the operator gives `receiver` of mlmon's AlertmanagerConfig in `namespace`. */
export function operatorReceiverName(namespace: string, receiver: string): string {
  return `${namespace}/${alertmanagerConfigName}/${receiver}`;
}

function routeSpec(route: AlertRoute): RouteSpec {
  return {
    receiver: route.receiver,
    ...(route.groupBy ? { groupBy: [...route.groupBy] } : {}),
    ...(route.groupWait ? { groupWait: route.groupWait } : {}),
    ...(route.groupInterval ? { groupInterval: route.groupInterval } : {}),
    ...(route.repeatInterval ? { repeatInterval: route.repeatInterval } : {}),
    ...(route.matchers.length ? { matchers: route.matchers.map(matcherSpec) } : {}),
    ...(route.continue ? { continue: true } : {}),
    ...(route.routes.length ? { routes: route.routes.map(routeSpec) } : {}),
  };
}

/** `severity="critical"` (an Alertmanager matcher as alertmanager.yml writes it) as the CRD's name, matchType, value. */
export function matcherSpec(matcher: string): MatcherSpec & { matchType: '=' | '!=' | '=~' | '!~' } {
  const parsed = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)(".*")$/s.exec(matcher);
  if (!parsed) throw new RenderError(artifact, `the matcher ${matcher} is not name, operator and a quoted value`);
  return { name: parsed[1]!, matchType: parsed[2] as '=' | '!=' | '=~' | '!~', value: JSON.parse(parsed[3]!) as string };
}

/**
 * A credential file as a reference to the Secret key it is mounted from. Every `*File` option is
 * `<kubernetes.alertmanagerSecretMountPath>/<key>` of the Secret `kubernetes.alertmanagerSecretName` (check
 * `config/secret-outside-mount` refuses anything else), and an AlertmanagerConfig names that key directly: the
 * operator reads it from the Secret in the AlertmanagerConfig's namespace.
 */
function secretOf(model: MonitoringModel, file: string | undefined, field: string): SecretKeySelector {
  const { name, mountPath } = model.kubernetes.alertmanagerSecret;
  if (file === undefined || posix.dirname(posix.normalize(file)) !== mountPath) {
    throw new RenderError(artifact, `${field} is ${JSON.stringify(file ?? null)}, not a key of the Secret ${name} mounted at ${mountPath}`);
  }
  return { name, key: posix.basename(file) };
}

function receiverSpec(model: MonitoringModel, receiver: Receiver): ReceiverSpec {
  const { smtp, slackApiUrlFile } = model.alertmanager;
  const spec: Record<string, unknown> = { name: receiver.name };
  if (receiver.email.length) {
    spec.emailConfigs = receiver.email.map((e) => ({
      to: e.to,
      sendResolved: e.sendResolved,
      ...(smtp ? {
        smarthost: smtp.smarthost, from: smtp.from, requireTLS: smtp.requireTls,
        ...(smtp.authUsername ? { authUsername: smtp.authUsername } : {}),
        ...(smtp.authPasswordFile ? { authPassword: secretOf(model, smtp.authPasswordFile, 'alerting.smtp.authPasswordFile') } : {}),
      } : {}),
    }));
  }
  if (receiver.slack.length) {
    spec.slackConfigs = receiver.slack.map((s) => ({
      channel: s.channel,
      apiURL: secretOf(model, s.apiUrlFile ?? slackApiUrlFile, `alerting.receivers.${receiver.name}.slack.apiUrlFile`),
      ...(s.title !== undefined ? { title: s.title } : {}),
      ...(s.text !== undefined ? { text: s.text } : {}),
      sendResolved: s.sendResolved,
    }));
  }
  if (receiver.pagerduty.length) {
    spec.pagerdutyConfigs = receiver.pagerduty.map((p) => ({ routingKey: secretOf(model, p.routingKeyFile, `alerting.receivers.${receiver.name}.pagerduty.routingKeyFile`), sendResolved: p.sendResolved }));
  }
  if (receiver.webhook.length) {
    spec.webhookConfigs = receiver.webhook.map((w) => ({
      ...(w.url !== undefined ? { url: w.url } : { urlSecret: secretOf(model, w.urlFile, `alerting.receivers.${receiver.name}.webhook.urlFile`) }),
      sendResolved: w.sendResolved,
    }));
  }
  return spec as ReceiverSpec;
}
