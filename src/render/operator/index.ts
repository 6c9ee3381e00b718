/**
 * out/operator/: what a cluster running the Prometheus Operator (usually through kube-prometheus-stack) takes
 * in place of mlmon's own Prometheus, Alertmanager and Grafana (config `deploy.target: 'prometheus-operator'`):
 *
 * - prometheus-rules.yaml: PrometheusRule objects holding the rule groups of prometheus/rules/*.yml (rules.ts);
 * - scrape-targets.yaml: a PodMonitor or ScrapeConfig per scrape job (monitors.ts);
 * - alertmanager-config.yaml: by config `routing`, either alertmanager/alertmanager.yml, byte for byte, in a
 *   Secret for the Alertmanager's `configSecret` (key `alertmanager.yaml`, which the operator reads; it holds
 *   `*_file` references only, no secret values, check `secrets/*`), or an AlertmanagerConfig
 *   (alertmanager-config.ts) with routing-tests.yml: alertmanager/routing-tests.yml with the receiver names the
 *   operator renders;
 * - grafana-dashboards.yaml: each dashboard in a ConfigMap for the Grafana sidecar of kube-prometheus-stack;
 * - kustomization.yaml: these and ../k8s (namespace, Logstash, Filebeat; the Kubernetes renderer leaves out
 *   Prometheus, Alertmanager and Grafana for this target), for `kubectl apply --server-side -k out/operator`.
 *
 * Objects are built as data and laid out like out/k8s. The standalone target writes none of this.
 */
import type { MonitoringModel } from '../../normalize/model.js';
import { yamlDocument } from '../../formats/yaml/layout.js';
import { banner, RenderError, type RenderedFile } from '../artifact.js';
import type { Templates } from '../templating.js';
import { alertmanagerConfigObject, operatorReceiverName } from './alertmanager-config.js';
import { scrapeObjects } from './monitors.js';
import { objectName } from './names.js';
import { prometheusRules } from './rules.js';

export const operatorFolder = 'operator';

/** The Secret the Alertmanager's `spec.configSecret` names (kube-prometheus-stack: `alertmanager.alertmanagerSpec.configSecret`). */
export const alertmanagerConfigSecret = 'mlmon-alertmanager-config';

/** The label kube-prometheus-stack's Grafana sidecar selects dashboards by (`grafana.sidecar.dashboards.label`, value `"1"`). */
export const dashboardLabel = 'grafana_dashboard';
/** The annotation naming a dashboard's folder; the chart must set `grafana.sidecar.dashboards.folderAnnotation` to it. */
export const folderAnnotation = 'grafana_folder';

// A ConfigMap's data may hold 1 MiB (1,048,576 bytes, the API server's MaxSecretSize/ConfigMap limit).
const configMapLimitBytes = 1_048_576;

/** The operator target's files; none for the standalone target. */
export function renderOperator(model: MonitoringModel, rendered: readonly RenderedFile[], templates: Templates): RenderedFile[] {
  if (model.deploy.target !== 'prometheus-operator') return [];
  const { labels, dashboardFolder, routing } = model.deploy.prometheusOperator;
  const alertmanagerYml = rendered.find((f) => f.path === 'alertmanager/alertmanager.yml');
  if (!alertmanagerYml) throw new RenderError(`${operatorFolder}/alertmanager-config.yaml`, 'alertmanager/alertmanager.yml was not rendered');
  const dashboards = rendered.filter((f) => /^grafana\/dashboards\/[^/]+\.json$/.test(f.path));

  const files = [
    layOut(model, 'prometheus-rules.yaml', prometheusRules(model, labels)),
    layOut(model, 'scrape-targets.yaml', scrapeObjects(model, labels)),
    layOut(model, 'alertmanager-config.yaml', [routing === 'alertmanager-config' ? alertmanagerConfigObject(model) : {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: alertmanagerConfigSecret, labels: { 'app.kubernetes.io/managed-by': 'mlmon' } },
      type: 'Opaque',
      stringData: { 'alertmanager.yaml': alertmanagerYml.content },
    }]),
    layOut(model, 'grafana-dashboards.yaml', dashboards.map((file) => {
      const key = file.path.slice('grafana/dashboards/'.length);
      if (Buffer.byteLength(file.content, 'utf8') > configMapLimitBytes) {
        throw new RenderError(`${operatorFolder}/grafana-dashboards.yaml`, `dashboard ${key} is over the 1 MiB a ConfigMap can hold`);
      }
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: objectName(`dashboard-${key.replace(/\.json$/, '')}`),
          labels: { [dashboardLabel]: '1', 'app.kubernetes.io/managed-by': 'mlmon' },
          annotations: { [folderAnnotation]: dashboardFolder },
        },
        data: { [key]: file.content },
      };
    })),
  ];
  files.push({
    path: `${operatorFolder}/kustomization.yaml`,
    content: `${banner(model)}\n# Apply with \`kubectl apply --server-side -k <this folder>\`.\n${yamlDocument({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: model.kubernetes.namespace,
      resources: ['../k8s', ...files.map((f) => f.path.slice(operatorFolder.length + 1))],
    })}`,
  });
  if (routing === 'alertmanager-config') {
    // The same cases as alertmanager/routing-tests.yml, for the receivers as the operator renames them.
    const cases = model.routingTests.map((c) => ({ ...c, receivers: c.receivers.map((r) => operatorReceiverName(model.kubernetes.namespace, r)) }));
    files.push({ path: `${operatorFolder}/routing-tests.yml`, content: templates.render('alertmanager/routing-tests.yml.hbs', { banner: banner(model), cases }) });
  }
  return files;
}

function layOut(model: MonitoringModel, name: string, objects: readonly object[]): RenderedFile {
  return { path: `${operatorFolder}/${name}`, content: `${banner(model)}\n${objects.map((o) => `---\n${yamlDocument(o)}`).join('')}` };
}
