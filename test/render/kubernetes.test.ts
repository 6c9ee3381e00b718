import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { checkKubernetesObjects, kubernetesModelClasses } from '../../src/check/kubernetes-objects.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import type { KubernetesComponent, MonitoringModel } from '../../src/normalize/model.js';
import { banner, type RenderedFile } from '../../src/render/artifact.js';
import { renderKubernetes } from '../../src/render/kubernetes.js';
import { checksumAnnotation, rootAnnotation, writableRootAnnotation } from '../../src/render/kubernetes/pod.js';
import { renderAll } from '../../src/render/render.js';
import { generateExample, generateFromConfig, modelOf, problemsOf, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

// ---- reading the manifests back ------------------------------------------------------------------

// The manifests are checked as plain parsed data, the way kubectl and kustomize receive them.
type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

interface Rendered {
  readonly model: MonitoringModel;
  readonly files: readonly RenderedFile[];
  /** Every object of every out/k8s manifest, with the file it is in. */
  readonly objects: readonly { file: string; object: KubeObject }[];
}

/** A small config with pods discovered in Kubernetes, kubelet scraping and Alertmanager secrets (fresh each call: the model freezes what it keeps). */
const baseConfig = (): MonitoringConfig => ({
  services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } },
  models: { 'fraud-detector': { service: 'model-api' } },
  alerting: {
    smtp: { smarthost: 'smtp.example.com:587', from: 'am@example.com', authPasswordFile: '/etc/alertmanager/secrets/smtp-password' },
    receivers: { default: { email: [{ to: 'ops@example.com' }] }, pager: { pagerduty: [{ routingKeyFile: '/etc/alertmanager/secrets/pagerduty-routing-key' }] } },
    routes: [{ match: { severity: 'critical' }, receiver: 'pager' }],
  },
});

function rendered(model: MonitoringModel, files: readonly RenderedFile[] = renderAll(model)): Rendered {
  const objects = files
    .filter((f) => f.path.startsWith('k8s/') && f.path !== 'k8s/kustomization.yaml')
    .flatMap((f) => parseAllDocuments(f.content, { uniqueKeys: true }).map((d) => {
      expect(d.errors, f.path).toEqual([]);
      return { file: f.path, object: d.toJS() as KubeObject };
    }));
  return { model, files, objects };
}

const renderConfig = (config: MonitoringConfig): Rendered => rendered(modelOf(config));

const fileContent = (r: Rendered, path: string): string => {
  const file = r.files.find((f) => f.path === path);
  if (!file) throw new Error(`${path} was not rendered`);
  return file.content;
};

const ofKind = (r: Rendered, kind: string): KubeObject[] => r.objects.filter((o) => o.object.kind === kind).map((o) => o.object);

