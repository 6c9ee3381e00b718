/**
 * The objects of each component. A component is deployed when mlmon rendered its config (Prometheus needs
 * prometheus.yml, Logstash a pipeline…), so the manifests never run a program on its image's sample config.
 *
 * Ports, paths inside the images and probe endpoints below are facts of the pinned images, not choices.
 */
import { posix } from 'node:path';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { KubernetesComponent, MonitoringModel, RbacRule } from '../../normalize/model.js';
import { RenderError, type RenderedFile } from '../artifact.js';
import { mountConfig, type ConfigMount, type MountedConfig } from './config-volumes.js';
import { emptyDir, httpProbe, labelsOf, podTemplate, selectorOf } from './pod.js';

/** One object of a manifest file, with the comment lines written above it. */
export interface ManifestDocument {
  readonly object: { readonly apiVersion: string; readonly kind: string; readonly metadata?: { readonly name?: string } };
  readonly comments: readonly string[];
}

export interface ComponentManifests {
  readonly component: KubernetesComponent;
  readonly documents: readonly ManifestDocument[];
}

export interface Context {
  readonly model: MonitoringModel;
  readonly files: readonly RenderedFile[];
}

/** Call with the object's type (`doc<IDeployment>({...})`) so its literal is checked against the Kubernetes API. */
export function doc<T extends ManifestDocument['object']>(object: T, comments: readonly string[] = []): ManifestDocument {
  return { object, comments };
}

export function alertmanagerManifests({ model, files }: Context): ComponentManifests | undefined {
  if (!files.some((f) => f.path === 'alertmanager/alertmanager.yml')) return undefined;
  const { namespace, alertmanagerSecret: secret } = model.kubernetes;
  const configDir = '/etc/alertmanager/config';
  const dataDir = '/alertmanager';
  const config = mount(model, files, 'alertmanager', { volume: 'config', from: 'alertmanager/', only: (p) => p === 'alertmanager.yml' || p.startsWith('templates/'), to: configDir, mode: 'folder' })!;
  for (const other of [configDir, dataDir]) {
    if (secret.mountPath === other || secret.mountPath.startsWith(`${other}/`) || other.startsWith(`${secret.mountPath}/`)) {
      throw new RenderError('k8s/alertmanager.yaml', `kubernetes.alertmanagerSecretMountPath ${secret.mountPath} overlaps ${other}, where Alertmanager keeps its ${other === configDir ? 'config' : 'data'}`);
    }
  }
  const port = 9093;
  const needsSecret = secret.keys.length > 0;
  return {
    component: 'alertmanager',
    documents: [
      ...config.configMaps.map((cm) => doc(cm)),
      doc(service(model, 'alertmanager', [{ name: 'http', port }])),
      // A StatefulSet with a volume, as kube-prometheus runs it: silences and the notification log (which
      // notifications were sent) survive a restart, so a restart neither drops silences nor re-sends pages.
      doc<IStatefulSet>(
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'alertmanager', namespace, labels: labelsOf('alertmanager') },
          spec: {
            serviceName: 'alertmanager',
            // One replica, so no cluster peers: a second one would need --cluster.peer flags and a headless
            // Service for the gossip, and each Prometheus would have to send to every replica.
            replicas: 1,
            selector: { matchLabels: selectorOf('alertmanager') },
            template: podTemplate(model, {
              component: 'alertmanager',
              configFiles: config.files,
              volumes: [
                config.volume,
                // Only the keys alerting reads, so a missing one stops the pod at start with the key's name.
                ...(needsSecret ? [{ name: 'secrets', secret: { secretName: secret.name, items: secret.keys.map((key) => ({ key, path: key })), defaultMode: 0o440 } }] : []),
              ],
              container: {
                args: [
                  `--config.file=${configDir}/alertmanager.yml`,
                  `--storage.path=${dataDir}`,
                  `--web.listen-address=:${port}`,
                  // One replica: without this it keeps looking for cluster peers to gossip silences with.
                  '--cluster.listen-address=',
                ],
                ports: [{ name: 'http', containerPort: port }],
                readinessProbe: httpProbe('/-/ready', 'http', { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 }),
                livenessProbe: httpProbe('/-/healthy', 'http', { initialDelaySeconds: 10, periodSeconds: 15, failureThreshold: 4 }),
                volumeMounts: [
                  ...config.volumeMounts,
                  ...(needsSecret ? [{ name: 'secrets', mountPath: secret.mountPath, readOnly: true }] : []),
                  // Silences and the notification log, on the claim below.
                  { name: 'data', mountPath: dataDir },
                ],
              },
            }),
            volumeClaimTemplates: [
              {
                metadata: { name: 'data', labels: labelsOf('alertmanager') },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: model.kubernetes.alertmanagerStorageSize } } },
              },
            ],
          },
        },
        needsSecret
          ? secretInstructions(model, secret.name, secret.keys.map((key) => `--from-file=${key}=<file holding ${key}>`))
          : [],
      ),
    ],
  };
}

