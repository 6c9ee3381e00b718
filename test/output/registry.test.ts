/**
 * The artifact registry (src/render/registry.ts): every file mlmon renders belongs to one entry, every entry
 * is rendered by some config, the Kubernetes renderer packs exactly the files whose entry says so, and the
 * output side (diff's classifier, the re-parse of templated YAML) reads it.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { artifactOf } from '../../src/output/diff/change.js';
import { RenderError, type RenderedFile } from '../../src/render/artifact.js';
import { renderAll, renderers, renderWith } from '../../src/render/render.js';
import { artifactRegistry, artifacts, createRegistry } from '../../src/render/registry.js';
import { isTemplatedYaml, isYamlArtifact } from '../../src/render/yaml-check.js';
import { yamlStreams } from '../../src/check/run-checks.js';
import { isKubernetesManifest } from '../../src/check/kubernetes-objects.js';
import { generateExample, generateFromConfig, modelOf } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

/** The example, and a static fleet with custom recording rules and a dashboard per model: between them, every entry. */
async function renderedSets(): Promise<{ name: string; files: readonly RenderedFile[] }[]> {
  const fleet = parse(readFileSync(join(repoRoot, 'test/fixtures/render/static-fleet/monitoring.config.yaml'), 'utf8')) as MonitoringConfig;
  return [
    { name: 'example', files: (await generateExample()).files },
    { name: 'static-fleet, a dashboard per model', files: (await generateFromConfig({ ...fleet, grafana: { ...fleet.grafana, perModelDashboards: true } })).files },
    { name: 'static-fleet, for the Prometheus Operator with an AlertmanagerConfig', files: (await generateFromConfig({ ...fleet, deploy: { target: 'prometheus-operator', prometheusOperator: { routing: 'alertmanager-config' } } })).files },
    // Past serviceJobsPerScrapeFile services, their scrape jobs move to scrape config files (each shard's too).
    { name: 'a fleet of 201 services', files: (await generateFromConfig({ services: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`svc-${i}`, { discovery: { staticTargets: [`svc-${i}:8080`] } }])), models: {} })).files },
    { name: 'a sharded fleet of 201 services', files: (await generateFromConfig({ prometheus: { shards: 2, remoteWrite: [{ url: 'http://vm:8428/api/v1/write' }], centralRuler: { kind: 'vmalert' } }, services: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`svc-${i}`, { discovery: { staticTargets: [`svc-${i}:8080`] } }])), models: {} })).files },
  ];
}