function find(r: Rendered, kind: string, name: string): KubeObject {
  const found = ofKind(r, kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

const workloadKinds = ['StatefulSet', 'Deployment', 'DaemonSet'];
const workloads = (r: Rendered): KubeObject[] => r.objects.filter((o) => workloadKinds.includes(o.object.kind)).map((o) => o.object);
const workloadOf = (r: Rendered, component: KubernetesComponent): KubeObject => {
  const found = workloads(r).find((w) => w.metadata.name === component);
  if (!found) throw new Error(`no workload ${component}`);
  return found;
};
const containerOf = (workload: KubeObject): any => workload.spec.template.spec.containers[0];

/**
 * The files a workload's container sees from ConfigMaps, by path in the container, worked out the way the
 * kubelet does: projected volume items, folder mounts and subPath mounts. Also returns the ConfigMap keys used.
 */
function configFilesInContainer(r: Rendered, workload: KubeObject): { files: Map<string, string>; usedKeys: Set<string> } {
  const pod = workload.spec.template.spec;
  const usedKeys = new Set<string>();
  const volumeFiles = (name: string): Map<string, string> | undefined => {
    const volume = pod.volumes.find((v: any) => v.name === name);
    if (!volume?.projected) return undefined;
    const files = new Map<string, string>();
    for (const source of volume.projected.sources) {
      const configMap = find(r, 'ConfigMap', source.configMap.name);
      for (const item of source.configMap.items) {
        expect(configMap.data[item.key], `ConfigMap ${configMap.metadata.name} has key ${item.key}`).toBeTypeOf('string');
        files.set(item.path, configMap.data[item.key]);
        usedKeys.add(`${configMap.metadata.name}/${item.key}`);
      }
    }
    return files;
  };
  const files = new Map<string, string>();
  for (const mount of containerOf(workload).volumeMounts) {
    const inVolume = volumeFiles(mount.name);
    if (!inVolume) continue;
    if (mount.subPath) files.set(mount.mountPath, inVolume.get(mount.subPath)!);
    else for (const [path, content] of inVolume) files.set(posix.join(mount.mountPath, path), content);
  }
  return { files, usedKeys };
}

let example: Rendered;
beforeAll(async () => {
  const generated = await generateExample();
  example = rendered(generated.model, generated.files);
});

// ---- the tests -----------------------------------------------------------------------------------

const variants: { name: string; render: () => Rendered }[] = [
  { name: 'the example config', render: () => example },
  { name: 'an empty config (static scrape jobs only, no secrets)', render: () => renderConfig({ infrastructure: { kubernetesNodes: false } }) },
  {
    name: 'a config with its own namespace, resources, secrets and storage',
    render: () =>
      renderConfig({
        ...baseConfig(),
        prometheus: { retention: '30d', storageSize: '200Gi', port: 9191 },
        logging: { beatsPort: 6000 },
        kubernetes: {
          namespace: 'observability',
          alertmanagerStorageSize: '2Gi',
          scheduling: {
            prometheus: { nodeSelector: { 'node.kubernetes.io/instance-type': 'm5.xlarge' }, priorityClassName: 'monitoring-high' },
            logstash: { tolerations: [{ key: 'dedicated', value: 'logging', effect: 'NoSchedule' }] },
            filebeat: { priorityClassName: 'system-node-critical' },
          },
          resources: { prometheus: { limits: { memory: '8Gi' } }, logstash: { requests: { cpu: '2' } } },
          alertmanagerSecretName: 'am-creds',
          alertmanagerSecretMountPath: '/var/run/am/',
          grafanaAdminSecretName: 'grafana-login',
          elasticsearchSecretName: 'es-writer',
        },
        alerting: { ...baseConfig().alerting, smtp: { smarthost: 'smtp.example.com:587', from: 'am@example.com', authPasswordFile: '/var/run/am/smtp' }, receivers: { default: {} } },
      }),
  },
];

describe('the Kubernetes manifests', () => {
  for (const variant of variants) {
    it(`validate against the Kubernetes API schemas (kubernetes-models), object by object, for ${variant.name}`, async () => {
      const r = variant.render();
      expect(r.objects.length).toBeGreaterThan(10);
      for (const { file, object } of r.objects) {
        const load = kubernetesModelClasses[object.kind];
        expect(load, `${file}: mlmon writes a ${object.kind}, which this test doesn't know`).toBeDefined();
        const Model = await load!();
        expect(() => new Model(object).validate(), `${file}: ${object.kind}/${object.metadata.name}`).not.toThrow();
        // kubernetes-models doesn't check names; the API server does.
        expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
      }
      // …and `mlmon validate` agrees, object for object.
      const checked = await checkKubernetesObjects(r.files);
      expect(checked.problems).toEqual([]);
      expect(checked.objects).toBe(r.objects.length);
    });
  }

  for (const variant of [variants[0]!, variants[2]!]) {
    it(`build with kustomize into every object, all in the configured namespace, for ${variant.name}`, () => {
      const r = variant.render();
      const { dir, cleanup } = scratchDir('mlmon-k8s-');
      try {
        for (const file of r.files.filter((f) => f.path.startsWith('k8s/'))) {
          mkdirSync(dirname(join(dir, file.path)), { recursive: true });
          writeFileSync(join(dir, file.path), file.content);
        }
        const output = execFileSync(tool('kustomize'), ['build', join(dir, 'k8s')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        const built = parseAllDocuments(output).map((d) => d.toJS() as KubeObject);
        const ids = (objects: readonly KubeObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
        expect(ids(built)).toEqual(ids(r.objects.map((o) => o.object)));
        const namespace = r.model.kubernetes.namespace;
        for (const object of built) {
          if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind)) continue;
          expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(namespace);
        }
        for (const binding of built.filter((o) => o.kind === 'ClusterRoleBinding')) expect(binding.subjects[0].namespace).toBe(namespace);
        expect(built.find((o) => o.kind === 'Namespace')!.metadata.name).toBe(namespace);
      } finally {
        cleanup();
      }
    });
  }

  it('list every manifest file in kustomization.yaml, and only those', () => {
    const kustomization = parseYaml(fileContent(example, 'k8s/kustomization.yaml'));
    const manifests = example.files.filter((f) => f.path.startsWith('k8s/') && f.path !== 'k8s/kustomization.yaml').map((f) => f.path.slice('k8s/'.length));
    expect([...kustomization.resources].sort()).toEqual(manifests.sort());
    expect(manifests.sort()).toEqual(['alertmanager.yaml', 'filebeat.yaml', 'grafana.yaml', 'logstash.yaml', 'namespace.yaml', 'prometheus.yaml']);
    expect(kustomization.namespace).toBe('monitoring');
  });

  it('begin with the banner in every file', () => {
    for (const file of example.files.filter((f) => f.path.startsWith('k8s/'))) expect(file.content.split('\n')[0], file.path).toBe(banner(example.model));
  });

  it('are byte-identical across renders, whatever order the other files arrive in', () => {
    const model = modelOf(baseConfig());
    const files = renderAll(model);
    const others = files.filter((f) => !f.path.startsWith('k8s/'));
    const k8s = files.filter((f) => f.path.startsWith('k8s/'));
    const byPath = (list: readonly RenderedFile[]) => [...list].sort((a, b) => a.path.localeCompare(b.path));
    expect(k8s.length).toBe(7);
    expect(byPath(renderKubernetes(model, others))).toEqual(k8s);
    expect(byPath(renderKubernetes(model, [...others].reverse()))).toEqual(k8s);
    expect(renderAll(modelOf(baseConfig())).filter((f) => f.path.startsWith('k8s/'))).toEqual(k8s);
  });
});

describe('ConfigMaps', () => {
  // Where each program reads each generated file, and the out/ file it must be.
  const expectedMounts: { component: KubernetesComponent; inContainer: string; file: string }[] = [
    { component: 'prometheus', inContainer: '/etc/prometheus/prometheus.yml', file: 'prometheus/prometheus.yml' },
    { component: 'prometheus', inContainer: '/etc/prometheus/rules/alerts.yml', file: 'prometheus/rules/alerts.yml' },
    { component: 'prometheus', inContainer: '/etc/prometheus/rules/thresholds.yml', file: 'prometheus/rules/thresholds.yml' },
    { component: 'prometheus', inContainer: '/etc/prometheus/rules/slo.yml', file: 'prometheus/rules/slo.yml' },
    // The example's DCGM GPU pack: its thresholds and fatal XID codes as series.
    { component: 'prometheus', inContainer: '/etc/prometheus/rules/dcgm.yml', file: 'prometheus/rules/dcgm.yml' },
    { component: 'alertmanager', inContainer: '/etc/alertmanager/config/alertmanager.yml', file: 'alertmanager/alertmanager.yml' },
    { component: 'grafana', inContainer: '/etc/grafana/provisioning/datasources/datasources.yml', file: 'grafana/provisioning/datasources/datasources.yml' },
    { component: 'grafana', inContainer: '/etc/grafana/provisioning/dashboards/dashboards.yml', file: 'grafana/provisioning/dashboards/dashboards.yml' },
    { component: 'grafana', inContainer: '/var/lib/grafana/dashboards/mlmon/application.json', file: 'grafana/dashboards/application.json' },
    { component: 'grafana', inContainer: '/var/lib/grafana/dashboards/mlmon/infrastructure.json', file: 'grafana/dashboards/infrastructure.json' },
    { component: 'grafana', inContainer: '/var/lib/grafana/dashboards/mlmon/ml-models.json', file: 'grafana/dashboards/ml-models.json' },
    { component: 'grafana', inContainer: '/var/lib/grafana/dashboards/mlmon/slos.json', file: 'grafana/dashboards/slos.json' },
    { component: 'logstash', inContainer: '/usr/share/logstash/pipeline/logstash.conf', file: 'logstash/pipeline/logstash.conf' },
    { component: 'logstash', inContainer: '/usr/share/logstash/config/pipelines.yml', file: 'logstash/pipelines.yml' },
    { component: 'filebeat', inContainer: '/usr/share/filebeat/filebeat.yml', file: 'filebeat/filebeat.yml' },
  ];

  it('put every generated config file, byte for byte, where its program reads it, and nothing else', () => {
    const usedKeys = new Set<string>();
    for (const component of ['prometheus', 'alertmanager', 'grafana', 'logstash', 'filebeat'] as const) {
      const seen = configFilesInContainer(example, workloadOf(example, component));
      seen.usedKeys.forEach((key) => usedKeys.add(key));
      const expected = expectedMounts.filter((m) => m.component === component);
      expect([...seen.files.keys()].sort(), component).toEqual(expected.map((m) => m.inContainer).sort());
      for (const { inContainer, file } of expected) expect(seen.files.get(inContainer), `${component}: ${inContainer}`).toBe(fileContent(example, file));
    }
    // No ConfigMap key goes unmounted.
    const allKeys = ofKind(example, 'ConfigMap').flatMap((cm) => Object.keys(cm.data).map((key) => `${cm.metadata.name}/${key}`));
    expect(allKeys.sort()).toEqual([...usedKeys].sort());
  });

  it('hold the rendered files byte for byte, whatever characters they contain', () => {
    // Lines with trailing spaces, tabs, blank lines, quotes, `#`, `---` and unicode must all survive the YAML layout.
    const model = modelOf(baseConfig());
    const hostile = '# a\n  indented: "x"\ntrailing  \n\n\ttab\n--- not a document\n…ünïcødé {{ $labels.model }}\n\n';
    const others = [...renderAll(model).filter((f) => !f.path.startsWith('k8s/')), { path: 'prometheus/rules/hostile.yml', content: hostile }, { path: 'filebeat/filebeat.yml', content: 'no trailing newline' }];
    const r = rendered(model, [...others, ...renderKubernetes(model, others)]);
    expect(find(r, 'ConfigMap', 'prometheus-rules').data['hostile.yml']).toBe(hostile);
    expect(find(r, 'ConfigMap', 'filebeat-config').data['filebeat.yml']).toBe('no trailing newline');
  });

  it('make the paths the configs name resolve inside the containers', () => {
    const prometheus = configFilesInContainer(example, workloadOf(example, 'prometheus')).files;
    const configFile = containerOf(workloadOf(example, 'prometheus')).args.find((a: string) => a.startsWith('--config.file=')).split('=')[1];
    expect(prometheus.has(configFile)).toBe(true);
    // rule_files are relative to prometheus.yml.
    for (const rulePath of parseYaml(prometheus.get(configFile)!).rule_files) expect(prometheus.has(posix.join(posix.dirname(configFile), rulePath)), rulePath).toBe(true);

    const alertmanager = containerOf(workloadOf(example, 'alertmanager'));
    const amConfig = alertmanager.args.find((a: string) => a.startsWith('--config.file=')).split('=')[1];
    expect(configFilesInContainer(example, workloadOf(example, 'alertmanager')).files.has(amConfig)).toBe(true);

    const logstash = configFilesInContainer(example, workloadOf(example, 'logstash')).files;
    for (const pipeline of parseYaml(logstash.get('/usr/share/logstash/config/pipelines.yml')!)) expect(logstash.has(pipeline['path.config'])).toBe(true);

    const grafana = configFilesInContainer(example, workloadOf(example, 'grafana')).files;
    const provider = parseYaml(grafana.get('/etc/grafana/provisioning/dashboards/dashboards.yml')!).providers[0];
    const dashboards = example.files.filter((f) => f.path.startsWith('grafana/dashboards/'));
    expect(dashboards.length).toBeGreaterThan(0);
    for (const dashboard of dashboards) expect(grafana.has(posix.join(provider.options.path, posix.basename(dashboard.path))), dashboard.path).toBe(true);

    const filebeat = containerOf(workloadOf(example, 'filebeat'));
    const filebeatConfig = filebeat.args[filebeat.args.indexOf('-c') + 1];
    expect(configFilesInContainer(example, workloadOf(example, 'filebeat')).files.has(filebeatConfig)).toBe(true);
  });

  it('label every dashboard, and only dashboards, for the Grafana sidecar of kube-prometheus-stack', () => {
    const configMaps = ofKind(example, 'ConfigMap');
    const dashboards = configMaps.filter((cm) => Object.keys(cm.data).every((key) => key.endsWith('.json')));
    expect(dashboards.map((cm) => Object.keys(cm.data)).flat().sort()).toEqual(['application.json', 'infrastructure.json', 'ml-models.json', 'slos.json']);
    for (const cm of configMaps) expect(cm.metadata.labels?.grafana_dashboard, cm.metadata.name).toBe(dashboards.includes(cm) ? '1' : undefined);
  });

  it('get distinct valid names and keys from file names Kubernetes would refuse', () => {
    const model = modelOf(baseConfig());
    const others = [
      ...renderAll(model).filter((f) => !f.path.startsWith('k8s/') && !f.path.startsWith('grafana/dashboards/')),
      { path: 'grafana/dashboards/Fraud Detector.json', content: '{"a":1}\n' },
      { path: 'grafana/dashboards/fraud-detector.json', content: '{"b":2}\n' },
    ];
    const r = rendered(model, [...others, ...renderKubernetes(model, others)]);
    const dashboards = ofKind(r, 'ConfigMap').filter((cm) => cm.metadata.labels?.grafana_dashboard === '1');
    expect(new Set(dashboards.map((cm) => cm.metadata.name)).size).toBe(2);
    for (const cm of dashboards) for (const key of Object.keys(cm.data)) expect(key).toMatch(/^[-._a-zA-Z0-9]+$/);
    const grafana = configFilesInContainer(r, workloadOf(r, 'grafana')).files;
    expect(grafana.get('/var/lib/grafana/dashboards/mlmon/Fraud Detector.json')).toBe('{"a":1}\n');
    expect(grafana.get('/var/lib/grafana/dashboards/mlmon/fraud-detector.json')).toBe('{"b":2}\n');
  });
});

describe('the config checksum on each pod template', () => {
  const checksums = (r: Rendered) => Object.fromEntries(workloads(r).map((w) => [w.metadata.name, w.spec.template.metadata.annotations[checksumAnnotation]]));
  const mountedFiles = (r: Rendered) => Object.fromEntries(workloads(r).map((w) => [w.metadata.name, JSON.stringify([...configFilesInContainer(r, w).files].sort())]));

  const cases: { name: string; change: (c: MonitoringConfig) => MonitoringConfig; changed: KubernetesComponent[] }[] = [
    { name: "Alertmanager's resolve timeout", change: (c) => ({ ...c, alerting: { ...c.alerting, resolveTimeout: '10m' } }), changed: ['alertmanager'] },
    { name: 'a rule group interval', change: (c) => ({ ...c, prometheus: { ruleGroupInterval: '1m' } }), changed: ['prometheus'] },
    { name: 'the Elasticsearch index prefix', change: (c) => ({ ...c, logging: { indexPrefix: 'model-logs' } }), changed: ['grafana', 'logstash'] },
    { name: 'the Logstash port', change: (c) => ({ ...c, logging: { beatsPort: 6000 } }), changed: ['filebeat', 'logstash'] },
    { name: 'only the container resources (no config file)', change: (c) => ({ ...c, kubernetes: { resources: { grafana: { limits: { memory: '1Gi' } } } } }), changed: [] },
  ];
  for (const { name, change, changed } of cases) {
    it(`changes for exactly the workloads whose mounted files change, when ${name} changes`, () => {
      const before = renderConfig(baseConfig());
      const after = renderConfig(change(baseConfig()));
      const [sumsBefore, sumsAfter, filesBefore, filesAfter] = [checksums(before), checksums(after), mountedFiles(before), mountedFiles(after)];
      expect(Object.keys(sumsBefore).sort()).toEqual(['alertmanager', 'filebeat', 'grafana', 'logstash', 'prometheus']);
      for (const component of Object.keys(sumsBefore)) {
        expect(sumsBefore[component], component).toMatch(/^[0-9a-f]{64}$/);
        expect(sumsAfter[component] !== sumsBefore[component], `${component}'s checksum`).toBe(filesAfter[component] !== filesBefore[component]);
      }
      expect(Object.keys(sumsBefore).filter((c) => sumsAfter[c] !== sumsBefore[c]).sort()).toEqual(changed);
    });
  }
});

describe('every workload', () => {
  // Two documented exceptions: Filebeat runs as root, Logstash keeps a writable root filesystem.
  const expected: Record<KubernetesComponent, { kind: string; user: number; readOnlyRoot: boolean; readiness: string; liveness: string }> = {
    prometheus: { kind: 'StatefulSet', user: 65534, readOnlyRoot: true, readiness: '/-/ready', liveness: '/-/healthy' },
    alertmanager: { kind: 'StatefulSet', user: 65534, readOnlyRoot: true, readiness: '/-/ready', liveness: '/-/healthy' },
    grafana: { kind: 'Deployment', user: 472, readOnlyRoot: true, readiness: '/api/health', liveness: '/api/health' },
    logstash: { kind: 'Deployment', user: 1000, readOnlyRoot: false, readiness: '/', liveness: '/' },
    filebeat: { kind: 'DaemonSet', user: 0, readOnlyRoot: true, readiness: '/', liveness: '/' },
  };

  for (const [component, want] of Object.entries(expected) as [KubernetesComponent, (typeof expected)[KubernetesComponent]][]) {
    it(`${component} is a ${want.kind} with requests, limits, both probes, a pinned image and a locked-down container`, () => {
      const workload = workloadOf(example, component);
      expect(workload.kind).toBe(want.kind);
      const pod = workload.spec.template.spec;
      const container = containerOf(workload);
      for (const kind of ['requests', 'limits']) for (const resource of ['cpu', 'memory']) expect(container.resources[kind][resource], `${kind}.${resource}`).toMatch(/^\d/);

      const portNames = container.ports.map((p: any) => p.name);
      for (const [probe, path] of [['readinessProbe', want.readiness], ['livenessProbe', want.liveness]] as const) {
        expect(container[probe].httpGet.path, probe).toBe(path);
        expect(portNames, probe).toContain(container[probe].httpGet.port);
      }

      expect(container.image).toBe(example.model.kubernetes.images[component]);
      expect(container.image).toMatch(/:[\w][\w.-]*$/);
      expect(container.image).not.toMatch(/:latest$/);

      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: want.readOnlyRoot, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: want.user });
      expect(pod.securityContext).toMatchObject({ runAsUser: want.user, seccompProfile: { type: 'RuntimeDefault' } });
      if (want.user === 0) {
        // The documented exception: the reason is on the pod and above the object.
        expect(container.securityContext.runAsNonRoot).toBe(false);
        expect(workload.spec.template.metadata.annotations[rootAnnotation]).toMatch(/\/var\/log\/pods/);
        expect(fileContent(example, `k8s/${component}.yaml`)).toMatch(/# Runs as root, the one exception/);
      } else {
        expect(container.securityContext.runAsNonRoot).toBe(true);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: want.user });
        expect(workload.spec.template.metadata.annotations[rootAnnotation]).toBeUndefined();
      }
      if (want.readOnlyRoot) {
        expect(workload.spec.template.metadata.annotations[writableRootAnnotation]).toBeUndefined();
      } else {
        // The documented exception, on the pod and above the object; and no emptyDir at /tmp, which JRuby refuses.
        expect(workload.spec.template.metadata.annotations[writableRootAnnotation]).toMatch(/sticky bit/);
        expect(fileContent(example, `k8s/${component}.yaml`)).toMatch(/# Its root filesystem stays writable, the one exception/);
        expect(container.volumeMounts.map((m: any) => m.mountPath)).not.toContain('/tmp');
      }
      // Anything a read-only root filesystem container writes must be a volume.
      for (const mount of container.volumeMounts.filter((m: any) => !m.readOnly)) {
        const volume = pod.volumes.find((v: any) => v.name === mount.name);
        expect(volume?.emptyDir ?? volume?.hostPath ?? workload.spec.volumeClaimTemplates?.find((t: any) => t.metadata.name === mount.name), mount.mountPath).toBeDefined();
      }
    });
  }

  it('takes its resources from kubernetes.resources, field by field over the defaults', () => {
    const r = renderConfig({ ...baseConfig(), kubernetes: { resources: { prometheus: { limits: { memory: '8Gi' } }, logstash: { requests: { cpu: '2' } } } } });
    expect(containerOf(workloadOf(r, 'prometheus')).resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '8Gi' } });
    expect(containerOf(workloadOf(r, 'logstash')).resources).toEqual({ requests: { cpu: '2', memory: '1536Mi' }, limits: { cpu: '1', memory: '2Gi' } });
    expect(containerOf(workloadOf(r, 'grafana')).resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
  });

  it('keeps Prometheus data for the configured retention on a volume of the configured size', () => {
    const r = renderConfig({ ...baseConfig(), prometheus: { retention: '30d', storageSize: '200Gi' } });
    const prometheus = workloadOf(r, 'prometheus');
    expect(containerOf(prometheus).args).toContain('--storage.tsdb.retention.time=30d');
    expect(prometheus.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('200Gi');
    expect(containerOf(prometheus).volumeMounts).toContainEqual({ name: prometheus.spec.volumeClaimTemplates[0].metadata.name, mountPath: '/prometheus' });
    expect(containerOf(prometheus).args).toContain('--storage.tsdb.path=/prometheus');
  });

  it('puts every pod but Filebeat at the restricted Pod Security level, and says why the namespace allows more', () => {
    expect(find(example, 'Namespace', 'monitoring').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(fileContent(example, 'k8s/namespace.yaml')).toMatch(/# Privileged only because Filebeat/);
    const model = example.model;
    const withoutFilebeat = example.files.filter((f) => !f.path.startsWith('k8s/') && !f.path.startsWith('filebeat/'));
    const r = rendered(model, [...withoutFilebeat, ...renderKubernetes(model, withoutFilebeat)]);
    expect(find(r, 'Namespace', 'monitoring').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const workload of workloads(r)) {
      expect(workload.spec.template.spec.volumes.filter((v: any) => v.hostPath), workload.metadata.name).toEqual([]);
      expect(workload.spec.template.spec.securityContext.runAsNonRoot, workload.metadata.name).toBe(true);
    }
  });
});

describe('components', () => {
  it('are left out when their config was not rendered, and the kustomization lists what is left', () => {
    const model = modelOf(baseConfig());
    const others = renderAll(model).filter((f) => f.path.startsWith('prometheus/') || f.path.startsWith('alertmanager/'));
    const k8s = renderKubernetes(model, others);
    expect(k8s.map((f) => f.path).sort()).toEqual(['k8s/alertmanager.yaml', 'k8s/kustomization.yaml', 'k8s/namespace.yaml', 'k8s/prometheus.yaml']);
    expect(parseYaml(k8s.find((f) => f.path === 'k8s/kustomization.yaml')!.content).resources).toEqual(['namespace.yaml', 'prometheus.yaml', 'alertmanager.yaml']);
  });

  // The seed guide's "Deployment" section: kubectl port-forward -n monitoring svc/<name> <port>:<port>.
  const seedPortForwards = [
    { service: 'prometheus', port: 9090 },
    { service: 'grafana', port: 3000 },
    { service: 'alertmanager', port: 9093 },
  ];
  for (const { service, port } of seedPortForwards) {
    it(`answer the seed guide's port-forward to svc/${service} ${port}:${port} in namespace monitoring`, () => {
      const found = find(example, 'Service', service);
      expect(found.metadata.namespace).toBe('monitoring');
      expect(found.spec.ports.map((p: any) => p.port)).toContain(port);
    });
  }

  it('are reached under the names and ports the generated configs use', () => {
    for (const r of [example, renderConfig({ ...baseConfig(), logging: { beatsPort: 6000 }, prometheus: { port: 9191 } })]) {
      const serviceTarget = (name: string, port: number) => {
        const service = find(r, 'Service', name);
        const servicePort = service.spec.ports.find((p: any) => p.port === port);
        expect(servicePort, `Service ${name} serves port ${port}`).toBeDefined();
        const workload = workloads(r).find((w) => Object.entries(service.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v))!;
        return containerOf(workload).ports.find((p: any) => p.name === servicePort.targetPort).containerPort;
      };
      // Prometheus → Alertmanager
      const [amHost, amPort] = parseYaml(fileContent(r, 'prometheus/prometheus.yml')).alerting.alertmanagers[0].static_configs[0].targets[0].split(':');
      expect(serviceTarget(amHost, Number(amPort))).toBe(9093);
      // Grafana → Prometheus
      const datasource = new URL(parseYaml(fileContent(r, 'grafana/provisioning/datasources/datasources.yml')).datasources.find((d: any) => d.type === 'prometheus').url);
      expect(serviceTarget(datasource.hostname, Number(datasource.port))).toBe(r.model.prometheus.port);
      // Prometheus → itself: the self-scrape target is the port it listens on.
      const prometheusArgs: string[] = containerOf(workloadOf(r, 'prometheus')).args;
      const selfTarget = parseYaml(fileContent(r, 'prometheus/prometheus.yml')).scrape_configs.find((j: any) => j.job_name === 'prometheus').static_configs[0].targets[0];
      expect(selfTarget).toBe(`localhost:${r.model.prometheus.port}`);
      expect(prometheusArgs).toContain(`--web.listen-address=:${r.model.prometheus.port}`);
      // Filebeat → Logstash's beats input
      const [lsHost, lsPort] = parseYaml(fileContent(r, 'filebeat/filebeat.yml'))['output.logstash'].hosts[0].split(':');
      expect(serviceTarget(lsHost, Number(lsPort))).toBe(r.model.logging.beatsPort);
      expect(fileContent(r, 'logstash/pipeline/logstash.conf')).toContain(`port => ${r.model.logging.beatsPort}`);
    }
  });
});

// ---- where the pods run --------------------------------------------------------------------------------

interface Taint { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }

/** Kubernetes' ToleratesTaint (k8s.io/api/core/v1 toleration.go): does this toleration let a pod onto the taint? */
function tolerates(toleration: any, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const operator = toleration.operator ?? 'Equal';
  if (operator === 'Exists') return true;
  return operator === 'Equal' && (toleration.value ?? '') === (taint.value ?? '');
}

/** Whether a pod is scheduled onto (and kept on) a node with these taints; PreferNoSchedule never keeps it off. */
const runsOn = (pod: any, taints: readonly Taint[]): boolean =>
  taints.filter((t) => t.effect !== 'PreferNoSchedule').every((taint) => (pod.tolerations ?? []).some((t: any) => tolerates(t, taint)));

/** Taints real clusters put on nodes: GPU nodes, control planes, dedicated pools, and nodes going away. */
const clusterTaints: { node: string; taints: Taint[] }[] = [
  { node: 'a GPU node', taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
  { node: 'a GKE GPU node', taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] },
  { node: 'a control-plane node', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
  { node: 'a dedicated pool', taints: [{ key: 'dedicated', value: 'inference', effect: 'NoExecute' }] },
  { node: 'a node under disk pressure', taints: [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }] },
  { node: 'an unreachable node', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] },
];

describe('scheduling', () => {
  for (const { node, taints } of clusterTaints) {
    it(`runs Filebeat on ${node} (${taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')}) by default, so its logs are shipped`, () => {
      expect(runsOn(workloadOf(example, 'filebeat').spec.template.spec, taints)).toBe(true);
    });
  }

  it('keeps the other components off tainted nodes unless the config says so', () => {
    for (const component of ['prometheus', 'alertmanager', 'grafana', 'logstash'] as const) {
      const pod = workloadOf(example, component).spec.template.spec;
      expect(pod.tolerations, component).toBeUndefined();
      expect(runsOn(pod, clusterTaints[0]!.taints), component).toBe(false);
    }
  });

  it('takes tolerations, nodeSelector and priorityClassName per component from kubernetes.scheduling', () => {
    const gpu = { key: 'nvidia.com/gpu', operator: 'Exists' as const, effect: 'NoSchedule' as const };
    const r = renderConfig({
      ...baseConfig(),
      kubernetes: {
        scheduling: {
          prometheus: { tolerations: [gpu], nodeSelector: { 'topology.kubernetes.io/zone': 'eu-west-1a' }, priorityClassName: 'monitoring' },
          alertmanager: { priorityClassName: 'monitoring' },
          grafana: { nodeSelector: { pool: 'tools' } },
          // Replaces Filebeat's tolerate-everything default: only GPU nodes' taint.
          filebeat: { tolerations: [gpu], priorityClassName: 'system-node-critical' },
        },
      },
    });
    const pod = (component: KubernetesComponent) => workloadOf(r, component).spec.template.spec;
    expect(pod('prometheus')).toMatchObject({ tolerations: [gpu], nodeSelector: { 'topology.kubernetes.io/zone': 'eu-west-1a' }, priorityClassName: 'monitoring' });
    expect(runsOn(pod('prometheus'), clusterTaints[0]!.taints)).toBe(true);
    expect(pod('alertmanager').priorityClassName).toBe('monitoring');
    expect(pod('grafana').nodeSelector).toEqual({ pool: 'tools' });
    expect(pod('grafana').priorityClassName).toBeUndefined();
    expect(pod('filebeat').tolerations).toEqual([gpu]);
    expect(pod('filebeat').priorityClassName).toBe('system-node-critical');
    expect(runsOn(pod('filebeat'), clusterTaints[2]!.taints)).toBe(false);
    expect(pod('logstash').nodeSelector).toBeUndefined();
  });
});

describe('the config check of scheduling and storage', () => {
  const withScheduling = (scheduling: NonNullable<NonNullable<MonitoringConfig['kubernetes']>['scheduling']>, rest: Partial<MonitoringConfig> = {}): MonitoringConfig => ({ ...baseConfig(), ...rest, kubernetes: { scheduling } });
  const cases: { name: string; config: unknown; id: string; path: string }[] = [
    { name: 'an unknown toleration operator', config: withScheduling({ filebeat: { tolerations: [{ operator: 'Exist' as any }] } }), id: 'config/invalid-value', path: 'kubernetes.scheduling.filebeat.tolerations[0].operator' },
    { name: 'an unknown taint effect', config: withScheduling({ grafana: { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoScheduled' as any }] } }), id: 'config/invalid-value', path: 'kubernetes.scheduling.grafana.tolerations[0].effect' },
    { name: 'operator Exists with a value', config: withScheduling({ logstash: { tolerations: [{ key: 'gpu', operator: 'Exists', value: 'yes' }] } }), id: 'config/toleration', path: 'kubernetes.scheduling.logstash.tolerations[0].value' },
    { name: 'operator Equal (the default) without a key', config: withScheduling({ prometheus: { tolerations: [{ value: 'ml', effect: 'NoSchedule' }] } }), id: 'config/toleration', path: 'kubernetes.scheduling.prometheus.tolerations[0].key' },
    { name: 'tolerationSeconds without effect NoExecute', config: withScheduling({ filebeat: { tolerations: [{ operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 60 }] } }), id: 'config/toleration', path: 'kubernetes.scheduling.filebeat.tolerations[0].tolerationSeconds' },
    { name: 'a node selector key that is no label key', config: withScheduling({ grafana: { nodeSelector: { 'gpu type': 'a100' } } }), id: 'config/invalid-value', path: 'kubernetes.scheduling.grafana.nodeSelector' },
    { name: 'a node selector value that is no label value', config: withScheduling({ grafana: { nodeSelector: { gpu: 'a100/80gb' } } }), id: 'config/invalid-value', path: 'kubernetes.scheduling.grafana.nodeSelector.gpu' },
    { name: 'a priority class name that is no object name', config: withScheduling({ filebeat: { priorityClassName: 'Node_Critical' } }), id: 'config/invalid-value', path: 'kubernetes.scheduling.filebeat.priorityClassName' },
    { name: 'an unknown component', config: withScheduling({ kibana: {} } as any), id: 'config/unknown-key', path: 'kubernetes.scheduling.kibana' },
    { name: 'a Prometheus volume size with a space', config: { ...baseConfig(), prometheus: { storageSize: '50 Gi' } }, id: 'config/invalid-value', path: 'prometheus.storageSize' },
    { name: 'a Prometheus volume size in a unit Kubernetes does not have', config: { ...baseConfig(), prometheus: { storageSize: '50GB' } }, id: 'config/invalid-value', path: 'prometheus.storageSize' },
    { name: 'an Alertmanager volume size in lowercase', config: { ...baseConfig(), kubernetes: { alertmanagerStorageSize: '1gi' } }, id: 'config/invalid-value', path: 'kubernetes.alertmanagerStorageSize' },
    { name: 'a pod port name that is no container port name', config: { ...baseConfig(), services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'], port: 'Metrics_Port' } } } } }, id: 'config/invalid-value', path: 'services.model-api.discovery.kubernetesPods.port' },
    { name: 'a pod port number out of range', config: { ...baseConfig(), services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'], port: 0 } } } } }, id: 'config/invalid-value', path: 'services.model-api.discovery.kubernetesPods.port' },
    { name: 'a Prometheus port out of range', config: { ...baseConfig(), prometheus: { port: 70000 } }, id: 'config/invalid-value', path: 'prometheus.port' },
    {
      name: 'both node-exporter discovery and fixed targets',
      config: { ...baseConfig(), infrastructure: { nodeExporterTargets: ['node-exporter:9100'], nodeExporter: { kubernetes: { namespace: 'monitoring' } } } },
      id: 'config/node-exporter-discovery', path: 'infrastructure.nodeExporter',
    },
  ];
  for (const { name, config, id, path } of cases) {
    it(`reports ${name} as ${id} at ${path}`, async () => {
      const problems = await problemsOf(config);
      expect(problems).toContainEqual(expect.objectContaining({ id, severity: 'error', path }));
    });
  }

  it('accepts the tolerations, selectors, priority classes and sizes Kubernetes accepts', async () => {
    const problems = await problemsOf({
      ...baseConfig(),
      prometheus: { storageSize: '1.5Ti', port: 9191 },
      infrastructure: { nodeExporter: { kubernetes: { namespace: 'kube-system', podLabels: { 'app.kubernetes.io/name': 'prometheus-node-exporter' }, port: 9101 } } },
      kubernetes: {
        alertmanagerStorageSize: '500M',
        scheduling: {
          filebeat: { tolerations: [{ operator: 'Exists' }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], priorityClassName: 'system-node-critical' },
          prometheus: { tolerations: [{ key: 'dedicated', value: 'monitoring', effect: 'NoSchedule' }], nodeSelector: { 'kubernetes.io/os': 'linux', empty: '' } },
        },
      },
    });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});

describe('Alertmanager', () => {
  it('keeps silences and the notification log on a volume of the configured size, across restarts', () => {
    for (const [r, size] of [[example, '1Gi'], [variants[2]!.render(), '2Gi']] as const) {
      const alertmanager = workloadOf(r, 'alertmanager');
      expect(alertmanager.kind).toBe('StatefulSet');
      const claim = alertmanager.spec.volumeClaimTemplates.find((t: any) => t.metadata.name === 'data');
      expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } });
      const container = containerOf(alertmanager);
      const storagePath = container.args.find((a: string) => a.startsWith('--storage.path=')).split('=')[1];
      expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: storagePath });
      // Not an emptyDir of the same name, which would shadow the claim and empty it on every restart.
      expect(alertmanager.spec.template.spec.volumes.map((v: any) => v.name)).not.toContain('data');
      // One replica, so no gossip peers: clustering is off, not left looking for peers.
      expect(alertmanager.spec.replicas).toBe(1);
      expect(container.args).toContain('--cluster.listen-address=');
      expect(container.args.some((a: string) => a.startsWith('--cluster.peer'))).toBe(false);
    }
  });
});

describe('RBAC', () => {
  it('grants only get, list and watch, never on everything', () => {
    for (const variant of variants) {
      for (const role of ofKind(variant.render(), 'ClusterRole')) {
        for (const rule of role.rules) {
          expect(rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v)), `${role.metadata.name}: ${rule.verbs}`).toBe(true);
          expect([...rule.resources, ...rule.apiGroups]).not.toContain('*');
        }
      }
    }
  });

  const cases: { name: string; config: MonitoringConfig; rules: string[] }[] = [
    { name: 'pod discovery and the kubelet scrape', config: baseConfig(), rules: ['list,watch pods', 'list,watch nodes', 'get nodes/metrics'] },
    { name: 'pod discovery only', config: { ...baseConfig(), infrastructure: { kubernetesNodes: false } }, rules: ['list,watch pods'] },
    { name: 'static targets only', config: { services: { api: { discovery: { staticTargets: ['api:8080'] } } }, infrastructure: { kubernetesNodes: false } }, rules: [] },
  ];
  for (const { name, config, rules } of cases) {
    it(`gives Prometheus only what ${name} needs`, () => {
      const r = renderConfig(config);
      const role = ofKind(r, 'ClusterRole').find((o) => o.metadata.name.endsWith('-prometheus'));
      expect(role?.rules.map((rule: any) => `${rule.verbs} ${rule.resources}`) ?? []).toEqual(rules);
      // The API token is mounted only when there is something to read with it.
      expect(workloadOf(r, 'prometheus').spec.template.spec.automountServiceAccountToken).toBe(rules.length > 0);
      expect(ofKind(r, 'ClusterRoleBinding').some((b) => b.roleRef.name === role?.metadata.name)).toBe(rules.length > 0);
    });
  }

  it("gives Filebeat read access to the pods, namespaces and nodes add_kubernetes_metadata looks up", () => {
    const role = ofKind(example, 'ClusterRole').find((o) => o.metadata.name.endsWith('-filebeat'))!;
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['namespaces', 'nodes', 'pods'], verbs: ['get', 'list', 'watch'] }]);
    const binding = ofKind(example, 'ClusterRoleBinding').find((b) => b.roleRef.name === role.metadata.name)!;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: workloadOf(example, 'filebeat').spec.template.spec.serviceAccountName, namespace: 'monitoring' }]);
  });
});

