/**
 * The Prometheus server's manifests: one StatefulSet, or one per shard (`prometheus.shards`), with their
 * ConfigMaps, Services and RBAC. The other components are in components.ts, whose helpers these share.
 */
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { MonitoringModel } from '../../normalize/model.js';
import { RenderError, type RenderedFile } from '../artifact.js';
import { shardDir } from '../ruler/shards.js';
import { doc, mount, service, serviceAccountWithRole, type ComponentManifests, type Context } from './components.js';
import { mountConfig, type MountedConfig } from './config-volumes.js';
import { httpProbe, labelsOf, podTemplate, selectorOf } from './pod.js';

export function prometheusManifests({ model, files }: Context): ComponentManifests | undefined {
  if (!files.some((f) => f.path === 'prometheus/prometheus.yml')) return undefined;
  if (model.scaleOut.shards.length > 0) return prometheusShardManifests({ model, files });
  const { namespace } = model.kubernetes;
  // prometheus.yml names its rule files and scrape config files relative to itself (`rules/alerts.yml`,
  // `scrape-configs/services-001.yml`): mount them in one folder.
  const config = mount(model, files, 'prometheus', { volume: 'config', from: 'prometheus/', only: (p) => p === 'prometheus.yml' || p.startsWith('rules/') || p.startsWith('scrape-configs/'), to: '/etc/prometheus', mode: 'folder' })!;
  for (const rulePath of model.prometheus.ruleFilePaths) {
    if (!config.files.some((f) => f.path === `prometheus/${rulePath}`)) throw new RenderError('k8s/prometheus.yaml', `prometheus.yml reads ${rulePath}, which was not rendered`);
  }
  const rbac = model.kubernetes.prometheusRbac;
  // The same value as the self-scrape target in prometheus.yml and Grafana's default data source URL.
  const { port } = model.prometheus;
  return {
    component: 'prometheus',
    documents: [
      ...serviceAccountWithRole(model, 'prometheus', rbac),
      ...config.configMaps.map((cm) => doc(cm)),
      doc(service(model, 'prometheus', [{ name: 'http', port }])),
      doc(prometheusStatefulSet(model, { name: 'prometheus', configFile: '/etc/prometheus/prometheus.yml', config })),
    ],
  };
}

/**
 * `prometheus.shards` > 1: one Prometheus per shard, each running its own out/prometheus/shards/shard-<i>/
 * prometheus.yml (its share of the targets, by hashmod; render/ruler/shards.ts), instead of the one server.
 *
 * One StatefulSet of one replica per shard, not one StatefulSet of N replicas: a pod of a StatefulSet can't be
 * given its own ConfigMap, and Prometheus can't pick its share from the pod's ordinal (it expands environment
 * variables only in external labels, not in relabel rules), so N replicas would need a shell wrapper choosing
 * the config file, and one pod template would carry one config checksum, rolling every shard when any one
 * shard's targets change. Per shard, each has its own ConfigMap, checksum, Service and volume claim, and
 * `kubectl rollout restart statefulset/prometheus-shard-1` touches one shard. A StatefulSet rather than a
 * Deployment for the same reason as the one server: its claim (data-prometheus-shard-<i>-0) follows the pod
 * and outlives a delete, and a rolling update never starts a second pod on a ReadWriteOnce volume still held
 * by the first. The Prometheus Operator lays out its own shards the same way (a StatefulSet per shard).
 *
 * The shards load only the per-target rule files (model.prometheus.ruleFilePaths, chosen by
 * normalize/sharding.ts), from one ConfigMap they all mount. The alert, threshold and SLO rules are written to
 * out/ruler/<kind>/ for the central ruler (vmalert, Thanos Ruler, Mimir's ruler), which these manifests do not
 * deploy: it runs beside the central store, which is the user's (docs/deploy.md, "Scale-out").
 */
