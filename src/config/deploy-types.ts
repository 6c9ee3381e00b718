/**
 * Where the stack is deployed (config `deploy`), and the fully defaulted form the renderers read.
 *
 * `standalone` is mlmon's own Prometheus, Alertmanager and Grafana (out/k8s); `prometheus-operator` hands rules,
 * scrape targets, routing and dashboards to a cluster that already runs the Prometheus Operator, usually through
 * kube-prometheus-stack (out/operator).
 */
import { configDefaults, type DefaultedPath } from './defaults.js';

/** Deployment target: what out/ holds for Kubernetes. */
export interface DeployConfig {
  /**
   * `standalone`: mlmon's own Prometheus, Alertmanager and Grafana (out/k8s). `prometheus-operator`:
   * PrometheusRule, PodMonitor, an Alertmanager config Secret and dashboard ConfigMaps for a cluster's Prometheus
   * Operator (out/operator, see docs/deploy.md); Logstash and Filebeat stay in out/k8s.
   * @default "standalone"
   */
  target?: 'standalone' | 'prometheus-operator';
  /** Settings for the `prometheus-operator` target; ignored for `standalone`. */
  prometheusOperator?: PrometheusOperatorConfig;
}

/** How the objects for the Prometheus Operator are labelled and shaped. */
export interface PrometheusOperatorConfig {
  /**
   * The Helm release name of kube-prometheus-stack: every PrometheusRule and PodMonitor is labelled
   * `release: <this>`, which is what the chart's default ruleSelector and podMonitorSelector match
   * (`*SelectorNilUsesHelmValues: true`).
   * @default "kube-prometheus-stack"
   */
  release?: string;
  /** More labels on every PrometheusRule and PodMonitor, for a cluster whose selectors match other labels. */
  labels?: Record<string, string>;
  /**
   * The Grafana folder the dashboards land in: the value of the `grafana_folder` annotation on each dashboard
   * ConfigMap (kube-prometheus-stack: `grafana.sidecar.dashboards.folderAnnotation: grafana_folder`).
   * @default "mlmon"
   */
  dashboardFolder?: string;
  /**
   * How routing reaches the operator's Alertmanager. `config-secret`: alertmanager/alertmanager.yml, whole, in the
   * Secret `mlmon-alertmanager-config` for the Alertmanager's `configSecret`. `alertmanager-config`: an
   * AlertmanagerConfig (monitoring.coreos.com/v1alpha1) named `mlmon`, whose receivers the operator renders as
   * `<namespace>/mlmon/<receiver>`; each credential file (`<kubernetes.alertmanagerSecretMountPath>/<key>`) becomes
   * a reference to that key of the Secret `kubernetes.alertmanagerSecretName`, which must be in the same namespace.
   * @default "config-secret"
   */
  routing?: 'config-secret' | 'alertmanager-config';
  /**
   * For `routing: 'alertmanager-config'`: the `alertmanagerConfigMatcherStrategy.type` your Alertmanager has, which
   * you must set (kube-prometheus-stack: `alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy.type`).
   * The operator's default, `OnNamespace`, adds `namespace="<the AlertmanagerConfig's namespace>"` to its first
   * route, so every alert without that label (about a model, a node, a service in another namespace) would
   * never reach mlmon's receivers; it is not accepted. `None` adds nothing.
   * `OnNamespaceExceptForAlertmanagerNamespace` adds nothing for an AlertmanagerConfig in the Alertmanager's own
   * namespace, so `kubernetes.namespace` must be that namespace.
   * @default "None"
   */
  alertmanagerConfigMatcherStrategy?: 'None' | 'OnNamespaceExceptForAlertmanagerNamespace';
}

/** The deploy settings, defaults applied. */
export interface DeployModel {
  readonly target: 'standalone' | 'prometheus-operator';
  readonly prometheusOperator: {
    /** Labels on every PrometheusRule and PodMonitor: `release` first, then the config's own labels. */
    readonly labels: Readonly<Record<string, string>>;
    readonly dashboardFolder: string;
    readonly routing: 'config-secret' | 'alertmanager-config';
    readonly alertmanagerConfigMatcherStrategy: 'None' | 'OnNamespaceExceptForAlertmanagerNamespace';
  };
}

/** The model's `deploy` part: normalize/model.ts's MonitoringModel extends it. */
export interface DeployedModel {
  readonly deploy: DeployModel;
}

/** `deploy` with its defaults, from the table of defaults (config/defaults.ts). */
export function resolveDeploy(deploy: DeployConfig | undefined): DeployModel {
  const operator = deploy?.prometheusOperator ?? {};
  const at = <K extends `deploy.${string}` & DefaultedPath>(key: K) => configDefaults[key];
  return {
    target: deploy?.target ?? at('deploy.target'),
    prometheusOperator: {
      labels: { release: operator.release ?? at('deploy.prometheusOperator.release'), ...operator.labels },
      dashboardFolder: operator.dashboardFolder ?? at('deploy.prometheusOperator.dashboardFolder'),
      routing: operator.routing ?? at('deploy.prometheusOperator.routing'),
      alertmanagerConfigMatcherStrategy: operator.alertmanagerConfigMatcherStrategy ?? at('deploy.prometheusOperator.alertmanagerConfigMatcherStrategy'),
    },
  };
}