describe('secrets', () => {
  it('are never generated: credentials come from Secrets the user creates', () => {
    for (const variant of variants) {
      const r = variant.render();
      expect(r.objects.map((o) => o.object.kind)).not.toContain('Secret');
      for (const workload of workloads(r)) {
        for (const env of containerOf(workload).env ?? []) {
          if (/USER|PASSWORD|TOKEN|KEY|SECRET/.test(env.name)) {
            expect(env.value, env.name).toBeUndefined();
            expect(env.valueFrom.secretKeyRef.name, env.name).toBeTypeOf('string');
          }
        }
      }
    }
  });

  it('reach Grafana and Logstash from the configured Secrets, under the names the configs read', () => {
    const r = variants[2]!.render();
    const grafanaEnv = containerOf(workloadOf(r, 'grafana')).env;
    expect(grafanaEnv).toEqual([
      { name: 'GF_SECURITY_ADMIN_USER', valueFrom: { secretKeyRef: { name: 'grafana-login', key: 'admin-user' } } },
      { name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'grafana-login', key: 'admin-password' } } },
    ]);
    const { userVariable, passwordVariable } = r.model.logging.elasticsearchCredentials;
    expect(containerOf(workloadOf(r, 'logstash')).env).toEqual([
      { name: userVariable, valueFrom: { secretKeyRef: { name: 'es-writer', key: 'username' } } },
      { name: passwordVariable, valueFrom: { secretKeyRef: { name: 'es-writer', key: 'password' } } },
    ]);
    const pipeline = fileContent(r, 'logstash/pipeline/logstash.conf');
    expect(pipeline).toContain(`"\${${userVariable}}"`);
    expect(pipeline).toContain(`"\${${passwordVariable}}"`);
  });

  it("mount every file alertmanager.yml reads from the user's Secret, where it reads it", () => {
    for (const r of [example, variants[2]!.render()]) {
      const secret = r.model.kubernetes.alertmanagerSecret;
      const workload = workloadOf(r, 'alertmanager');
      const volume = workload.spec.template.spec.volumes.find((v: any) => v.secret);
      expect(volume.secret.secretName).toBe(secret.name);
      const mount = containerOf(workload).volumeMounts.find((m: any) => m.name === volume.name);
      const inContainer = volume.secret.items.map((item: any) => posix.join(mount.mountPath, item.path));
      const read: string[] = [];
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(walk);
        if (node && typeof node === 'object') for (const [key, value] of Object.entries(node)) key.endsWith('_file') && typeof value === 'string' ? read.push(value) : walk(value);
      };
      walk(parseYaml(fileContent(r, 'alertmanager/alertmanager.yml')));
      expect(read.length).toBeGreaterThan(0);
      expect([...new Set(read)].sort()).toEqual(inContainer.sort());
      // The comment above the Deployment tells the user which keys to create.
      for (const item of volume.secret.items) expect(fileContent(r, 'k8s/alertmanager.yaml')).toContain(`--from-file=${item.key}=`);
    }
  });

  it('mount no Secret into Alertmanager when alerting reads none', () => {
    const r = variants[1]!.render();
    expect(workloadOf(r, 'alertmanager').spec.template.spec.volumes.filter((v: any) => v.secret)).toEqual([]);
  });
});

