/**
 * How template values are written as YAML: scalars quoted only as needed, collections in block style, and
 * multi-line PromQL as literal blocks. The yaml library decides; the common cases (identifiers, label sets,
 * relabel configs) are written here without it, byte for byte as it would, because asking it was most of the
 * render time of a large fleet (test/render/yaml-helpers.test.ts holds the two to one output).
 */
import { parse, Schema, stringify, type ScalarTag } from 'yaml';

/**
 * Readers that take a plain scalar for something other than the YAML 1.2 core schema does. The yaml library
 * quotes, when it writes, any string its `compat` tags would resolve (stringifyString's "plain numbers and
 * booleans get parsed with those types" test), so every write here passes them:
 * - YAML 1.1 (the yaml library's own 1.1 schema): `yes`/`no`/`on`/`off`/`y`/`n` in any of their cases,
 *   `0b1010`, `017` octal, `1_000`, sexagesimal `1:20` and `190:20:30.15`, `1_000.5`, timestamps like
 *   `2001-12-14`, and the merge key `<<`. Kubernetes decodes manifests this way (sigs.k8s.io/yaml is
 *   go-yaml v2 underneath, and converts what it resolved to JSON), and so do PyYAML and Ruby's Psych.
 * - go-yaml v2's numbers, which are not YAML 1.1's: it drops every `_` and hands the rest to Go's
 *   strconv.ParseInt(s, 0, 64) or to its float pattern, so `0X1F`, `0B11`, `0O17`, `0_x1F` and `1_0e3` are
 *   numbers to Kubernetes (gopkg.in/yaml.v2 resolve.go). Only scalars starting with a sign, digit or `.` are
 *   tried as numbers there.
 * - YAML 1.1's value key `=` (tag:yaml.org,2002:value), which some 1.1 readers resolve.
 * - Not a reader's type, but a reader's trimming: a plain scalar that starts or ends with a space beyond
 *   ASCII's (U+00A0, U+2028, …) is written plain by the yaml library and read back trimmed by it.
 */
const goYamlV2Int = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[0-9]+)$/;
const goYamlV2Float = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** Whether go-yaml v2 (Kubernetes' decoder) reads this plain scalar as a number. */
export function isGoYamlV2Number(text: string): boolean {
  if (!/^[-+.0-9]/.test(text)) return false;
  const digits = text.replaceAll('_', '');
  return goYamlV2Int.test(digits) || goYamlV2Float.test(digits);
}
// No one pattern says "a number once the `_`s are gone", so the tag's test is an object with RegExp's `test`,
// which is all the yaml library asks of it (stringifyString: `tag.test?.test(str)`).
const goYamlV2Number: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: { test: isGoYamlV2Number } as unknown as RegExp,
  resolve: (text) => text,
};
const yaml11Value: ScalarTag = { tag: 'tag:yaml.org,2002:value', default: true, test: /^=$/, resolve: (text) => text };
const unicodeSpaceAtEdge: ScalarTag = {
  // Not the str tag: the yaml library skips that one in its test.
  tag: 'tag:mlmon.dev,2026:trimmed', default: true, resolve: (text) => text,
  test: /^[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]|[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]$/,
};

/** The tags of every other reader a file mlmon writes must read back the same under (see above). */
export const otherReaderTags: ScalarTag[] = [
  ...(new Schema({ schema: 'yaml-1.1' }).tags.filter((tag) => 'test' in tag && tag.test) as ScalarTag[]),
  goYamlV2Number,
  yaml11Value,
];
/** What the yaml library is given as `compat`: the other readers' tags, and the trimming guard. */
const compatTags: ScalarTag[] = [...otherReaderTags, unicodeSpaceAtEdge];
/** The options every yaml-library write of mlmon's starts from: one line per scalar, quoted for every reader. */
export const yamlWriteOptions: { readonly lineWidth: 0; readonly compat: ScalarTag[] } = { lineWidth: 0, compat: compatTags };

