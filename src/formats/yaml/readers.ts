/**
 * Reading YAML back as every reader would: `parseYamlDocuments` parses with js-yaml, not the `yaml` library the
 * values are laid out with (layout.ts), so a quirk of one can't approve its own output, and it is ten times
 * faster on a fleet's megabytes of rules and proofs. Duplicate keys are errors, as they are to Prometheus and
 * Alertmanager; the schema is YAML 1.2's core.
 *
 * The same parse also notes every plain scalar that another reader takes for something else (see
 * `ReaderMismatch`), at the cost of one character test for most scalars; `findReaderMismatches` says where.
 */
import { CORE_SCHEMA, loadAll, Schema, Type, YAMLException } from 'js-yaml';
import { isScalar, Schema as YamlSchema, type ScalarTag } from 'yaml';
import { isGoYamlV2Number, otherReaderTags, readsAsOther } from './layout.js';

/**
 * A plain scalar that YAML 1.2's core schema (js-yaml here, the `yaml` library's default) reads as one value
 * and a YAML 1.1 reader as another: `namespace: no` is the string "no" to 1.2 and false to Kubernetes, whose
 * decoder (sigs.k8s.io/yaml, go-yaml v2 underneath) follows 1.1. The 1.1 reading is the `yaml` library's own
 * 1.1 schema, plus go-yaml v2's numbers (`0X1F`, `0_x1F`: Go's ParseInt once the `_`s are gone).
 */
export interface ReaderMismatch {
  /** Where in the document: `metadata.namespace`, `groups[0].rules[3].labels.team`; a key ends in `{key}`. */
  readonly path: string;
  /** The scalar as written. */
  readonly text: string;
  /** What YAML 1.2's core schema reads (a string, mostly). */
  readonly yaml12: unknown;
  /** What the other reader reads, and which reader that is. */
  readonly other: unknown;
  readonly reader: string;
}

// Most scalars are decided by a test or two: a word (letter or `_` first) differs only if it is one of the
// 1.1 booleans or a bare exponent; a plain decimal (`0.85`, `-3`, `15`) reads the same everywhere; anything
// else not starting with a sign, digit, `.`, `<`, `=` or `~` is a string to every reader.
const wordStart = /^[A-Za-z_]/;
const plainDecimal = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const candidateStart = /^[-+.0-9<=~]/;
const mayDiffer = (text: string): boolean => (wordStart.test(text) ? readsAsOther(text) : candidateStart.test(text) && !plainDecimal.test(text));
const coreTypes = (CORE_SCHEMA as unknown as { implicit: Type[] }).implicit;
// The 1.2 reading is the yaml library's core schema (the strict one: js-yaml's also reads `0b1010` and `+.5`).
const yaml12Tags = new YamlSchema({ schema: 'core' }).tags.filter((tag): tag is ScalarTag => 'test' in tag && tag.test !== undefined);
function resolveWith(tags: readonly ScalarTag[], text: string): { value: unknown } | undefined {
  const tag = tags.find((t) => t.default && t.tag !== 'tag:yaml.org,2002:value' && t.test!.test(text));
  if (!tag) return undefined;
  const value = tag.resolve(text, () => undefined, {} as never);
  return { value: isScalar(value) ? value.value : value };
}
function coreReading(text: string): unknown {
  const resolved = resolveWith(yaml12Tags, text);
  return resolved ? resolved.value : text;
}
function goYamlV2Value(text: string): number {
  const digits = text.replaceAll('_', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  const unsigned = digits.replace(/^[-+]/, '');
  // Go reads a leading 0 as octal (`017` is 15), where JavaScript's Number reads decimal.
  const value = /^0[0-7]+$/.test(unsigned) ? Number.parseInt(unsigned, 8) : Number(unsigned);
  return sign * value;
}
function otherReading(text: string): { value: unknown; reader: string } | undefined {
  if (isGoYamlV2Number(text)) return { value: goYamlV2Value(text), reader: 'go-yaml v2 (Kubernetes\' decoder)' };
  const resolved = resolveWith(otherReaderTags, text);
  return resolved && { value: resolved.value, reader: 'YAML 1.1 (Kubernetes\' decoder, PyYAML)' };
}
const sameReading = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) || (typeof a === 'bigint' && typeof b === 'number' && Number(a) === b);

/** The other reading of a plain scalar when it differs from YAML 1.2's; undefined when both agree. */
export function misreading(text: string): { yaml12: unknown; other: unknown; reader: string } | undefined {
  if (!mayDiffer(text)) return undefined;
  const other = otherReading(text);
  if (!other) return undefined;
  const yaml12 = coreReading(text);
  return sameReading(yaml12, other.value) ? undefined : { yaml12, other: other.value, reader: other.reader };
}