describe('the artifact registry', () => {
  it('claims every rendered file with an entry of the renderer that wrote it, and every entry is rendered by some config', async () => {
    const used = new Set<string>();
    for (const { name, files } of await renderedSets()) {
      for (const file of files) {
        const entry = artifactRegistry.entryFor(file.path);
        expect(entry, `${name}: ${file.path}`).toBeDefined();
        used.add(entry!.id);
      }
    }
    expect([...used].sort()).toEqual(artifacts.map((a) => a.id).sort());
    expect(new Set(artifacts.map((a) => a.id)).size).toBe(artifacts.length);
  });

  it('matches `*` within one folder only, and a path no entry claims is nobody\'s', () => {
    expect(artifactRegistry.entryFor('prometheus/rules/alerts.yml')?.id).toBe('rule-files');
    expect(artifactRegistry.entryFor('prometheus/rules/nested/alerts.yml')).toBeUndefined();
    expect(artifactRegistry.entryFor('grafana/dashboards/a.json')?.id).toBe('dashboards');
    expect(artifactRegistry.entryFor('grafana/dashboardsXa.json')).toBeUndefined();
    expect(artifactRegistry.entryFor('NOTES.md')).toBeUndefined();
  });

  it('names the ConfigMaps the Kubernetes renderer really packs: each file with `configMap` is in its component\'s manifest byte for byte, mounted through the named volume, and no other file is', async () => {
    type K8sObject = { kind?: string; metadata?: { name?: string }; data?: Record<string, string>; spec?: { template?: { spec?: { volumes?: { name: string; projected?: { sources?: { configMap?: { name: string } }[] } }[] } } } };
    // The operator target packs no Prometheus, Alertmanager or Grafana of ours (test/render/operator.test.ts).
    for (const { name, files } of (await renderedSets()).filter((set) => !set.files.some((f) => f.path.startsWith('operator/')))) {
      // Where each file's content is: component and volume.
      const packed = new Map<string, { component: string; volume: string | undefined }[]>();
      for (const file of files.filter((f) => f.path.startsWith('k8s/'))) {
        const component = file.path.slice('k8s/'.length).replace(/\.yaml$/, '');
        const objects = parseAllDocuments(file.content).map((doc) => doc.toJS() as K8sObject);
        const volumeOf = new Map<string, string>();
        for (const volume of objects.flatMap((o) => o.spec?.template?.spec?.volumes ?? [])) {
          for (const source of volume.projected?.sources ?? []) if (source.configMap) volumeOf.set(source.configMap.name, volume.name);
        }
        for (const configMap of objects.filter((o) => o?.kind === 'ConfigMap')) {
          for (const content of Object.values(configMap.data ?? {})) {
            packed.set(content, [...(packed.get(content) ?? []), { component, volume: volumeOf.get(configMap.metadata!.name!) }]);
          }
        }
      }
      // With prometheus.shards the shards replace the one server (src/render/kubernetes/components.ts): not its own
      // config files, and of the rule files only those the shards load.
      const shardConfig = files.find((f) => f.path === 'prometheus/shards/shard-0/prometheus.yml');
      const shardRules = new Set(((shardConfig && parse(shardConfig.content).rule_files) ?? []).map((r: string) => posix.join('prometheus/shards/shard-0', r)));
      const replacedByShards = (path: string) => shardConfig !== undefined && (path === 'prometheus/prometheus.yml' || path.startsWith('prometheus/scrape-configs/') || (path.startsWith('prometheus/rules/') && !shardRules.has(path)));
      for (const file of files) {
        const packing = replacedByShards(file.path) ? undefined : artifactRegistry.entryFor(file.path)!.configMap;
        expect(packed.get(file.content) ?? [], `${name}: ${file.path}`).toEqual(packing ? [{ component: packing.component, volume: packing.volume }] : []);
      }
    }
  });

  it('says which files are YAML, and each is read by one of validate\'s YAML parses (templated, streams, Kubernetes objects)', async () => {
    for (const { name, files } of await renderedSets()) {
      const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f.path));
      expect(files.filter(isYamlArtifact).map((f) => f.path), name).toEqual(yamlFiles.map((f) => f.path));
      const streams = new Set(yamlStreams(files).map((f) => f.path));
      const readBy = (f: (typeof files)[number]) => [isTemplatedYaml(f), streams.has(f.path), isKubernetesManifest(f.path)].filter(Boolean).length;
      expect(yamlFiles.filter((f) => readBy(f) !== 1).map((f) => f.path), name).toEqual([]);
    }
  });

  it('is what diff classifies files by', () => {
    expect(['prometheus/rules/thresholds-002.yml', 'prometheus/prometheus.yml', 'alertmanager/alertmanager.yml', 'grafana/dashboards/ml-models.json', 'k8s/grafana.yaml', 'logstash/pipeline/logstash.conf', 'prometheus/tests/ml-models.test.yml', 'filebeat/filebeat.yml', 'NOTES.md'].map((path) => artifactOf(path)))
      .toEqual(['alert-rules', 'prometheus', 'alertmanager', 'dashboards', 'kubernetes', 'logstash', 'other', 'other', 'other']);
    const withoutRules = createRegistry(artifacts.filter((a) => a.id !== 'rule-files'));
    expect(artifactOf('prometheus/rules/alerts.yml', withoutRules)).toBe('other');
  });

  it('refuses a rendered file no entry of its renderer claims, naming it', () => {
    const model = modelOf(JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/render/minimal/monitoring.config.json'), 'utf8')) as MonitoringConfig);
    expect(renderAll(model).length).toBeGreaterThan(0);
    const withoutTests = createRegistry(artifacts.filter((a) => a.id !== 'routing-tests'));
    expect(() => renderWith(model, withoutTests, renderers)).toThrow(RenderError);
    expect(() => renderWith(model, withoutTests, renderers)).toThrow(/could not render alertmanager\/routing-tests\.yml: the alertmanager renderer wrote a file no entry/);
    // Claimed, but by another renderer's entry: as wrong as no entry at all.
    const misattributed = createRegistry(artifacts.map((a) => (a.id === 'filebeat-config' ? { ...a, renderer: 'grafana' as const } : a)));
    expect(() => renderWith(model, misattributed, renderers)).toThrow(/could not render filebeat\/filebeat\.yml/);
  });
});
