/**
 * Every templated YAML file is parsed again before it is accepted: a file that doesn't parse (a user's template
 * override gone wrong, or a bug of ours) is never written. The parser is js-yaml, not the `yaml` library the
 * values are laid out with, so a quirk of one can't approve its own output, and it is ten times faster on a
 * fleet's megabytes of rules and proofs. Duplicate keys are errors, as they are to Prometheus and Alertmanager;
 * the schema is YAML 1.2's core. Kubernetes manifests are not templated (the yaml library writes them from
 * objects) and are not checked here; the tests prove their round trip.
 */
import { CORE_SCHEMA, loadAll, YAMLException } from 'js-yaml';
import { RenderError, type RenderedFile } from './artifact.js';

/** Parses without throwing: the documents, or the first error with its line and column. */
export function parseYamlDocuments(content: string): { ok: true; documents: unknown[] } | { ok: false; error: string } {
  try {
    return { ok: true, documents: loadAll(content, undefined, { schema: CORE_SCHEMA }) };
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    return { ok: false, error: `${error.reason} at line ${error.mark.line + 1}, column ${error.mark.column + 1}` };
  }
}

/** The YAML files written from templates (Kubernetes manifests are written from objects). */
export const isTemplatedYaml = (file: RenderedFile): boolean => /\.ya?ml$/.test(file.path) && !file.path.startsWith('k8s/');

/** Throws a RenderError for the first templated YAML file (in path order) that is not exactly one document. */
export function checkTemplatedYaml(files: readonly RenderedFile[]): void {
  for (const file of files.filter(isTemplatedYaml)) {
    const parsed = parseYamlDocuments(file.content);
    if (!parsed.ok) throw new RenderError(file.path, `the output is not valid YAML: ${parsed.error}`);
    if (parsed.documents.length > 1) throw new RenderError(file.path, `the output is not valid YAML: it holds ${parsed.documents.length} documents, where one is expected`);
  }
}