export function grafanaManifests({ model, files }: Context): ComponentManifests | undefined {
  const { namespace, grafanaAdminSecret: admin } = model.kubernetes;
  const provisioning = mount(model, files, 'grafana', { volume: 'provisioning', from: 'grafana/provisioning/', only: () => true, to: '/etc/grafana/provisioning', mode: 'folder' });
  // One ConfigMap per dashboard, labelled so kube-prometheus-stack's Grafana sidecar also picks them up.
  const dashboards = mount(model, files, 'grafana', {
    volume: 'dashboards',
    from: 'grafana/dashboards/',
    only: () => true,
    to: model.grafana.dashboardsPath,
    mode: 'folder',
    configMapPerFile: { namePrefix: 'grafana-dashboard', labels: { grafana_dashboard: '1' } },
  });
  if (!provisioning && !dashboards) return undefined;
  const mounted = [provisioning, dashboards].filter((m): m is MountedConfig => m !== undefined);
  const port = 3000;
  const fromAdminSecret = (name: string, key: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: admin.name, key } } });
  return {
    component: 'grafana',
    documents: [
      ...mounted.flatMap((m) => m.configMaps.map((cm) => doc(cm))),
      doc(service(model, 'grafana', [{ name: 'http', port }])),
      doc<IDeployment>(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'grafana', namespace, labels: labelsOf('grafana') },
          spec: {
            replicas: 1,
            selector: { matchLabels: selectorOf('grafana') },
            template: podTemplate(model, {
              component: 'grafana',
              configFiles: mounted.flatMap((m) => m.files),
              volumes: [...mounted.map((m) => m.volume), emptyDir('storage'), emptyDir('logs'), emptyDir('tmp')],
              container: {
                env: [fromAdminSecret('GF_SECURITY_ADMIN_USER', admin.userKey), fromAdminSecret('GF_SECURITY_ADMIN_PASSWORD', admin.passwordKey)],
                ports: [{ name: 'http', containerPort: port }],
                readinessProbe: httpProbe('/api/health', 'http', { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 }),
                livenessProbe: httpProbe('/api/health', 'http', { initialDelaySeconds: 30, periodSeconds: 15, failureThreshold: 4 }),
                volumeMounts: [
                  // Everything is provisioned from files, so its database (users, stars) may start empty after a restart.
                  { name: 'storage', mountPath: '/var/lib/grafana' },
                  { name: 'logs', mountPath: '/var/log/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                  ...mounted.flatMap((m) => m.volumeMounts),
                ],
              },
            }),
          },
        },
        secretInstructions(model, admin.name, [`--from-literal=${admin.userKey}=admin`, `--from-file=${admin.passwordKey}=<file holding the password>`]),
      ),
    ],
  };
}

