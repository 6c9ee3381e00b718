/**
 * Every templated YAML file is parsed again before it is accepted: a file that doesn't parse (a user's template
 * override gone wrong, or a bug of ours) is never written. The parse (formats/yaml/readers.ts) is js-yaml's, not
 * the `yaml` library's the values are laid out with. Kubernetes manifests are not templated (the yaml library
 * writes them from objects) and are not checked here; the tests prove their round trip.
 *
 * The same parse also notes every plain scalar that another reader takes for something else (see
 * `ReaderMismatch`), and every raw line break that only YAML 1.1 readers break at (`findRawLineBreaks`);
 * `readerMismatchProblems` reports them. Which files are read is the artifact registry's to say: every entry of
 * `format: 'yaml'` is read by one of the templated parse, the streams parse here, or the Kubernetes schema check.
 */
import { findRawLineBreaks, findReaderMismatches, parseYamlDocuments } from '../formats/yaml/readers.js';
import type { Problem } from '../problems.js';
import { RenderError, type RenderedFile } from './artifact.js';
import { artifactRegistry, type ArtifactRegistry } from './registry.js';

/**
 * One `yaml/reader-mismatch` problem per scalar another reader misreads, and per raw line break only YAML 1.1
 * readers break at, in a YAML file mlmon wrote.
 */
export function readerMismatchProblems(file: RenderedFile): Problem[] {
  return [...rawLineBreakProblems(file), ...findReaderMismatches(file.content).map((m): Problem => ({
    id: 'yaml/reader-mismatch', severity: 'error', artifact: file.path, object: m.path, value: m.text,
    message: `\`${m.text}\` reads as ${describe(m.yaml12)} under YAML 1.2 but as ${describe(m.other)} under ${m.reader}`,
    allowed: 'a value every YAML reader reads the same: quote it ("no", "0X1F"), or write what it means (false, 31)',
    hint: 'Kubernetes decodes manifests with YAML 1.1 rules: if a template override writes this value, pass it through {{yaml …}}, which quotes it',
  }))];
}
function rawLineBreakProblems(file: RenderedFile): Problem[] {
  return findRawLineBreaks(file.content).map(({ line, column, character }) => ({
    id: 'yaml/reader-mismatch', severity: 'error', artifact: file.path, object: `line ${line}, column ${column}`, value: character.slice(0, 6),
    message: `a raw ${character} at line ${line}, column ${column} is a line break to YAML 1.1 readers (Kubernetes' decoder, PyYAML) and an ordinary character to YAML 1.2: they read different lines, and Kubernetes refuses the file`,
    allowed: `${character.slice(0, 6)} only escaped, in a double-quoted scalar ("\\u${character.slice(2, 6).toLowerCase()}"), never raw in a comment, a plain scalar or a block scalar`,
    hint: 'if a template override writes a config value here, pass it through {{yaml …}} (or {{comment …}} in a comment), which escapes it or keeps it on one line',
  }));
}
function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (value instanceof Date) return `the timestamp ${value.toISOString()}`;
  if (value !== null && typeof value === 'object') return 'a merge key (<<)';
  return `${typeof value === 'bigint' ? 'the number' : typeof value === 'boolean' ? 'the boolean' : value === null ? '' : 'the number'} ${String(value)}`.trim();
}

/** A YAML file by the artifact registry (`format: 'yaml'`): every reader must read it the same. */
export const isYamlArtifact = (file: RenderedFile): boolean => artifactRegistry.entryFor(file.path)?.format === 'yaml';

/** A YAML file that must be one document, parsed again (`parse: 'yaml'`): the templated files, mostly. */
export const isTemplatedYaml = (file: RenderedFile): boolean => artifactRegistry.entryFor(file.path)?.parse === 'yaml';

/**
 * Throws a RenderError for the first templated YAML file (in path order; `parse: 'yaml'` in `registry`, mlmon's
 * own or a test's) that is not exactly one document.
 * Returns the files some of whose plain scalars another reader takes for something else (see ReaderMismatch).
 */
export function checkTemplatedYaml(files: readonly RenderedFile[], registry: ArtifactRegistry<string> = artifactRegistry): RenderedFile[] {
  const misread: RenderedFile[] = [];
  for (const file of files.filter((f) => registry.entryFor(f.path)?.parse === 'yaml')) {
    const parsed = parseYamlDocuments(file.content);
    if (!parsed.ok) throw new RenderError(file.path, `the output is not valid YAML: ${parsed.error}`);
    if (parsed.documents.length > 1) throw new RenderError(file.path, `the output is not valid YAML: it holds ${parsed.documents.length} documents, where one is expected`);
    if (parsed.misread) misread.push(file);
  }
  return misread;
}

/**
 * The same for streams of documents that no other check parses (openslo/slos.yaml, the operator objects, which
 * the yaml library writes from data): a RenderError for the first that doesn't parse, and the misread ones.
 */
export function checkYamlStreams(files: readonly RenderedFile[]): RenderedFile[] {
  const misread: RenderedFile[] = [];
  for (const file of files) {
    const parsed = parseYamlDocuments(file.content);
    if (!parsed.ok) throw new RenderError(file.path, `the output is not valid YAML: ${parsed.error}`);
    if (parsed.misread) misread.push(file);
  }
  return misread;
}
