/**
 * Kubernetes manifests (multi-document YAML under k8s/): objects by kind, namespace and name, wherever they
 * live, with the fields that changed (`Deployment monitoring/prometheus: spec.template.spec.containers[prometheus].image: … → …`).
 * Documents are compared as text first and only those that differ are parsed: a ConfigMap that carries a
 * fleet's rules is large, and when it didn't change there is nothing to read.
 */
import { parse } from 'yaml';
import { asField, byText, textSurplus, type Change } from './change.js';
import { firstLine, type OutputSide } from './side.js';
import { describeFieldChanges, fieldChanges, isRecord } from './structure.js';

interface KubernetesObject {
  readonly key: string;
  readonly body: Record<string, unknown>;
}

export function diffKubernetes(before: OutputSide, after: OutputSide, paths: readonly string[]): Change[] {
  const changes: Change[] = [];
  const documents = (side: OutputSide) => paths.flatMap((path) => splitDocuments(side.files.get(path) ?? '').map((text) => ({ path, text })));
  const old = documents(before);
  const now = documents(after);
  const { onlyBefore, onlyAfter } = textSurplus(old, now, (doc) => doc.text);

  const objects = (docs: readonly { path: string; text: string }[], side: OutputSide) => {
    const byKey = new Map<string, KubernetesObject>();
    for (const doc of docs) {
      let value: unknown;
      try {
        value = parse(doc.text);
      } catch (error) {
        changes.push({ change: 'changed', subject: `file ${doc.path}`, text: `a document in ${doc.path} (${side.name === 'before' ? 'the current output' : 'the new output'}) is not valid YAML: ${firstLine((error as Error).message)}; see the text diff` });
        continue;
      }
      for (const object of objectsOf(value)) byKey.set(object.key, object);
    }
    return byKey;
  };
  const a = objects(onlyBefore, before);
  const b = objects(onlyAfter, after);
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort(byText)) {
    const from = a.get(key);
    const to = b.get(key);
    if (!from) changes.push({ change: 'added', subject: key, text: `${key} added` });
    else if (!to) changes.push({ change: 'removed', subject: key, text: `${key} removed` });
    else {
      const fields = fieldChanges(from.body, to.body);
      if (fields.length) changes.push({ change: 'changed', subject: key, text: `${key}: ${describeFieldChanges(fields)}`, fields: fields.map(asField) });
    }
  }
  return changes;
}

/** The documents of a multi-document YAML file, each as its text (`---` and `...` lines separate them). */
export function splitDocuments(text: string): string[] {
  const documents: string[] = [];
  // A document of nothing but comments and blank lines (a banner, say) holds no object.
  const add = (doc: string) => {
    if (/^[ \t]*[^\s#]/m.test(doc)) documents.push(doc);
  };
  const separator = /^(?:---|\.\.\.)(?=[ \t]|$)(.*)$/gm;
  let start = 0;
  let carried = '';
  for (let match = separator.exec(text); match; match = separator.exec(text)) {
    add(carried + text.slice(start, match.index));
    // `--- key: value` starts the next document on the marker's own line.
    const rest = match[0].startsWith('---') ? match[1]!.trim() : '';
    carried = rest && !rest.startsWith('#') ? `${rest}\n` : '';
    start = match.index + match[0].length + 1;
  }
  add(carried + text.slice(start));
  return documents;
}

/** `Deployment monitoring/prometheus`; a `List`'s items one by one. */
function objectsOf(value: unknown): KubernetesObject[] {
  if (!isRecord(value)) return [];
  if (value.kind === 'List' || (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items))) {
    return (Array.isArray(value.items) ? value.items : []).flatMap(objectsOf);
  }
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const name = String(metadata.name ?? '(no name)');
  const key = `${String(value.kind ?? '(no kind)')} ${typeof metadata.namespace === 'string' ? `${metadata.namespace}/` : ''}${name}`;
  return [{ key, body: value }];
}
