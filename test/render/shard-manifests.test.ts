/**
 * `prometheus.shards` in the standalone manifests (out/k8s): one Prometheus per shard, each with its own
 * StatefulSet, Service, ConfigMap of its shard's config and volume claim, mounting only the per-target rule
 * files. Judged by the real tools: kubeconform -strict with the pinned Kubernetes schemas, Pod Security
 * Admission's own library (scripts/pod-security), kustomize, and promtool on each shard's config laid out the
 * way the kubelet lays out the pod's projected volume.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { CentralRulerConfig } from '../../src/config/scale-types.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { renderKubernetes } from '../../src/render/kubernetes.js';
import { checksumAnnotation } from '../../src/render/kubernetes/pod.js';
import { generateExample, generateFromConfig, scratchDir } from '../support/fixtures.js';
import { repoRoot, tool, upstreamToolsDir } from '../support/tools.js';

type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

const scratches: (() => void)[] = [];
afterEach(() => scratches.splice(0).forEach((cleanup) => cleanup()));
beforeAll(() => void upstreamToolsDir(), 15 * 60_000);

function writeOut(files: readonly RenderedFile[]): string {
  const scratch = scratchDir('mlmon-shard-manifests-');
  scratches.push(scratch.cleanup);
  for (const { path, content } of files) {
    mkdirSync(dirname(join(scratch.dir, path)), { recursive: true });
    writeFileSync(join(scratch.dir, path), content);
  }
  return scratch.dir;
}

/** A sharded config: `services` services (past 200 their jobs go to scrape config files), pods discovered in Kubernetes for the first. */
function sharded(shards: number, { services = 2, centralRuler = { kind: 'vmalert' }, recording = [] }: { services?: number; centralRuler?: CentralRulerConfig; recording?: { record: string; expr: string }[] } = {}): MonitoringConfig {
  return {
    prometheus: { shards, remoteWrite: [{ url: 'http://victoria-metrics:8428/api/v1/write' }], centralRuler },
    services: {
      'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } },
      ...Object.fromEntries(Array.from({ length: services - 1 }, (_, i) => [`svc-${i}`, { discovery: { staticTargets: [`10.0.${Math.floor(i / 250)}.${i % 250}:8080`] } }])),
    },
    models: { 'fraud-detector': { service: 'model-api' } },
    ...(recording.length ? { rules: { recording } } : {}),
  };
}

// localRules: the rule files normalize/sharding.ts leaves on the shards (none of mlmon's built-ins).
const variants: { name: string; shards: number; config: MonitoringConfig; localRules: string[] }[] = [
  { name: '2 shards for vmalert', shards: 2, localRules: [], config: sharded(2) },
  { name: '3 shards for Thanos Ruler, with a per-target recording rule the shards keep', shards: 3, localRules: ['recording.yml'], config: sharded(3, { centralRuler: { kind: 'thanos' }, recording: [{ record: 'instance:http_requests:rate5m', expr: 'rate(http_requests_total[5m])' }] }) },
  { name: '2 shards of 201 services (scrape config files) for Mimir', shards: 2, localRules: [], config: sharded(2, { services: 201, centralRuler: { kind: 'mimir', tenant: 'ml' } }) },
];

const objectsOf = (files: readonly RenderedFile[]): KubeObject[] =>
  files
    .filter((f) => f.path.startsWith('k8s/') && f.path !== 'k8s/kustomization.yaml')
    .flatMap((f) => parseAllDocuments(f.content, { uniqueKeys: true }).map((d) => {
      expect(d.errors, f.path).toEqual([]);
      return d.toJS() as KubeObject;
    }));

const find = (objects: readonly KubeObject[], kind: string, name: string): KubeObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