export function logstashManifests({ model, files }: Context): ComponentManifests | undefined {
  const { namespace, elasticsearchSecret: es } = model.kubernetes;
  const { writableRootFilesystemBecause } = model.kubernetes.security.logstash;
  const { configPath } = model.logging.pipeline;
  const pipeline = mount(model, files, 'logstash', { volume: 'pipeline', from: 'logstash/pipeline/', only: () => true, to: posix.dirname(configPath), mode: 'folder' });
  if (!pipeline) return undefined;
  if (!pipeline.volumeMounts.some((m) => pipeline.files.some((f) => posix.join(m.mountPath, f.path.slice('logstash/pipeline/'.length)) === configPath))) {
    throw new RenderError('k8s/logstash.yaml', `pipelines.yml loads ${configPath}, which no rendered file under logstash/pipeline/ becomes`);
  }
  // pipelines.yml and any other settings file sit beside the image's logstash.yml and jvm.options, so each is mounted on its own.
  const settings = mount(model, files, 'logstash', { volume: 'settings', from: 'logstash/', only: (p) => !p.includes('/'), to: '/usr/share/logstash/config', mode: 'files' });
  const mounted = [pipeline, settings].filter((m): m is MountedConfig => m !== undefined);
  const beatsPort = model.logging.beatsPort;
  const { userVariable, passwordVariable } = model.logging.elasticsearchCredentials;
  const fromSecret = (name: string, key: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: es.name, key } } });
  return {
    component: 'logstash',
    documents: [
      ...mounted.flatMap((m) => m.configMaps.map((cm) => doc(cm))),
      doc(service(model, 'logstash', [{ name: 'beats', port: beatsPort }])),
      doc<IDeployment>(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'logstash', namespace, labels: labelsOf('logstash') },
          spec: {
            replicas: 1,
            selector: { matchLabels: selectorOf('logstash') },
            template: podTemplate(model, {
              component: 'logstash',
              configFiles: mounted.flatMap((m) => m.files),
              // No emptyDir at /tmp: JRuby would refuse it (see the comment above), and the image's own /tmp is fine.
              volumes: [...mounted.map((m) => m.volume), emptyDir('data')],
              container: {
                // The pipeline reads these as ${...}; they are never written into a file.
                env: [fromSecret(userVariable, es.usernameKey), fromSecret(passwordVariable, es.passwordKey)],
                ports: [
                  { name: 'beats', containerPort: beatsPort },
                  { name: 'api', containerPort: 9600 },
                ],
                // The JVM and the plugins take a minute or more to start; liveness only counts after startup.
                startupProbe: httpProbe('/', 'api', { periodSeconds: 10, failureThreshold: 30 }),
                readinessProbe: httpProbe('/', 'api', { periodSeconds: 10, failureThreshold: 3 }),
                livenessProbe: httpProbe('/', 'api', { periodSeconds: 20, failureThreshold: 3 }),
                volumeMounts: [
                  ...mounted.flatMap((m) => m.volumeMounts),
                  // The persistent queue and dead letter queue, if turned on, and the node's id.
                  { name: 'data', mountPath: '/usr/share/logstash/data' },
                ],
              },
            }),
          },
        },
        [
          ...secretInstructions(model, es.name, [`--from-literal=${es.usernameKey}=<user>`, `--from-file=${es.passwordKey}=<file holding the password>`]),
          ...(writableRootFilesystemBecause ? [`Its root filesystem stays writable, the one exception in this stack: ${writableRootFilesystemBecause}.`] : []),
        ],
      ),
    ],
  };
}

