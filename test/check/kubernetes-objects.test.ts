/**
 * The Kubernetes object check of `mlmon validate`, called directly: clean on what mlmon renders, and each
 * deliberately broken object reported once, at the field, with the object's kind and name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { checkKubernetesObjects, kubernetesModelClasses } from '../../src/check/kubernetes-objects.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { generateExample } from '../support/fixtures.js';

type KubeObject = { kind: string; metadata: { name: string }; [key: string]: any };

let exampleFiles: readonly RenderedFile[];
beforeAll(async () => {
  exampleFiles = (await generateExample()).files;
});

/** The example's files with one object changed, written back as the renderer lays objects out. */
function withObject(kind: string, name: string, change: (object: KubeObject) => void): RenderedFile[] {
  let found = false;
  const files = exampleFiles.map((file) => {
    if (!file.path.startsWith('k8s/')) return file;
    const objects = parseAllDocuments(file.content).map((d) => d.toJS() as KubeObject);
    const target = objects.find((o) => o?.kind === kind && o.metadata?.name === name);
    if (!target) return file;
    found = true;
    change(target);
    return { path: file.path, content: objects.map((o) => `---\n${stringify(o)}`).join('') };
  });
  if (!found) throw new Error(`the example has no ${kind}/${name}`);
  return files;
}

