/**
 * Kubernetes manifests for the whole stack, under out/k8s/: one file per component plus a kustomization that
 * lists them (`kubectl apply --server-side -k out/k8s`).
 *
 * The manifests wrap the other rendered files rather than repeating them: every ConfigMap holds a generated
 * file byte for byte, found by its path (prometheus/…, alertmanager/…, grafana/…, logstash/…, filebeat/…). A
 * component whose files were not rendered is left out. Objects are built as data and laid out with the yaml
 * library. Unlike the templated files, these are not parsed again on every run: no template stands between the
 * objects and the text, and at 10,000 models the round trip of the ConfigMaps (every other file, embedded) was
 * a fifth of generate's time. The tests hold the layout to it instead: every ConfigMap parses back to its file
 * byte for byte, hostile text included (test/render/kubernetes.test.ts), and kustomize builds the folder.
 */
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { MonitoringModel } from '../normalize/model.js';
import { banner, RenderError, type RenderedFile } from './artifact.js';
import {
  alertmanagerManifests,
  filebeatManifests,
  grafanaManifests,
  logstashManifests,
  type ComponentManifests,
  type ManifestDocument,
} from './kubernetes/components.js';
import { prometheusManifests } from './kubernetes/prometheus-components.js';
import { labelsOf } from './kubernetes/pod.js';
import { yamlDocument } from '../formats/yaml/layout.js';
import { oneLine } from '../formats/yaml/line-breaks.js';

const folder = 'k8s';

export function renderKubernetes(model: MonitoringModel, otherFiles: readonly RenderedFile[]): RenderedFile[] {
  const context = { model, files: otherFiles };
  // The Prometheus Operator target runs none of these of our own: out/operator hands it their work instead.
  const ownStack = model.deploy.target === 'standalone' ? [prometheusManifests, alertmanagerManifests, grafanaManifests] : [];
  const components = [...ownStack, logstashManifests, filebeatManifests]
    .map((build) => build(context))
    .filter((c): c is ComponentManifests => c !== undefined);

  const manifests = [
    { path: `${folder}/namespace.yaml`, documents: [namespaceDocument(model, components)] },
    ...components.map((c) => ({ path: `${folder}/${c.component}.yaml`, documents: c.documents })),
  ];
  refuseDuplicateObjects(manifests);
  const files = manifests.map(({ path, documents }) => layOut(model, path, documents));
  files.push(
    layOut(model, `${folder}/kustomization.yaml`, [
      {
        object: {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          namespace: model.kubernetes.namespace,
          resources: manifests.map((m) => m.path.slice(folder.length + 1)),
        } as ManifestDocument['object'],
        comments: ['Apply with `kubectl apply --server-side -k <this folder>`: server-side apply has no size limit on', "the last-applied annotation, which large dashboard ConfigMaps would exceed."],
      },
    ], { multiDocument: false }),
  );
  return files;
}

function namespaceDocument(model: MonitoringModel, components: readonly ComponentManifests[]): ManifestDocument {
  // Filebeat reads the node's log folders (hostPath) as root, which only the privileged Pod Security level
  // admits; without it every pod here meets the restricted level, and the namespace enforces that.
  const hostAccess = components.some((c) => c.component === 'filebeat');
  const namespace: INamespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: model.kubernetes.namespace,
      labels: {
        ...labelsOf('mlmon'),
        'pod-security.kubernetes.io/enforce': hostAccess ? 'privileged' : 'restricted',
        // Warn about anything below restricted, so a new pod that needs less than Filebeat gets noticed.
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  };
  return {
    object: namespace as ManifestDocument['object'],
    comments: hostAccess ? ['Privileged only because Filebeat must read the node log folders; every other pod meets the restricted level.'] : [],
  };
}

/** Two objects of one kind and name would silently replace each other when applied. */
function refuseDuplicateObjects(manifests: readonly { path: string; documents: readonly ManifestDocument[] }[]): void {
  const seen = new Map<string, string>();
  for (const { path, documents } of manifests) {
    for (const { object } of documents) {
      const id = `${object.kind}/${object.metadata?.name ?? ''}`;
      const previous = seen.get(id);
      if (previous) throw new RenderError(path, `${id} is also defined in ${previous}`);
      seen.set(id, path);
    }
  }
}

// No line folding (a ConfigMap must hold its file exactly, and long lines stay greppable), no anchors for
// objects used twice (kustomize and humans read plain YAML best), multi-line strings as literal blocks:
// yamlDocument writes what the yaml library writes with those options (formats/yaml/layout.ts).

function layOut(model: MonitoringModel, path: string, documents: readonly ManifestDocument[], { multiDocument = true } = {}): RenderedFile {
  const comment = (line: string) => `# ${oneLine(line)}\n`;
  const body = documents
    .map(({ object, comments }) => `${multiDocument ? '---\n' : ''}${comments.map(comment).join('')}${yamlDocument(object)}`)
    .join('');
  return { path, content: `${banner(model)}\n${body}` };
}
