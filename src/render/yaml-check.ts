/**
 * Every templated YAML file is parsed again before it is accepted: a file that doesn't parse (a user's template
 * override gone wrong, or a bug of ours) is never written. The parse (formats/yaml/readers.ts) is js-yaml's, not
 * the `yaml` library's the values are laid out with. Kubernetes manifests are not templated (the yaml library
 * writes them from objects) and are not checked here; the tests prove their round trip.
 *
 * The same parse also notes every plain scalar that another reader takes for something else (see
 * `ReaderMismatch`); `readerMismatchProblems` reports them.
 */
import { findReaderMismatches, parseYamlDocuments } from '../formats/yaml/readers.js';
import type { Problem } from '../problems.js';
import { RenderError, type RenderedFile } from './artifact.js';

/** One `yaml/reader-mismatch` problem per scalar another reader misreads, in a YAML file mlmon wrote. */
export function readerMismatchProblems(file: RenderedFile): Problem[] {
  return findReaderMismatches(file.content).map((m) => ({
    id: 'yaml/reader-mismatch', severity: 'error', artifact: file.path, object: m.path, value: m.text,
    message: `\`${m.text}\` reads as ${describe(m.yaml12)} under YAML 1.2 but as ${describe(m.other)} under ${m.reader}`,
    allowed: 'a value every YAML reader reads the same: quote it ("no", "0X1F"), or write what it means (false, 31)',
    hint: 'Kubernetes decodes manifests with YAML 1.1 rules: if a template override writes this value, pass it through {{yaml …}}, which quotes it',
  }));
}
function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (value instanceof Date) return `the timestamp ${value.toISOString()}`;
  if (value !== null && typeof value === 'object') return 'a merge key (<<)';
  return `${typeof value === 'bigint' ? 'the number' : typeof value === 'boolean' ? 'the boolean' : value === null ? '' : 'the number'} ${String(value)}`.trim();
}

/** The YAML files written from templates (Kubernetes manifests are written from objects). */
// openslo/ and operator/*.yaml: streams of documents the yaml library writes from data, not a template (render/openslo.ts, render/operator/).
export const isTemplatedYaml = (file: RenderedFile): boolean => /\.ya?ml$/.test(file.path) && !file.path.startsWith('k8s/') && !file.path.startsWith('openslo/') && !/^operator\/[^/]+\.yaml$/.test(file.path);

/**
 * Throws a RenderError for the first templated YAML file (in path order) that is not exactly one document.
 * Returns the files some of whose plain scalars another reader takes for something else (see ReaderMismatch).
 */
export function checkTemplatedYaml(files: readonly RenderedFile[]): RenderedFile[] {
  const misread: RenderedFile[] = [];
  for (const file of files.filter(isTemplatedYaml)) {
    const parsed = parseYamlDocuments(file.content);
    if (!parsed.ok) throw new RenderError(file.path, `the output is not valid YAML: ${parsed.error}`);
    if (parsed.documents.length > 1) throw new RenderError(file.path, `the output is not valid YAML: it holds ${parsed.documents.length} documents, where one is expected`);
    if (parsed.misread) misread.push(file);
  }
  return misread;
}