/**
 * Most strings mlmon writes are identifiers or PromQL-ish text: names, label values, durations, series. The
 * yaml library writes them as they are, and asking it is most of the render time of a 1,000-model fleet (its
 * threshold rules and proofs are thousands of such values). So one-line strings that certainly need no
 * quotes skip it: a letter or `_` first (no number, no indicator), printable ASCII after, no `: ` or ` #`,
 * no `:` or space at the end (YAML's rules for a plain scalar), and none of the words that YAML 1.2's core
 * schema or YAML 1.1 reads as a boolean, null or number (`true`, `no`, `On`, `y`; `e3` to the yaml library's
 * 1.1). Nothing else that starts with a letter or `_` is anything but a string to either, or to go-yaml v2.
 * Anything else goes through `yaml`; a test proves both ways agree over hostile and random strings.
 */
const plainScalar = /^[A-Za-z_](?:[!-9;-~]|:(?! )| (?!#))*$/;
const identifier = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const readerWords = new Set([
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL',
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
]);
// The yaml library's 1.1 float pattern takes an exponent alone (`e3`, `E-7`) for a number (NaN), so those
// are quoted too: it is one of the readers every file must read back the same under.
const bareExponent = /^[eE][-+]?[0-9]+$/;
/** Whether a string starting with a letter is one some reader takes for a boolean, null or number. */
// The words are at most 5 characters: a longer string is not hashed for the lookup (a fleet writes millions).
export const readsAsOther = (value: string): boolean => (value.length <= 5 && readerWords.has(value)) || ((value.charCodeAt(0) | 32) === 101 && bareExponent.test(value));
/** Whether a one-line string can be written as it is (plain) after `key: ` or `- `, and read back by all. */
export function isPlainScalar(value: string): boolean {
  const last = value.charCodeAt(value.length - 1);
  return plainScalar.test(value) && last !== 0x20 && last !== 0x3a && !readsAsOther(value);
}
/** Stricter: a plain scalar in any position, a mapping key included. */
export function isPlainIdentifier(value: string): boolean {
  return identifier.test(value) && !readsAsOther(value);
}

// The same values recur across a fleet (a threshold, a team, a series' values), so yaml's answers are kept.
// Bounded, so a long-lived process (a test run, an editor integration) can't grow it without end.
const yamlScalars = new Map<string, string>();
function yamlScalar(value: string): string {
  let text = yamlScalars.get(value);
  if (text === undefined) {
    text = mustEscape.test(value) ? quotedScalar(value) : sentenceScalar(value) ?? stringify(value, yamlWriteOptions).trimEnd();
    if (yamlScalars.size >= 100_000) yamlScalars.clear();
    yamlScalars.set(value, text);
  }
  return text;
}

/**
 * Annotation text and proof names: one line of printable ASCII holding `: ` or ` #`, which no plain scalar may,
 * so yaml quotes it whatever else it holds. It quotes as its `quotedString` does (yaml 2.x, lineWidth 0): single
 * quotes when the text holds `"` and no `'`, else double quotes with JSON's escapes (`\"`, `\\`). Written here
 * because these are a fleet's most frequent unique strings (one per service or model), and each call into the
 * library costs its cold start on every run; the helpers' test holds both to one output over random strings.
 */
function sentenceScalar(value: string): string | undefined {
  if (!(value.includes(': ') || value.includes(' #')) || !/^[ -~]*$/.test(value)) return undefined;
  return value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
}

/**
 * Characters no reader may meet raw: YAML forbids DEL and the C1 controls unescaped (promtool: "control
 * characters are not allowed"), go-yaml reads NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as line breaks (a
 * matcher `team="x\u2028y"` written raw breaks alertmanager.yml), and a BOM or a noncharacter inside a value is
 * refused or dropped by some readers. The yaml library and JSON.stringify both write them raw.
 */
const mustEscape = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
const mustEscapeAll = new RegExp(mustEscape.source, 'g');
/** Whether a text holds a character (above) that mlmon writes only as an escape, where the yaml library writes it raw. */
export const needsYamlEscape = (text: string): boolean => mustEscape.test(text);
/**
 * JSON text (a double-quoted string, or a flow collection of them) with the characters above as `\uXXXX`
 * escapes, which YAML's double-quoted scalars read as JSON does. Outside its strings, JSON text holds none.
 */
export function yamlSafeJson(value: unknown): string {
  // A number or a boolean is JSON's text of it, with nothing to escape: most of what a fleet's proofs write.
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  const text = JSON.stringify(value);
  return mustEscape.test(text) ? text.replace(mustEscapeAll, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}
const quotedScalar = (value: string): string => yamlSafeJson(value);

// Spaces and breaks beyond ASCII's: yaml writes `x\u00a0` plain, and its own parser reads it back trimmed.
// Strings holding one (rare) are written as yaml writes them only if that reads back as the same string.
const unicodeSpace = /[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const readsBack = (text: string, value: string): boolean => (parse(`k: ${text}`) as { k: unknown }).k === value;

/**
 * A string that yaml would write over several lines (a block scalar: it has line breaks, or starts with a
 * document marker like `---x`, which would end the document at the start of one) can't sit after `key: `
 * in a template; it is double-quoted on one line instead, with JSON's escapes, which are YAML's.
 */
function oneLineString(value: string): string {
  if (value.includes('\n')) return quotedScalar(value);
  const text = yamlScalar(value);
  return /^[|>]/.test(text) || (unicodeSpace.test(value) && !readsBack(text, value)) ? quotedScalar(value) : text;
}

/** One line of YAML: a scalar quoted as needed, or a collection in flow (JSON) style. */
export function yamlInline(value: unknown): string {
  if (typeof value === 'string') return isPlainScalar(value) ? value : oneLineString(value);
  if (value === undefined) return 'null';
  return yamlSafeJson(value);
}

/** A block collection starting on the next line, each line indented by `indent` spaces. */
export function yamlBlock(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  // A flat mapping of plain keys and scalars (every rule's labels and annotations) written directly: a fleet's
  // rule files hold one per rule, and the lines array of the general path was most of what they allocated.
  if (isPlainObject(value)) {
    let text = '';
    for (const key in value) {
      const scalar = isPlainIdentifier(key) && key.length <= 1000 ? plainScalarText(value[key]) : undefined;
      if (scalar === undefined || typeof value[key] === 'object') {
        text = '';
        break;
      }
      text += `\n${pad}${key}: ${scalar}`;
    }
    if (text) return text;
  }
  const lines = plainBlockLines(value, '') ?? stringifyEscaped(value, yamlWriteOptions).trimEnd().split('\n');
  return lines.map((line) => `\n${pad}${line}`).join('');
}

/**
 * The yaml library's layout of a collection, with every string holding a character it would write raw (see
 * `mustEscape`) written as an escaped double-quoted scalar instead: such strings are swapped for placeholders
 * the library writes plain, and the placeholders for the escaped text after. The library has no option for it.
 */
function stringifyEscaped(value: unknown, options: typeof yamlWriteOptions | typeof kubernetesYamlOptions): string {
  const originals: string[] = [];
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!mustEscape.test(v)) return v;
      originals.push(v);
      return `mlmonEscaped${originals.length - 1}x`;
    }
    if (Array.isArray(v)) return v.map(swap);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [swap(k) as string, swap(x)]));
    return v;
  };
  const swapped = swap(value);
  const text = stringify(swapped, options);
  return originals.length ? text.replace(/mlmonEscaped(\d+)x/g, (_m, i: string) => quotedScalar(originals[Number(i)]!)) : text;
}