/** The files the Prometheus container sees from its ConfigMaps (path in the container → content), as the kubelet lays out projected volumes. */
function filesInContainer(objects: readonly KubeObject[], statefulSet: KubeObject): Map<string, string> {
  const pod = statefulSet.spec.template.spec;
  const files = new Map<string, string>();
  for (const mount of pod.containers[0].volumeMounts) {
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    if (!volume?.projected) continue;
    expect(mount.subPath, 'the config is mounted as a folder, so updates reach it').toBeUndefined();
    for (const { configMap } of volume.projected.sources) {
      const data = find(objects, 'ConfigMap', configMap.name).data;
      for (const item of configMap.items) {
        expect(data[item.key], `${configMap.name}/${item.key}`).toBeTypeOf('string');
        files.set(posix.join(mount.mountPath, item.path), data[item.key]);
      }
    }
  }
  return files;
}

const shardSets = (objects: readonly KubeObject[]): KubeObject[] => objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.name.startsWith('prometheus-'));

describe('prometheus.shards in out/k8s: one Prometheus per shard', () => {
  for (const { name, shards, config, localRules } of variants) {
    describe(name, () => {
      let files: readonly RenderedFile[];
      let objects: KubeObject[];
      beforeAll(async () => {
        files = (await generateFromConfig(config)).files;
        objects = objectsOf(files);
      }, 120_000);

      it('runs a StatefulSet of one replica, a Service and a volume claim per shard, labelled shard "<i>", and no unsharded Prometheus', () => {
        expect(shardSets(objects).map((s) => s.metadata.name)).toEqual(Array.from({ length: shards }, (_, i) => `prometheus-shard-${i}`));
        expect(objects.filter((o) => o.metadata.name === 'prometheus' && (o.kind === 'StatefulSet' || o.kind === 'Service'))).toEqual([]);
        for (let i = 0; i < shards; i++) {
          const set = find(objects, 'StatefulSet', `prometheus-shard-${i}`);
          expect(set.spec.replicas).toBe(1);
          expect(set.spec.template.metadata.labels.shard).toBe(String(i));
          // The selector picks this shard's pod only, so no two StatefulSets or Services share a pod.
          expect(set.spec.selector.matchLabels.shard).toBe(String(i));
          expect(set.spec.volumeClaimTemplates.map((c: any) => c.metadata.name)).toEqual(['data']);
          expect(set.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/prometheus' });
          const service = find(objects, 'Service', `prometheus-shard-${i}`);
          expect(service.spec.selector).toEqual(set.spec.selector.matchLabels);
          expect(service.spec.ports).toEqual([{ name: 'http', port: 9090, targetPort: 'http', protocol: 'TCP' }]);
          expect(set.spec.serviceName).toBe(service.metadata.name);
        }
      });

      it("gives each shard exactly its own shard config, scrape config files and the per-target rule files, at the paths its config names", () => {
        const local = files.filter((f) => f.path.startsWith('prometheus/rules/'));
        for (let i = 0; i < shards; i++) {
          const set = find(objects, 'StatefulSet', `prometheus-shard-${i}`);
          const seen = filesInContainer(objects, set);
          const shardFiles = files.filter((f) => f.path.startsWith(`prometheus/shards/shard-${i}/`));
          const shardConfig = parseYaml(shardFiles.find((f) => f.path.endsWith('/prometheus.yml'))!.content);
          const ruleFiles: string[] = shardConfig.rule_files ?? [];
          expect(ruleFiles).toEqual(localRules.map((r) => `../../rules/${r}`));
          if (localRules.length === 0) expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('prometheus-rules'))).toBe(false);
          const expected = new Map<string, string>([
            ...shardFiles.map((f) => [`/etc/${f.path}`, f.content] as const),
            ...ruleFiles.map((r) => {
              const path = posix.join(`prometheus/shards/shard-${i}`, r);
              return [`/etc/${path}`, local.find((f) => f.path === path)!.content] as const;
            }),
          ]);
          expect([...seen.keys()].sort()).toEqual([...expected.keys()].sort());
          for (const [path, content] of expected) expect(seen.get(path), path).toBe(content);
          expect(set.spec.template.spec.containers[0].args).toContain(`--config.file=/etc/prometheus/shards/shard-${i}/prometheus.yml`);
          // Its own ConfigMaps hold its shard's files and nothing else, and are labelled with it.
          for (const { configMap } of set.spec.template.spec.volumes[0].projected.sources) {
            const cm = find(objects, 'ConfigMap', configMap.name);
            if (cm.metadata.labels?.shard === undefined) {
              expect(Object.values(cm.data).every((c) => ruleFiles.length > 0 && local.some((f) => f.content === c))).toBe(true);
            } else {
              expect(cm.metadata.labels.shard).toBe(String(i));
              expect(Object.values(cm.data).every((c) => shardFiles.some((f) => f.content === c))).toBe(true);
            }
          }
        }
        // No alert, threshold or SLO rule file reaches a shard: those are the central ruler's.
        const mounted = shardSets(objects).flatMap((s) => [...filesInContainer(objects, s).keys()]);
        expect(mounted.filter((p) => /\/rules\/(alerts|thresholds|slos?)[^/]*\.yml$/.test(p))).toEqual([]);
      });

      it('lays out each shard\'s mounted files so that promtool check config (rule files and scrape config files included) passes', () => {
        expect(shardSets(objects)).toHaveLength(shards);
        for (const set of shardSets(objects)) {
          // The pod's filesystem, rooted at a scratch folder: the kubelet mounts the service account token the
          // kubelet scrape job reads, so it is laid out too and the absolute paths are rooted there.
          const tokenPath = '/var/run/secrets/kubernetes.io/serviceaccount/token';
          const root = scratchDir('mlmon-shard-pod-');
          scratches.push(root.cleanup);
          const seen = [...filesInContainer(objects, set), [tokenPath, 'token']] as const;
          const dir = root.dir;
          for (const [path, content] of seen) {
            mkdirSync(dirname(join(dir, path)), { recursive: true });
            writeFileSync(join(dir, path), content.replaceAll(tokenPath, join(dir, tokenPath)));
          }
          const configFile = set.spec.template.spec.containers[0].args.find((a: string) => a.startsWith('--config.file=')).split('=')[1];
          // Not --syntax-only: promtool then also reads every rule file and scrape config file the config names.
          const run = spawnSync(tool('promtool'), ['check', 'config', join(dir, configFile)], { encoding: 'utf8', timeout: 60_000 });
          expect(`${run.stdout}${run.stderr}`, set.metadata.name).toMatch(/SUCCESS/);
          expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
          // It did read the rule files: promtool fails a rule_files entry that points nowhere.
          const ruleFiles: string[] = parseYaml(readFileSync(join(dir, configFile), 'utf8')).rule_files ?? [];
          if (ruleFiles.length > 0) expect(run.stdout).toContain(`SUCCESS: ${ruleFiles.length} rule files found`);
        }
      });

      it('passes kubeconform -strict (Kubernetes 1.35 schemas) and Pod Security Admission at the restricted level for every shard', () => {
        const dir = writeOut(files.filter((f) => f.path.startsWith('k8s/')));
        const kubeconform = spawnSync(join(upstreamToolsDir(), 'kubeconform'), ['-strict', '-summary', '-output', 'json', '-skip', 'Kustomization', '-schema-location', `${join(upstreamToolsDir(), 'kubernetes-schemas')}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, join(dir, 'k8s')], { encoding: 'utf8', timeout: 60_000 });
        const report = JSON.parse(kubeconform.stdout) as { resources: { kind: string; name: string; status: string; msg: string }[]; summary: { valid: number; invalid: number; errors: number } };
        expect(report.resources.filter((r) => r.status !== 'statusValid' && r.status !== 'statusSkipped')).toEqual([]);
        expect(kubeconform.status).toBe(0);
        expect(report.summary.valid).toBe(objects.length);

        const paths = files.filter((f) => f.path.startsWith('k8s/')).map((f) => join(dir, f.path));
        const admission = spawnSync(join(upstreamToolsDir(), 'pod-security'), ['-level', 'restricted', ...paths], { encoding: 'utf8', timeout: 60_000 });
        expect(admission.stderr).toBe('');
        expect(admission.status).toBe(0);
        const results = admission.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string; name: string; allowed: boolean; meetsLevel: boolean });
        const shardResults = results.filter((r) => r.name.startsWith('prometheus-shard-'));
        expect(shardResults.map((r) => `${r.kind}/${r.name}`)).toEqual(Array.from({ length: shards }, (_, i) => `StatefulSet/prometheus-shard-${i}`));
        expect(shardResults.every((r) => r.allowed && r.meetsLevel)).toBe(true);
        expect(results.every((r) => r.allowed)).toBe(true);
      });

      it('builds with kustomize into every shard\'s objects, in the configured namespace', () => {
        const dir = writeOut(files.filter((f) => f.path.startsWith('k8s/')));
        const built = parseAllDocuments(execFileSync(tool('kustomize'), ['build', join(dir, 'k8s')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).map((d) => d.toJS() as KubeObject);
        const ids = (list: readonly KubeObject[]) => list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
        expect(ids(built)).toEqual(ids(objects));
        for (let i = 0; i < shards; i++) {
          for (const kind of ['StatefulSet', 'Service']) expect(find(built, kind, `prometheus-shard-${i}`).metadata.namespace).toBe('monitoring');
        }
      });
    });
  }
});

describe('the config checksum of each shard', () => {
  const checksums = (files: readonly RenderedFile[]): string[] => shardSets(objectsOf(files)).map((s) => s.spec.template.metadata.annotations[checksumAnnotation]);

  it('changes for exactly the shard whose config changed, for every shard, and for all of them when a rule file they load changes', async () => {
    const generated = await generateFromConfig(sharded(3, { services: 201, recording: [{ record: 'instance:http_requests:rate5m', expr: 'rate(http_requests_total[5m])' }] }));
    const others = generated.files.filter((f) => !f.path.startsWith('k8s/'));
    const before = checksums(renderKubernetes(generated.model, others));
    expect(new Set(before).size).toBe(3);
    const edited = (match: (path: string) => boolean): RenderedFile[] => others.map((f) => (match(f.path) ? { ...f, content: `${f.content}# edited\n` } : f));
    const changed = (after: string[]): number[] => after.flatMap((sum, i) => (sum === before[i] ? [] : [i]));
    for (let i = 0; i < 3; i++) {
      expect(changed(checksums(renderKubernetes(generated.model, edited((p) => p === `prometheus/shards/shard-${i}/prometheus.yml`)))), `shard-${i}/prometheus.yml`).toEqual([i]);
      expect(changed(checksums(renderKubernetes(generated.model, edited((p) => p === `prometheus/shards/shard-${i}/scrape-configs/services-002.yml`)))), `shard-${i} scrape config file`).toEqual([i]);
    }
    // The per-target rule file every shard loads rolls every shard.
    expect(changed(checksums(renderKubernetes(generated.model, edited((p) => p === 'prometheus/rules/recording.yml'))))).toEqual([0, 1, 2]);
    // The central ruler's rules, the unsharded prometheus.yml and Alertmanager's config roll no shard.
    expect(changed(checksums(renderKubernetes(generated.model, edited((p) => p === 'prometheus/rules/alerts.yml' || p === 'prometheus/prometheus.yml' || p.startsWith('prometheus/scrape-configs/') || p.startsWith('ruler/') || p.startsWith('alertmanager/')))))).toEqual([]);
  }, 120_000);
});

describe('the unsharded example', () => {
  it('still renders the one Prometheus, byte for byte as committed in out/k8s', async () => {
    const { files } = await generateExample();
    const k8s = files.filter((f) => f.path.startsWith('k8s/'));
    expect(k8s.length).toBeGreaterThan(3);
    for (const file of k8s) expect(file.content, file.path).toBe(readFileSync(join(repoRoot, 'out', file.path), 'utf8'));
    const objects = objectsOf(files);
    expect(objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.name.startsWith('prometheus')).map((o) => o.metadata.name)).toEqual(['prometheus']);
    expect(find(objects, 'StatefulSet', 'prometheus').spec.template.metadata.labels.shard).toBeUndefined();
  }, 120_000);
});