export function filebeatManifests({ model, files }: Context): ComponentManifests | undefined {
  if (!files.some((f) => f.path === 'filebeat/filebeat.yml')) return undefined;
  const { namespace } = model.kubernetes;
  const home = '/usr/share/filebeat';
  const config = mount(model, files, 'filebeat', { volume: 'config', from: 'filebeat/', only: () => true, to: home, mode: 'files' })!;
  const { rootBecause } = model.kubernetes.security.filebeat;
  const statsPort = 5066;
  const hostPath = (name: string, path: string, type: 'Directory' | 'DirectoryOrCreate'): IVolume => ({ name, hostPath: { path, type } });
  return {
    component: 'filebeat',
    documents: [
      ...serviceAccountWithRole(model, 'filebeat', model.kubernetes.filebeatRbac),
      ...config.configMaps.map((cm) => doc(cm)),
      doc<IDaemonSet>(
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'filebeat', namespace, labels: labelsOf('filebeat') },
          spec: {
            selector: { matchLabels: selectorOf('filebeat') },
            template: podTemplate(model, {
              component: 'filebeat',
              serviceAccount: { name: 'filebeat', needsApiToken: true },
              configFiles: config.files,
              volumes: [
                config.volume,
                hostPath('varlogcontainers', '/var/log/containers', 'Directory'),
                hostPath('varlogpods', '/var/log/pods', 'Directory'),
                // The registry of how far each file was read: on the node, so a restarted Filebeat doesn't ship every log again.
                hostPath('data', `/var/lib/mlmon/filebeat-${namespace}`, 'DirectoryOrCreate'),
              ],
              container: {
                args: [
                  '-c', `${home}/filebeat.yml`,
                  // Log to stderr, where `kubectl logs` finds it, instead of files in the read-only image.
                  '-e',
                  // Filebeat's stats endpoint, for the probes. filebeat.yml leaves it off and it binds to localhost by
                  // default, where the kubelet's probes can't reach it; it serves only counters, no log content.
                  '-E', 'http.enabled=true', '-E', 'http.host=0.0.0.0', '-E', `http.port=${statsPort}`,
                ],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'stats', containerPort: statsPort }],
                readinessProbe: httpProbe('/', 'stats', { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 }),
                livenessProbe: httpProbe('/', 'stats', { initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 }),
                volumeMounts: [
                  ...config.volumeMounts,
                  // /var/log/containers holds symlinks into /var/log/pods: both at their node paths, read-only.
                  { name: 'varlogcontainers', mountPath: '/var/log/containers', readOnly: true },
                  { name: 'varlogpods', mountPath: '/var/log/pods', readOnly: true },
                  { name: 'data', mountPath: `${home}/data` },
                ],
              },
            }),
          },
        },
        rootBecause ? [`Runs as root, the one exception to non-root in this stack: ${rootBecause}.`, 'It still drops every capability, cannot escalate privileges and mounts the log folders read-only.'] : [],
      ),
    ],
  };
}

export function mount(model: MonitoringModel, files: readonly RenderedFile[], component: KubernetesComponent, config: ConfigMount): MountedConfig | undefined {
  return mountConfig(config, files, { namespace: model.kubernetes.namespace, labels: labelsOf(component) });
}

/** The component's Service; `instance` names one of several (a Prometheus shard) and narrows its selector. */
export function service(model: MonitoringModel, component: KubernetesComponent, ports: { name: string; port: number }[], instance?: { name: string; labels: Readonly<Record<string, string>> }): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: instance?.name ?? component, namespace: model.kubernetes.namespace, labels: { ...labelsOf(component), ...instance?.labels } },
    spec: { selector: { ...selectorOf(component), ...instance?.labels }, ports: ports.map(({ name, port }) => ({ name, port, targetPort: name, protocol: 'TCP' })) },
  };
}

/** A service account, and a ClusterRole + binding when it needs to read anything; each rule says why. */
export function serviceAccountWithRole(model: MonitoringModel, component: KubernetesComponent, rules: readonly RbacRule[]): ManifestDocument[] {
  const { namespace } = model.kubernetes;
  const account: IServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: component, namespace, labels: labelsOf(component) },
    automountServiceAccountToken: false,
  };
  if (rules.length === 0) return [doc(account)];
  // Cluster-scoped names are shared by every namespace: the namespace keeps two installs apart.
  const roleName = `mlmon-${namespace}-${component}`;
  const role: IClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: roleName, labels: labelsOf(component) },
    rules: rules.map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
  };
  const binding: IClusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: roleName, labels: labelsOf(component) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: component, namespace }],
  };
  return [doc(account), doc(role, ['Read-only, and only what is needed:', ...rules.map((rule) => `${rule.verbs.join('/')} ${rule.resources.join(', ')}: ${rule.because}`)]), doc(binding)];
}

/** How to create a Secret the pod reads: mlmon never writes secret values, so the user creates it. */
export function secretInstructions(model: MonitoringModel, name: string, fromArgs: readonly string[]): string[] {
  return [
    `Reads the Secret ${JSON.stringify(name)}, which you create (mlmon never writes secret values), e.g.:`,
    `  kubectl -n ${model.kubernetes.namespace} create secret generic ${name} ${fromArgs.join(' ')}`,
  ];
}
