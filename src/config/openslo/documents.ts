/**
 * Reading OpenSLO files: multi-document YAML into typed-enough documents, and the one way the import reports a
 * problem in them (the file, the document, the path inside it, the bad value, what is allowed).
 */
import { isMap, isNode, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { configPath, type Problem } from '../../problems.js';

/** An OpenSLO file as the user named it, and its text. */
export interface OpenSloFile {
  readonly file: string;
  readonly content: string;
}

/** One YAML document of an OpenSLO file, with where it came from. */
export interface OpenSloDocument {
  readonly file: string;
  /** 1-based position of the document in its file. */
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
  /** The 1-based line of the node at `path` in the file, or of its nearest ancestor that exists. */
  readonly lineOf: (path: readonly (string | number)[]) => number | undefined;
}

/**
 * The stable ids of the import's problems (docs/openslo.md lists them):
 * - `openslo/yaml`: a file is not YAML;
 * - `openslo/invalid`: a document breaks the OpenSLO v1 spec (a required field missing, a value of the wrong kind);
 * - `openslo/unsupported`: valid OpenSLO that an mlmon SLO cannot represent (thresholdMetric, Timeslices…);
 * - `openslo/unknown-ref`: an `indicatorRef` names no SLI of the files given;
 * - `openslo/query-range`: a query with no range, or with ranges of different lengths;
 * - `openslo/promql`: a query that is not PromQL;
 * - `openslo/duplicate`: two imported SLOs of the same name on the same model or service;
 * - `openslo/dropped` (warning): a field mlmon does not carry, and why;
 * - `openslo/default-window` (warning): no `timeWindow`, so mlmon's default applies;
 * - `openslo/scope-label` (warning): a query sums away the `service` (or `model`) label mlmon joins on.
 */
export type OpenSloProblemId =
  | 'openslo/yaml'
  | 'openslo/invalid'
  | 'openslo/unsupported'
  | 'openslo/unknown-ref'
  | 'openslo/query-range'
  | 'openslo/promql'
  | 'openslo/duplicate'
  | 'openslo/dropped'
  | 'openslo/default-window'
  | 'openslo/scope-label';

/** Where in a document a field is, for problems: the document and the path segments inside it. */
export interface DocumentPlace {
  readonly document: OpenSloDocument;
  readonly path: readonly (string | number)[];
}

export const at = (place: DocumentPlace, ...more: (string | number)[]): DocumentPlace => ({ document: place.document, path: [...place.path, ...more] });

/**
 * Collects the import's problems, errors and warnings, in the order found, each once: an SLI that two SLOs
 * refer to is read twice, and its problems would be too.
 */
export class OpenSloReport {
  readonly problems: Problem[] = [];
  readonly #seen = new Set<string>();

  #add(problem: Problem): void {
    const key = JSON.stringify([problem.id, problem.artifact, problem.object, problem.path, problem.message]);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.problems.push(problem);
  }

  /** An error: the SLO (or the file) cannot be imported. */
  error(id: OpenSloProblemId, place: DocumentPlace, message: string, details: { value?: unknown; allowed?: string; hint?: string } = {}): void {
    this.#add(problemAt(id, 'error', place, message, details));
  }

  /** A field left out of the import, with what mlmon does instead. */
  dropped(place: DocumentPlace, reason: string, value?: unknown): void {
    const field = configPath(place.path) || `the ${place.document.kind}`;
    this.#add(problemAt('openslo/dropped', 'warning', place, `${field} is not imported: ${reason}`, value === undefined ? {} : { value }));
  }

  warning(id: OpenSloProblemId, place: DocumentPlace, message: string, details: { value?: unknown; hint?: string } = {}): void {
    this.#add(problemAt(id, 'warning', place, message, details));
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
}

function problemAt(id: OpenSloProblemId, severity: Problem['severity'], place: DocumentPlace, message: string, details: { value?: unknown; allowed?: string; hint?: string }): Problem {
  const { document } = place;
  const line = document.lineOf(place.path);
  const problem: Problem = { id, severity, message, artifact: line === undefined ? document.file : `${document.file}:${line}`, object: `${document.kind || 'document'} ${document.name || '(unnamed)'}, document ${document.index}` };
  const path = configPath(place.path);
  if (path) problem.path = path;
  if (details.value !== undefined) problem.value = details.value;
  if (details.allowed !== undefined) problem.allowed = details.allowed;
  if (details.hint !== undefined) problem.hint = details.hint;
  return problem;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every document of the files, in file order. A file that is not YAML is reported and skipped; so is a
 * document without `apiVersion: openslo/v1`, a `kind` or a `metadata.name`.
 */
export function readOpenSloDocuments(files: readonly OpenSloFile[], report: OpenSloReport): OpenSloDocument[] {
  const documents: OpenSloDocument[] = [];
  for (const { file, content } of files) {
    const lines = new LineCounter();
    const parsed = parseAllDocuments(content, { lineCounter: lines });
    (Array.isArray(parsed) ? parsed : []).forEach((parsed, i) => {
      const lineOf = lineFinder(parsed, lines);
      const place: DocumentPlace = { document: { file, index: i + 1, kind: '', name: '', body: {}, lineOf }, path: [] };
      const [yamlError] = parsed.errors;
      if (yamlError) {
        const line = yamlError.linePos?.[0].line;
        report.error('openslo/yaml', { document: { ...place.document, lineOf: () => line }, path: [] }, `not YAML: ${yamlError.message.split('\n')[0]}`);
        return;
      }
      const body: unknown = parsed.toJS();
      if (body === null || body === undefined) return;
      if (!isRecord(body)) {
        report.error('openslo/invalid', place, 'an OpenSLO document is a mapping with apiVersion, kind, metadata and spec', { value: body });
        return;
      }
      const kind = typeof body.kind === 'string' ? body.kind : '';
      const name = isRecord(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : '';
      const document: OpenSloDocument = { file, index: i + 1, kind, name, body, lineOf };
      const here: DocumentPlace = { document, path: [] };
      if (body.apiVersion !== 'openslo/v1') {
        const hint = typeof body.apiVersion === 'string' && body.apiVersion.startsWith('openslo/v1alpha')
          ? 'v1alpha is the version Sloth reads; v1 renamed its fields (ratioMetrics → ratioMetric, timeWindows → timeWindow): see github.com/OpenSLO/OpenSLO'
          : undefined;
        report.error('openslo/unsupported', at(here, 'apiVersion'), `apiVersion ${JSON.stringify(body.apiVersion)} is not OpenSLO v1`, { value: body.apiVersion, allowed: 'openslo/v1', ...(hint ? { hint } : {}) });
        return;
      }
      if (!kind) {
        report.error('openslo/invalid', at(here, 'kind'), 'the document has no kind', { allowed: 'SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition, AlertNotificationTarget' });
        return;
      }
      if (!name) {
        report.error('openslo/invalid', at(here, 'metadata', 'name'), `the ${kind} has no metadata.name`, { allowed: 'a name of lowercase letters, digits and -' });
        return;
      }
      documents.push(document);
    });
  }
  return documents;
}

function lineFinder(parsed: Document.Parsed, lines: LineCounter): (path: readonly (string | number)[]) => number | undefined {
  const nodeAt = (path: readonly (string | number)[]): unknown => (path.length === 0 ? parsed.contents : parsed.getIn(path, true));
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      // A mapping's field is found at its key (`calendar:`), not at the value below it.
      const parent = depth === 0 ? undefined : nodeAt(path.slice(0, depth - 1));
      const key = isMap(parent) ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === path[depth - 1])?.key : undefined;
      const node = isNode(key) ? key : nodeAt(path.slice(0, depth));
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
}