/**
 * A schema that reads exactly as CORE_SCHEMA does, with one implicit type in front that sees every plain
 * scalar first: when another reader would read it differently it calls `onMisread` and returns what the core
 * schema would (or, in the second pass that finds paths, a token).
 */
function readerSchema(onMisread: (text: string) => unknown): Schema {
  const misread = new Type('tag:mlmon.dev,2026:misread', {
    kind: 'scalar',
    resolve: (text: unknown) => typeof text === 'string' && misreading(text) !== undefined,
    construct: (text: string) => onMisread(text),
  });
  return new Schema({ implicit: [misread, ...coreTypes], explicit: (CORE_SCHEMA as unknown as { explicit: Type[] }).explicit });
}
let misreadTexts: string[] = [];
const countingSchema = readerSchema((text) => {
  misreadTexts.push(text);
  return coreReading(text);
});

/**
 * NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR, raw: line breaks to YAML 1.1 readers (go-yaml v2, so Kubernetes;
 * PyYAML), ordinary characters to YAML 1.2 (js-yaml here, the yaml library). Wherever one stands, in a comment,
 * a plain scalar or a literal block, the two read different lines, and a 1.1 reader mostly refuses the file
 * (`# jobs: s\u2028x` is a comment, then a stray `x`). mlmon writes them only escaped (layout.ts `mustEscape`),
 * so a raw one is a value that reached the text unescaped; one test of the text finds it.
 */
const rawLineBreak = /[\u0085\u2028\u2029]/;

/** A raw NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR in YAML text (see above): where, and which. */
export interface RawLineBreak {
  /** 1-based, as YAML 1.2 counts lines (at CR and LF only). */
  readonly line: number;
  readonly column: number;
  /** `U+2028 (LINE SEPARATOR)`. */
  readonly character: string;
}
const breakNames: Readonly<Record<string, string>> = { '\u0085': 'U+0085 (NEXT LINE)', '\u2028': 'U+2028 (LINE SEPARATOR)', '\u2029': 'U+2029 (PARAGRAPH SEPARATOR)' };

/** Every raw line break of YAML 1.1's that YAML 1.2 reads as an ordinary character (see above), in text order. */
export function findRawLineBreaks(content: string): RawLineBreak[] {
  if (!rawLineBreak.test(content)) return [];
  const found: RawLineBreak[] = [];
  content.split(/\r\n|\r|\n/).forEach((text, i) => {
    for (const match of text.matchAll(/[\u0085\u2028\u2029]/g)) found.push({ line: i + 1, column: match.index + 1, character: breakNames[match[0]]! });
  });
  return found;
}

/**
 * Parses without throwing: the documents (as YAML 1.2 reads them), or the first error with its line and column.
 * `misread`: some plain scalar reads differently to another reader (`findReaderMismatches`), or the text holds a
 * raw line break only YAML 1.1 readers break at (`findRawLineBreaks`).
 */
export function parseYamlDocuments(content: string): { ok: true; documents: unknown[]; misread: boolean } | { ok: false; error: string } {
  misreadTexts = [];
  try {
    const documents = loadAll(content, undefined, { schema: countingSchema });
    return { ok: true, documents, misread: misreadTexts.length > 0 || rawLineBreak.test(content) };
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    return { ok: false, error: `${error.reason} at line ${error.mark.line + 1}, column ${error.mark.column + 1}` };
  } finally {
    misreadTexts = [];
  }
}

/**
 * Where in `content` the plain scalars that another reader misreads are. Only called for a file whose parse
 * said some are there (rare), since finding paths takes a second parse: each such scalar is read as a token
 * (js-yaml turns object keys into "[object Object]", so the token is a string), then the documents are walked.
 */
export function findReaderMismatches(content: string): ReaderMismatch[] {
  const texts: string[] = [];
  const token = (index: number): string => `\u0000mlmon-misread-${index}\u0000`;
  const documents = loadAll(content, undefined, { schema: readerSchema((text) => token(texts.push(text) - 1)) });
  const found: ReaderMismatch[] = [];
  const fromToken = (value: string): string | undefined => {
    const index = /^\u0000mlmon-misread-(\d+)\u0000$/.exec(value)?.[1];
    return index === undefined ? undefined : texts[Number(index)];
  };
  const report = (text: string, path: string): void => {
    const reading = misreading(text);
    if (reading) found.push({ path, text, ...reading });
  };
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      const text = fromToken(value);
      if (text !== undefined) report(text, path);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const keyText = fromToken(key);
        const name = keyText ?? key;
        const at = path ? `${path}.${name}` : name;
        if (keyText !== undefined) report(keyText, `${at}{key}`);
        walk(item, at);
      }
    }
  };
  documents.forEach((document, i) => walk(document, documents.length > 1 ? `document ${i + 1}: ` : ''));
  return found.map((m) => ({ ...m, path: m.path.replace(/: \./, ': ') }));
}