/**
 * The yaml library's block layout (two-space indent, sequences in mappings indented) for the collections
 * templates mostly hold: label sets, relabel configs, routes, expected alerts. Keys must be identifiers and
 * strings plain scalars (an empty collection inside one is `{}` or `[]`); anything else (a quoted string, -0, undefined) returns
 * undefined and the caller asks the yaml library, because quoting inside a mapping is not always quoting
 * alone (`...` and backticks differ; the helpers' test found them). That test holds the two to one output.
 */
export function plainBlockLines(value: unknown, pad: string, literalBlocks = false): string[] | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const lines: string[] = [];
    for (const item of value) {
      const scalar = plainScalarText(item);
      if (scalar !== undefined) {
        lines.push(`${pad}- ${scalar}`);
        continue;
      }
      // A collection item: laid out two deeper, its first line's indent replaced by the dash.
      const nested = plainBlockLines(item, `${pad}  `, literalBlocks);
      if (!nested) return undefined;
      nested[0] = `${pad}- ${nested[0]!.slice(pad.length + 2)}`;
      lines.push(...nested);
    }
    return lines;
  }
  if (!isPlainObject(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length === 0) return undefined;
  const lines: string[] = [];
  for (const [key, item] of entries) {
    if (!isPlainIdentifier(key) || key.length > 1000) return undefined;
    const scalar = plainScalarText(item);
    if (scalar !== undefined) {
      lines.push(`${pad}${key}: ${scalar}`);
      continue;
    }
    if (literalBlocks && typeof item === 'string') {
      const block = literalBlock(item, `${pad}  `);
      if (!block) return undefined;
      lines.push(`${pad}${key}: ${block[0]}`, ...block.slice(1));
      continue;
    }
    const nested = plainBlockLines(item, `${pad}  `, literalBlocks);
    if (!nested) return undefined;
    lines.push(`${pad}${key}:`, ...nested);
  }
  return lines;
}