describe('the Kubernetes object check', () => {
  it('finds nothing wrong with the example, and checks every object but the kustomization', async () => {
    const { problems, objects } = await checkKubernetesObjects(exampleFiles);
    expect(problems).toEqual([]);
    const written = exampleFiles
      .filter((f) => f.path.startsWith('k8s/'))
      .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as KubeObject))
      .filter((o) => o.kind !== 'Kustomization');
    expect(objects).toBe(written.length);
    expect(objects).toBeGreaterThan(20);
    for (const kind of new Set(written.map((o) => o.kind))) expect(kubernetesModelClasses[kind], kind).toBeDefined();
  });

  const cases: { name: string; kind: string; object: string; change: (o: KubeObject) => void; id: string; artifact: string; reportedAs: string; message: RegExp; value?: unknown }[] = [
    {
      name: 'a Deployment with a string where the API wants an integer',
      kind: 'Deployment', object: 'grafana', change: (o) => { o.spec.replicas = '2'; },
      id: 'kubernetes/invalid-object', artifact: 'k8s/grafana.yaml', reportedAs: 'Deployment/grafana', message: /^spec\.replicas must be integer$/, value: '2',
    },
    {
      name: 'a container port given by name where a number belongs',
      kind: 'Deployment', object: 'logstash', change: (o) => { o.spec.template.spec.containers[0].ports[0].containerPort = 'beats'; },
      id: 'kubernetes/invalid-object', artifact: 'k8s/logstash.yaml', reportedAs: 'Deployment/logstash', message: /^spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort must be integer$/, value: 'beats',
    },
    {
      name: 'a memory limit that is not a quantity, once for the format rather than for every form a quantity may take',
      kind: 'StatefulSet', object: 'prometheus', change: (o) => { o.spec.template.spec.containers[0].resources.limits.memory = 'lots'; },
      id: 'kubernetes/invalid-object', artifact: 'k8s/prometheus.yaml', reportedAs: 'StatefulSet/prometheus', message: /^spec\.template\.spec\.containers\[0\]\.resources\.limits\.memory must match format "quantity"$/, value: 'lots',
    },
    {
      name: 'an apiVersion the kind does not have',
      kind: 'DaemonSet', object: 'filebeat', change: (o) => { o.apiVersion = 'extensions/v1beta1'; },
      id: 'kubernetes/invalid-object', artifact: 'k8s/filebeat.yaml', reportedAs: 'DaemonSet/filebeat', message: /^apiVersion must be equal to one of the allowed values: "apps\/v1"$/, value: 'extensions/v1beta1',
    },
    {
      name: 'a name the API server refuses',
      kind: 'ConfigMap', object: 'grafana-dashboard-ml-models', change: (o) => { o.metadata.name = 'Grafana_Dashboard'; },
      id: 'kubernetes/invalid-object', artifact: 'k8s/grafana.yaml', reportedAs: 'ConfigMap/Grafana_Dashboard', message: /^metadata\.name "Grafana_Dashboard" is not a valid object name$/, value: 'Grafana_Dashboard',
    },
    {
      name: 'a kind mlmon has no schema for',
      kind: 'Service', object: 'alertmanager', change: (o) => { o.kind = 'Ingress'; o.apiVersion = 'networking.k8s.io/v1'; },
      id: 'kubernetes/unknown-kind', artifact: 'k8s/alertmanager.yaml', reportedAs: 'Ingress/alertmanager', message: /no Kubernetes schema for kind Ingress \(networking\.k8s\.io\/v1\)/,
    },
    {
      name: 'a kind named like a JavaScript built-in, as an unknown kind rather than a crash',
      kind: 'Service', object: 'alertmanager', change: (o) => { o.kind = 'constructor'; },
      id: 'kubernetes/unknown-kind', artifact: 'k8s/alertmanager.yaml', reportedAs: 'constructor/alertmanager', message: /no Kubernetes schema for kind constructor/,
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, async () => {
      const { problems } = await checkKubernetesObjects(withObject(c.kind, c.object, c.change));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ id: c.id, severity: 'error', artifact: c.artifact, object: c.reportedAs });
      expect(problems[0]!.message).toMatch(c.message);
      expect(problems[0]!.value).toEqual(c.value);
    });
  }

  it('reports every broken field of an object, each once', async () => {
    const { problems } = await checkKubernetesObjects(withObject('Deployment', 'grafana', (o) => {
      o.spec.replicas = 'two';
      o.spec.template.spec.containers[0].resources.requests.cpu = 'a bit';
    }));
    expect(problems.map((p) => p.message).sort()).toEqual([
      'spec.replicas must be integer',
      'spec.template.spec.containers[0].resources.requests.cpu must match format "quantity"',
    ]);
  });

  it('reports a manifest that is not YAML, and ignores every file outside k8s/', async () => {
    const files: RenderedFile[] = [
      { path: 'k8s/broken.yaml', content: 'kind: ConfigMap\nmetadata: {name: x\n' },
      { path: 'prometheus/prometheus.yml', content: 'kind: [unclosed\n' },
    ];
    const { problems, objects } = await checkKubernetesObjects(files);
    expect(problems.map((p) => [p.id, p.artifact])).toEqual([['kubernetes/invalid-object', 'k8s/broken.yaml']]);
    expect(problems[0]!.message).toMatch(/^the file is not valid YAML/);
    expect(objects).toBe(0);
  });

  it('hands on the manifests holding a value Kubernetes decodes differently (YAML 1.1), and no others', async () => {
    const manifests = (namespace: string, label: string): RenderedFile[] => [
      { path: 'k8s/a.yaml', content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ${namespace}\n` },
      { path: 'k8s/b.yaml', content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels:\n    team: ${label}\n` },
    ];
    const clean = await checkKubernetesObjects(manifests('monitoring', '"on"'));
    expect(clean.misread).toEqual([]);
    const misread = await checkKubernetesObjects(manifests('no', 'On'));
    expect(misread.misread.map((f) => f.path)).toEqual(['k8s/a.yaml', 'k8s/b.yaml']);
    // The objects are still read as YAML 1.2 reads them (the strings "no" and "On"): kubernetes-models finds
    // nothing; the mismatch is reported by yaml/reader-mismatch, and kubeconform fails it in the tests.
    expect(misread.problems).toEqual([]);
    expect((await checkKubernetesObjects(exampleFiles)).misread).toEqual([]);
  });
});
