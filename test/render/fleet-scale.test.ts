/**
 * A fleet of thousands of models still deploys: rule files are sharded and ConfigMaps packed so that no
 * Kubernetes object passes 1 MiB, and the alert rules stay one per alert. (Speed is the benchmarks' job.)
 */
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateFromConfig } from '../support/fixtures.js';
import { alertCatalog } from '../../src/catalog/index.js';
import { activeCatalog } from '../../src/catalog/integrations/index.js';
import { thresholdRulesPerGroup } from '../../src/normalize/rule-groups.js';
import { artifactRegistry } from '../../src/render/registry.js';

const maxObjectBytes = 1024 * 1024;

describe('a fleet of 6,000 models', () => {
  it('deploys: sharded threshold rules, every ConfigMap under 1 MiB and mounted, one rule per alert', async () => {
    const models = Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`model-${String(i).padStart(5, '0')}`, {
      service: `svc-${i % 60}`, team: `team-${i % 7}`, thresholds: { minAccuracy: 0.8 + (i % 10) / 100, ...(i % 97 === 0 ? { maxDriftScore: false as const } : {}) },
    }]));
    const services = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`svc-${i}`, { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } }]));
    const { files, model } = await generateFromConfig({ services, models });

    const thresholdFiles = model.ruleFiles.filter((f) => f.name.startsWith('thresholds'));
    expect(thresholdFiles.length).toBeGreaterThan(1);
    // Group names are unique across files; a threshold file holds several groups (src/normalize/rule-groups.ts).
    const groupNames = model.ruleFiles.flatMap((f) => f.groups.map((g) => g.name));
    expect(new Set(groupNames).size).toBe(groupNames.length);
    expect(thresholdFiles.flatMap((f) => f.groups).every((g) => g.rules.length <= thresholdRulesPerGroup)).toBe(true);
    const alertRules = model.ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r) => r.kind === 'alert');
    // Every built-in alert (no service runs an integration here, and node-exporter has fixed targets, which can't
    // go missing from a node: no IntegrationMetricsMissing, no NodeExporterMissing).
    const watchNothing = ['IntegrationMetricsMissing', 'NodeExporterMissing'];
    expect(alertRules.map((r) => r.alert).sort()).toEqual(activeCatalog(alertCatalog, new Set()).map((a) => a.name).filter((name) => !watchNothing.includes(name)).sort());

    const documents = files.filter((f) => f.path.startsWith('k8s/') && f.path !== 'k8s/kustomization.yaml').flatMap((f) => parseAllDocuments(f.content, { uniqueKeys: true }));
    expect(documents.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
    const objects = documents.map((d) => d.toJS() as Record<string, any>);
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
    // generate does not parse the manifests back (see src/render/kubernetes.ts): this is where every deployed
    // file is proven to reach its ConfigMap byte for byte, at the size where they are split across several.
    const held = new Set(configMaps.flatMap((cm) => Object.values(cm.data as Record<string, string>)));
    // Deployed: what the artifact registry packs into a ConfigMap (not proofs, nor files applied by API, like out/elasticsearch/).
    const deployed = files.filter((f) => artifactRegistry.entryFor(f.path)?.configMap !== undefined);
    expect(deployed.length).toBeGreaterThan(10);
    for (const file of deployed) expect(held.has(file.content), file.path).toBe(true);
    for (const cm of configMaps) {
      const bytes = Object.entries(cm.data as Record<string, string>).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
      expect(bytes, cm.metadata.name).toBeLessThan(maxObjectBytes);
    }
    // Every rule file reaches Prometheus: the rule ConfigMaps, however many, are all in its projected volume.
    const prometheus = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus')!;
    const mounted = new Set<string>((prometheus.spec.template.spec.volumes as any[]).flatMap((v) => (v.projected?.sources ?? []).flatMap((s: any) => (s.configMap?.items ?? []).map((i: any) => i.path))));
    for (const file of thresholdFiles) expect(mounted, file.name).toContain(`rules/${file.name}`);

    const mlDashboard = files.find((f) => f.path === 'grafana/dashboards/ml-models.json')!;
    expect(Buffer.byteLength(mlDashboard.content)).toBeLessThan(maxObjectBytes / 4);
  }, 120_000);
});