// What a literal block can't hold, since it has no escapes: control characters and lone surrogates, and every
// character of `mustEscape` (a U+2028 in a ConfigMap's file is a line break to Kubernetes, which then finds the
// rest of that line unindented and refuses the manifest). One scan of what may be megabytes, not two.
const notInLiteralBlock = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]/;

/**
 * A multi-line string as yaml writes it with `blockQuote: 'literal'`: a `|` header (`|-` without a final line
 * break), then its lines, each non-empty one indented (returned as one string of lines). Only the plain case: no control characters, nothing
 * but text at either end (no leading space or break, no trailing blanks, at most one final break); anything
 * else is undefined, and the caller asks the yaml library.
 */
function literalBlock(value: string, indent: string): string[] | undefined {
  if (notInLiteralBlock.test(value) || /^[\n\t ]/.test(value)) return undefined;
  const clip = value.endsWith('\n');
  const body = clip ? value.slice(0, -1) : value;
  if (body === '' || /[\n\t ]$/.test(body)) return undefined;
  // The body as one string, each non-empty line indented, not one string per line: a ConfigMap of a fleet's rule
  // files holds half a million lines, and a string per line was most of what rendering the manifests allocated.
  // Split and joined, not `replace(/\n(?=[^\n])/g, …)`: V8 builds a replacement over megabytes 4–5× slower than it
  // joins the lines (measured on a 10,000-model fleet's rule files, 10 MB: ~200 ms against ~40 ms).
  const lines = body.split('\n');
  if (!body.includes('\n\n')) return [clip ? '|' : '|-', indent + lines.join(`\n${indent}`)];
  // An empty line stays empty (the body neither starts nor ends with one, so the first and last are not).
  for (let i = 0; i < lines.length; i++) if (lines[i] !== '') lines[i] = indent + lines[i];
  return [clip ? '|' : '|-', lines.join('\n')];
}

/**
 * One YAML document as the yaml library lays it out with `kubernetesYamlOptions` (`yamlWriteOptions` with
 * `blockQuote: 'literal', aliasDuplicateObjects: false`) (how the Kubernetes manifests are written), taking the short way when the
 * value allows it. At 1,000 models the manifests hold megabytes of ConfigMap text, and asking the library to
 * lay it out was a tenth of generate's time.
 */