describe('the config check of secret files', () => {
  const withRoutingKeyFile = (routingKeyFile: string, kubernetes: MonitoringConfig['kubernetes'] = {}): MonitoringConfig => ({
    ...baseConfig(),
    kubernetes,
    alerting: {
      receivers: { default: { webhook: [{ url: 'http://hooks.internal/alerts' }] }, pager: { pagerduty: [{ routingKeyFile }] } },
      routes: [{ match: { severity: 'critical' }, receiver: 'pager' }],
    },
  });
  const path = 'alerting.receivers.pager.pagerduty[0].routingKeyFile';

  const cases: { name: string; config: MonitoringConfig; reported: boolean }[] = [
    { name: 'a file outside the mount path', config: withRoutingKeyFile('/etc/secrets/pagerduty'), reported: true },
    { name: 'a file in a folder below the mount path (a Secret volume is flat)', config: withRoutingKeyFile('/etc/alertmanager/secrets/pd/key'), reported: true },
    { name: 'a file that only looks inside through `..`', config: withRoutingKeyFile('/etc/alertmanager/secrets/../pd-key'), reported: true },
    { name: 'a file name that cannot be a Secret key', config: withRoutingKeyFile('/etc/alertmanager/secrets/pd key'), reported: true },
    { name: 'a file outside a custom mount path', config: withRoutingKeyFile('/etc/alertmanager/secrets/pd', { alertmanagerSecretMountPath: '/var/run/am' }), reported: true },
    { name: 'a file directly in the default mount path', config: withRoutingKeyFile('/etc/alertmanager/secrets/pd'), reported: false },
    { name: 'a file directly in a custom mount path written with a trailing slash', config: withRoutingKeyFile('/var/run/am/pd', { alertmanagerSecretMountPath: '/var/run/am/' }), reported: false },
  ];
  for (const { name, config, reported } of cases) {
    it(`${reported ? 'reports' : 'accepts'} ${name}${reported ? ' as config/secret-outside-mount' : ''}`, async () => {
      const problems = await problemsOf(config);
      if (reported) {
        expect(problems).toEqual([expect.objectContaining({ id: 'config/secret-outside-mount', severity: 'error', path })]);
        expect(problems[0]!.message).toContain(JSON.stringify(config.alerting!.receivers!.pager!.pagerduty![0]!.routingKeyFile));
        expect(problems[0]!.hint).toBeTypeOf('string');
      } else {
        expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
      }
    });
  }
});