function prometheusShardManifests({ model, files }: Context): ComponentManifests {
  const { namespace } = model.kubernetes;
  const rbac = model.kubernetes.prometheusRbac;
  const { port } = model.prometheus;
  const shardCount = model.scaleOut.shards.length;
  // Every path is mounted where it is under out/prometheus/, so the shard's `../../rules/…` and
  // `scrape-configs/…` resolve in the container as they do in out/.
  const configDir = '/etc/prometheus';
  const localRules = new Set(model.prometheus.ruleFilePaths);
  const rules = mountConfig({ volume: 'config', from: 'prometheus/', only: (p) => localRules.has(p), to: configDir, mode: 'folder' }, files, { namespace, labels: labelsOf('prometheus') });
  for (const rulePath of localRules) {
    if (!rules?.files.some((f) => f.path === `prometheus/${rulePath}`)) throw new RenderError('k8s/prometheus.yaml', `the shards read ${rulePath}, which was not rendered`);
  }
  const shards = model.scaleOut.shards.map((shard) => {
    const name = `prometheus-shard-${shard.index}`;
    const shardLabel = { shard: String(shard.index) };
    const dir = `${shardDir(shard.index)}/`;
    const own = mountConfig(
      { volume: 'config', from: 'prometheus/', only: (p) => `prometheus/${p}`.startsWith(dir), to: configDir, mode: 'folder' },
      files,
      { namespace, labels: { ...labelsOf('prometheus'), ...shardLabel } },
    );
    if (!own?.files.some((f) => f.path === `${dir}prometheus.yml`)) throw new RenderError('k8s/prometheus.yaml', `${dir}prometheus.yml was not rendered`);
    const config: ConfigOfPod = {
      files: [...own.files, ...(rules?.files ?? [])],
      volume: { name: 'config', projected: { sources: [...own.volume.projected!.sources!, ...(rules?.volume.projected?.sources ?? [])] } },
      volumeMounts: own.volumeMounts,
    };
    return [
      ...own.configMaps.map((cm) => doc(cm)),
      doc(service(model, 'prometheus', [{ name: 'http', port }], { name, labels: shardLabel })),
      doc(
        prometheusStatefulSet(model, { name, configFile: `${configDir}/${dir.slice('prometheus/'.length)}prometheus.yml`, config, shardLabel }),
        [
          `Shard ${shard.index} of ${shardCount}: scrapes its share of the targets and remote-writes them; its Service ${name} serves its own UI and API.`,
          `The alert, threshold and SLO rules run on your central ruler (out/ruler/${model.scaleOut.centralRuler?.kind ?? '<kind>'}/), which these manifests do not deploy.`,
        ],
      ),
    ];
  });
  return {
    component: 'prometheus',
    documents: [...serviceAccountWithRole(model, 'prometheus', rbac), ...(rules?.configMaps.map((cm) => doc(cm)) ?? []), ...shards.flat()],
  };
}

/** What a Prometheus pod mounts from ConfigMaps: the files (for its checksum), the volume and its mounts. */
type ConfigOfPod = Pick<MountedConfig, 'files' | 'volume' | 'volumeMounts'>;

/** The one Prometheus server, or one shard of it (`shardLabel` on its objects, pods and selector). */
function prometheusStatefulSet(model: MonitoringModel, { name, configFile, config, shardLabel }: { name: string; configFile: string; config: ConfigOfPod; shardLabel?: Readonly<Record<string, string>> }): IStatefulSet {
  const rbac = model.kubernetes.prometheusRbac;
  const { port } = model.prometheus;
  const labels = { ...labelsOf('prometheus'), ...shardLabel };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: model.kubernetes.namespace, labels },
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: { ...selectorOf('prometheus'), ...shardLabel } },
      template: podTemplate(model, {
        component: 'prometheus',
        ...(shardLabel ? { labels: shardLabel } : {}),
        serviceAccount: { name: 'prometheus', needsApiToken: rbac.length > 0 },
        configFiles: config.files,
        volumes: [config.volume],
        container: {
          args: [
            `--config.file=${configFile}`,
            '--storage.tsdb.path=/prometheus',
            `--storage.tsdb.retention.time=${model.prometheus.retention}`,
            `--web.listen-address=:${port}`,
          ],
          ports: [{ name: 'http', containerPort: port }],
          // /-/ready stays 503 while the WAL is replayed after a restart; /-/healthy answers as soon as the server runs.
          readinessProbe: httpProbe('/-/ready', 'http', { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: httpProbe('/-/healthy', 'http', { initialDelaySeconds: 30, periodSeconds: 15, failureThreshold: 4 }),
          volumeMounts: [...config.volumeMounts, { name: 'data', mountPath: '/prometheus' }],
        },
      }),
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: model.prometheus.storageSize } } },
        },
      ],
    },
  };
}