export function yamlDocument(value: unknown): string {
  const lines = plainBlockLines(value, '', true);
  return lines ? `${lines.join('\n')}\n` : stringifyEscaped(value, kubernetesYamlOptions);
}
export const kubernetesYamlOptions = { ...yamlWriteOptions, blockQuote: 'literal', aliasDuplicateObjects: false } as const;

/**
 * A value as one YAML document, laid out by the yaml library (block style, one line per scalar, no literal
 * blocks) but quoted for every reader (`yamlWriteOptions`) and with the characters of `mustEscape` escaped: for
 * files written from data that are not manifests (openslo/slos.yaml, the operator check's scratch config).
 */
export function yamlStringify(value: unknown): string {
  return stringifyEscaped(value, yamlWriteOptions);
}

/**
 * A scalar's text as yaml writes it as a value in a block collection; undefined for anything else. A string
 * is written there as it is written alone, except where alone it would be a block scalar (multi-line, or
 * starting with a document marker): those go to the yaml library with their collection.
 */
function plainScalarText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (isPlainScalar(value)) return value;
    // A multi-line string is left to the caller (a literal block) before it is scanned: it may be megabytes.
    if (value.includes('\n')) return undefined;
    if (unicodeSpace.test(value)) return mustEscape.test(value) ? quotedScalar(value) : undefined;
    const text = yamlScalar(value);
    return /^[|>]/.test(text) ? undefined : text;
  }
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? JSON.stringify(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  // An empty collection inside another is written in flow style, as the yaml library does (`emptyDir: {}`, the
  // one a Deployment's scratch volume needs); alone, it is still the library's.
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (isPlainObject(value) && Object.keys(value).length === 0) return '{}';
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * A string as a literal block (`|-`) when it spans lines, so PromQL stays readable, its content indented by
 * `indent` spaces; anything a plain literal block can't carry exactly (leading spaces, odd line ends) falls
 * back to a double-quoted scalar.
 */
export function yamlText(value: string, indent: number): string {
  if (!value.includes('\n')) return yamlInline(value);
  if (/\r/.test(value) || mustEscape.test(value)) return quotedScalar(value);
  // The plain case without the yaml library, as in a manifest (`literalBlock`): a fleet's rules hold hundreds of
  // multi-line expressions, each one a cold library call. The helpers' test holds the two ways to one output.
  // Not for a line that starts like a document marker: alone, the library quotes the string rather than write it.
  const block = /(?:^|\n)(?:---|\.\.\.)/.test(value) ? undefined : literalBlock(value, ' '.repeat(indent));
  if (block) return block.join('\n');
  return yamlTextByLibrary(value, indent);
}

/** `yamlText` through the yaml library: every multi-line string the short way above does not take. */
/** `yamlText` through the yaml library, for a multi-line string without \r or an escaped character (yamlText quotes those). */
function yamlTextByLibrary(value: string, indent: number): string {
  const text = stringify(value, { ...yamlWriteOptions, blockQuote: 'literal' }).replace(/\n$/, '');
  if (!/^\|[-+]?\n/.test(text)) return quotedScalar(value);
  const [header, ...lines] = text.split('\n');
  const pad = ' '.repeat(indent);
  const written = [header, ...lines.map((line) => (line === '' ? '' : pad + line))].join('\n');
  // A block of lines that are only spaces reads back as empty lines (the spaces taken for indentation): the
  // library writes ' \n\n' as `|+` and a line of one space, which comes back as '\n\n'. Quoted, it can't.
  // Read back as it sits in a file: another key follows it (which is what ends a `|+` block's kept breaks).
  return (parse(`k: ${written}\nz: 0\n`) as { k: unknown }).k === value ? written : quotedScalar(value);
}

