/**
 * The YAML readers that will meet mlmon's output don't all speak YAML 1.2. Kubernetes (sigs.k8s.io/yaml on
 * go-yaml v2), kustomize and Filebeat (go-ucfg) decode YAML 1.1 into untyped maps, where an unquoted `no` is a
 * boolean, `012` an octal number and `1:30` a sexagesimal 90. A file that reads the same under YAML 1.1 and
 * 1.2 means the same to every one of them.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { CST, Parser, parse } from 'yaml';
import { filesUnder } from './run-case.js';

export interface DecodingProblem {
  readonly file: string;
  readonly message: string;
}

const show = (v: unknown) => (v instanceof Date ? `Date(${v.toISOString()})` : typeof v === 'string' ? JSON.stringify(v) : String(v));

// A plain scalar's source text, as each version resolves it (cached: the same few hundred strings recur).
const resolved = new Map<string, string | undefined>();
function versionDifference(source: string): string | undefined {
  if (!resolved.has(source)) {
    const read = (version: '1.1' | '1.2'): unknown => {
      try {
        return parse(source, { version });
      } catch {
        return Symbol.for('unparsable');
      }
    };
    const v12 = read('1.2');
    const v11 = read('1.1');
    resolved.set(source, isDeepStrictEqual(v12, v11) ? undefined : `YAML 1.2 reads ${show(v12)}, YAML 1.1 reads ${show(v11)}`);
  }
  return resolved.get(source);
}

/**
 * The plain (unquoted) scalars of a YAML text, with their line numbers. Only plain scalars resolve differently
 * in YAML 1.1 and 1.2 (quoted and block scalars are strings in both), so comparing those is comparing the whole
 * decoding, at a fraction of the cost of composing every document twice (a fuzz run writes a few hundred
 * outputs of ~150 kB of manifests each).
 */
function plainScalars(text: string): { source: string; offset: number }[] {
  const found: { source: string; offset: number }[] = [];
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      for (const part of [item.key, item.value]) if (part?.type === 'scalar') found.push({ source: part.source, offset: part.offset });
    });
  }
  return found;
}

/** Every YAML file among `files` (relative to `dir`) parses, and reads the same under YAML 1.1 and 1.2. */
export function checkYamlReadsTheSame(dir: string, files: readonly string[]): DecodingProblem[] {
  const problems: DecodingProblem[] = [];
  for (const file of files.filter((f) => /\.ya?ml$/.test(f))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const { source, offset } of plainScalars(text)) {
      const difference = versionDifference(source);
      if (difference) {
        const line = text.slice(0, offset).split('\n').length;
        problems.push({ file, message: `line ${line}: ${source.length > 60 ? `${source.slice(0, 60)}…` : source}: ${difference}` });
        break;
      }
    }
  }
  return problems;
}

/**
 * The Kubernetes manifests in an output folder (k8s/), decoded as Kubernetes decodes them. Today that is the
 * YAML 1.1 reading (sigs.k8s.io/yaml) compared with the YAML 1.2 one mlmon writes for; a strict check against
 * the pinned Kubernetes OpenAPI schema (src/check/kubernetes-objects.ts, being added) plugs in here.
 */
export function checkKubernetesDecoding(outDir: string): DecodingProblem[] {
  return checkYamlReadsTheSame(outDir, filesUnder(outDir).filter((f) => f.startsWith('k8s/')));
}

/**
 * The other YAML files that a YAML 1.1 reader decodes into untyped maps: Filebeat's config (go-ucfg on go-yaml
 * v2) and Logstash's pipelines.yml (Ruby's Psych). Prometheus, Alertmanager and promtool decode theirs into
 * typed Go structs, where a string field keeps the text as written; they are judged by the tools themselves.
 */
export function checkOtherYamlDecoding(outDir: string): DecodingProblem[] {
  return checkYamlReadsTheSame(outDir, filesUnder(outDir).filter((f) => f.startsWith('filebeat/') || /^logstash\/[^/]+\.ya?ml$/.test(f)));
}

/**
 * Every YAML file in an output folder, for a raw NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR: line breaks to
 * YAML 1.1 readers (go-yaml v2, so Kubernetes, Prometheus and Alertmanager; PyYAML), ordinary characters to the
 * yaml library in either version, so the readings above can't see them. Wherever one stands raw, the readers
 * read different lines (a ConfigMap's literal block, a comment that ends early).
 */
export function checkRawLineBreaks(outDir: string): DecodingProblem[] {
  return filesUnder(outDir).filter((f) => /\.ya?ml$/.test(f)).flatMap((file) => {
    const lines = readFileSync(join(outDir, file), 'utf8').split('\n');
    const at = lines.findIndex((line) => /[\u0085\u2028\u2029]/.test(line));
    return at === -1 ? [] : [{ file, message: `line ${at + 1}: a raw U+${lines[at]!.match(/[\u0085\u2028\u2029]/)![0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}, a line break to YAML 1.1 readers only` }];
  });
}
