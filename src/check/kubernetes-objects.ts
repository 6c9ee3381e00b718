/**
 * The Kubernetes manifests (out/k8s/*.yaml), object by object, against the Kubernetes API's own schemas as
 * kubernetes-models ships them: a string where the API wants an integer, a quantity that is not one, a field
 * of the wrong shape, an apiVersion the kind doesn't have. These are what `kubectl apply` would refuse, found
 * before anyone runs it. Names are checked here too, because kubernetes-models leaves them to the API server.
 */
import type { RenderedFile } from '../render/artifact.js';
import type { Problem } from '../problems.js';

/** A kubernetes-models class: built from an object, it throws from validate() what the API would refuse. */
export type KubernetesModelClass = new (data: any) => { validate(): void };

/**
 * The kinds mlmon writes, each loaded from its own module when first needed: kubernetes-models' root import
 * loads every kind of the API (~1 s). The one list, also used by the renderer's tests.
 */
export const kubernetesModelClasses: Readonly<Record<string, () => Promise<KubernetesModelClass>>> = {
  Namespace: async () => (await import('kubernetes-models/v1/Namespace')).Namespace,
  ServiceAccount: async () => (await import('kubernetes-models/v1/ServiceAccount')).ServiceAccount,
  ConfigMap: async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap,
  Service: async () => (await import('kubernetes-models/v1/Service')).Service,
  StatefulSet: async () => (await import('kubernetes-models/apps/v1/StatefulSet')).StatefulSet,
  Deployment: async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment,
  DaemonSet: async () => (await import('kubernetes-models/apps/v1/DaemonSet')).DaemonSet,
  ClusterRole: async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole')).ClusterRole,
  ClusterRoleBinding: async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding')).ClusterRoleBinding,
};

export interface KubernetesObjectsResult {
  readonly problems: Problem[];
  /** How many objects were checked. */
  readonly objects: number;
  /** The manifests holding a plain value YAML 1.1 (Kubernetes' decoder) reads differently from 1.2. */
  readonly misread: RenderedFile[];
}

/** What kubernetes-models' ValidationError carries: the errors of its ajv validator. */
interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

// An RFC 1123 subdomain, which every object name mlmon writes must be (the API server's check).
const objectName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The files this check reads: the Kubernetes manifests, out/k8s/*.yaml. */
export const isKubernetesManifest = (path: string): boolean => /^k8s\/[^/]+\.ya?ml$/.test(path);

export async function checkKubernetesObjects(files: readonly RenderedFile[]): Promise<KubernetesObjectsResult> {
  const { parseYamlDocuments } = await import('../formats/yaml/readers.js');
  const problems: Problem[] = [];
  const misread: RenderedFile[] = [];
  let objects = 0;
  for (const file of files.filter((f) => isKubernetesManifest(f.path))) {
    const problem = (object: string | undefined, message: string, extra: Partial<Problem> = {}): void => {
      problems.push({ id: 'kubernetes/invalid-object', severity: 'error', artifact: file.path, ...(object ? { object } : {}), message, ...extra });
    };
    const parsed = parseYamlDocuments(file.content);
    if (!parsed.ok) {
      problem(undefined, `the file is not valid YAML: ${parsed.error}`);
      continue;
    }
    if (parsed.misread) misread.push(file);
    for (const [index, object] of parsed.documents.entries()) {
      if (object === null || object === undefined) continue;
      if (!isObject(object) || typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
        problem(`document ${index + 1}`, 'this document is not a Kubernetes object: it has no kind and apiVersion');
        continue;
      }
      // kustomize reads the kustomization; it is never sent to the API server, which has no schema for it.
      if (object.kind === 'Kustomization' && object.apiVersion.startsWith('kustomize.config.k8s.io/')) continue;
      objects++;
      const name = isObject(object.metadata) && typeof object.metadata.name === 'string' ? object.metadata.name : undefined;
      const id = `${object.kind}/${name ?? ''}`;
      if (name === undefined || !objectName.test(name) || name.length > 253) {
        problem(id, `metadata.name ${JSON.stringify(name ?? null)} is not a valid object name`, { value: name ?? null, allowed: 'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (an RFC 1123 subdomain)' });
      }
      const load = Object.hasOwn(kubernetesModelClasses, object.kind) ? kubernetesModelClasses[object.kind] : undefined;
      if (!load) {
        problems.push({
          id: 'kubernetes/unknown-kind', severity: 'error', artifact: file.path, object: id,
          message: `mlmon has no Kubernetes schema for kind ${object.kind} (${object.apiVersion}), so this object could not be checked`,
          allowed: Object.keys(kubernetesModelClasses).join(', '),
          hint: 'add the kind to kubernetesModelClasses in src/check/kubernetes-objects.ts',
        });
        continue;
      }
      const Model = await load();
      try {
        new Model(object).validate();
      } catch (thrown) {
        const errors = (thrown as { errors?: readonly SchemaError[] }).errors;
        if (!errors) throw thrown;
        for (const { path, message } of describeErrors(errors)) {
          const value = valueAt(object, path);
          problem(id, `${dotted(path) || 'the object'} ${message}`, {
            ...(value === undefined || isObject(value) || Array.isArray(value) ? {} : { value }),
            hint: 'the API server would refuse this object, so `kubectl apply` would fail: fix the config value that ends up here',
          });
        }
      }
    }
  }
  return { problems, objects, misread };
}

/**
 * One message per field. A field that may take one of several forms (IntOrString, a quantity: a number or a
 * string in quantity format) fails every form and ajv reports each, plus a summary line; what helps is the
 * form the value was meant to have (the format) rather than every alternative.
 */
function describeErrors(errors: readonly SchemaError[]): { path: string; message: string }[] {
  const byPath = new Map<string, SchemaError[]>();
  for (const error of errors) byPath.set(error.instancePath, [...(byPath.get(error.instancePath) ?? []), error]);
  return [...byPath].map(([path, found]) => {
    const specific = found.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
    const preferred = specific.some((e) => e.keyword === 'format') ? specific.filter((e) => e.keyword === 'format') : specific.length ? specific : found;
    return { path, message: [...new Set(preferred.map(messageOf))].join(', or ') };
  });
}

function messageOf(error: SchemaError): string {
  const message = error.message ?? `fails ${error.keyword}`;
  if (error.keyword === 'enum') return `${message}: ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'additionalProperties') return `${message}: ${String(error.params.additionalProperty)}`;
  return message;
}

/** `/spec/template/spec/containers/0/ports/0` → `spec.template.spec.containers[0].ports[0]`, as kubectl names fields. */
function dotted(pointer: string): string {
  return pointerSegments(pointer).reduce<string>((out, segment) => (/^\d+$/.test(segment) ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), '');
}

function pointerSegments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const segment of pointerSegments(pointer)) value = isObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[segment] : undefined;
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
