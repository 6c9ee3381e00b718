/**
 * The template helpers write identifiers and label sets without the yaml library (it was most of the render
 * time of a large fleet). They must lay out every value byte for byte as the yaml library does, or the output
 * would change with the fleet's size; these tests hold them to it over hostile and random strings.
 */
import { parse, parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isGoYamlV2Number, isPlainIdentifier, isPlainScalar, kubernetesYamlOptions, needsYamlEscape, plainBlockLines, yamlBlock, yamlDocument, yamlInline, yamlText, yamlWriteOptions } from '../../src/formats/yaml/layout.js';
import { oneLine } from '../../src/formats/yaml/line-breaks.js';
import { generateExample, generateFromConfig } from '../support/fixtures.js';

const byYamlBlock = (value: object, indent: number) => `\n${stringify(value, yamlWriteOptions).trimEnd().split('\n').map((line) => ' '.repeat(indent) + line).join('\n')}`;

const special = [
  '', ' ', 'plain', 'fraud-model-0001', 'team_a', 'a.b/c-d', '_x', 'x:', 'x: y', 'x #y', '#x', '-x', '- x', '?x', '? x', '!x', '&x', '*x',
  '|x', '>x', "'x", '"x', '%x', '@x', '`x', '{x', '[x', 'x}', 'x]', 'x,y', 'a b', ' a', 'a ', 'a\tb', 'multi\nline', 'a\\b', 'ünï', '模型',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~', 'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO',
  '.inf', '-.inf', '.nan', '.NaN', 'NaN', 'Infinity', '1', '-1', '+1', '1.5', '1e3', '1E3', '1e-7', '0x1F', '0o17', '017', '1_000', '0.849915x68',
  '30s', '5m', '1h30m', '0x68', 'x68', 'e3', 'E', '_', '.', '..', '/', './rules', 'a/b/', 'a-', 'a.', '---', '...', 'a---b', '---x', '--- a', '...a', '%x',
  // What a YAML 1.1 reader (Kubernetes' go-yaml v2, PyYAML) takes for something else; 1.2 reads them as strings.
  'y', 'Y', 'n', 'N', 'yes', 'YES', 'On', 'ON', 'Off', 'OFF', 'No', 'no', '0b1010', '-0b1', '0x1F', '0X1F', '0B11', '0O17', '0_x1F', '017', '0_7',
  '1_000', '+1_000', '1:20', '-1:20', '190:20:30.15', '1_000.5', '1.', '.5', '1_0e3', '-.Inf', '+.INF', '.NAN', '~', '2001-12-14',
  '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-1-2', '<<', '=',
  '(.+)', '$1:$2', '([^:]+)(?::\\d+)?;(\\d+)', 'a\u2028b', '\u0085', 'x\u00a0', '\ud800', 'a'.repeat(2000),
  'model_accuracy{instance="a:8080", job="a"}', '{{ $labels.model }}', '<<', '=', 'a=b', 'a==b',
];

// A fixed-seed generator (mulberry32), so a failure names a string that reproduces.
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const alphabet = 'aAzZ_09.-/ :#,{}[]&*!|>\'"%@`?=~+eExXoO\t\\';
const next = random(20261125);
const randomStrings = Array.from({ length: 20_000 }, () => Array.from({ length: 1 + Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
const corpus = [...special, ...randomStrings];

describe('the YAML template helpers', () => {
  it('write every string on one line that reads back as the same string, wherever a template puts it', () => {
    const misread = corpus.filter((value) => {
      const text = yamlInline(value);
      if (text.includes('\n')) return true;
      const document = parse(`a:\n  k: ${text}\n  l:\n    - ${text}\n    - m: ${text}\n`);
      return document.a.k !== value || document.a.l[0] !== value || document.a.l[1].m !== value;
    });
    expect(misread).toEqual([]);
  });

  it('write every string so that YAML 1.1 and 1.2 readers both read back the same string, wherever it sits', () => {
    // The yaml library's own 1.1 and 1.2 core schemas are the oracle; go-yaml v2's numbers (which are neither)
    // and `=` are checked by pattern, since a plain scalar of that shape is what they'd take for a number.
    const readers = [{ version: '1.1' }, { version: '1.2' }] as const;
    const writes = (value: string): string[] => [
      `k: ${yamlInline(value)}\n`, `l:\n  - ${yamlInline(value)}\n`, `k: ${yamlText(value, 2)}\n`,
      `k:${yamlBlock({ [value]: value, ...(value === 'list' ? {} : { list: [value, { m: value }] }) }, 2)}\n`, yamlDocument({ metadata: { namespace: value, labels: { [value]: value } } }),
    ];
    const readBack = (document: unknown): unknown[] => {
      const d = document as { k?: unknown; l?: unknown[]; metadata?: { namespace: unknown; labels: Record<string, unknown> } };
      if (d.metadata) return [d.metadata.namespace, ...Object.keys(d.metadata.labels), ...Object.values(d.metadata.labels)];
      if (d.l) return d.l;
      const k = d.k as Record<string, unknown> | string;
      if (typeof k !== 'object' || k === null) return [k];
      return [Object.keys(k)[0], Object.values(k)[0], ...((k.list ?? []) as unknown[]).map((item) => (typeof item === 'object' && item ? (item as { m: unknown }).m : item))];
    };
    const misread: string[] = [];
    // Every hostile string and 4,000 random ones: ten parses each, which is a minute for the whole corpus.
    for (const value of [...special, ...randomStrings.slice(0, 4000)]) {
      for (const text of writes(value)) {
        for (const options of readers) {
          const values = readBack(parse(text, { ...options, uniqueKeys: false }));
          if (values.some((v) => v !== value)) misread.push(`${options.version} ${JSON.stringify(value)} in ${JSON.stringify(text)}`);
        }
        // Kubernetes' decoder: any plain scalar it reads as a number or as `=`, where we meant a string.
        const bare = new RegExp(`(?:^|: |- )${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?::|$)`, 'm');
        if ((isGoYamlV2Number(value) || value === '=') && bare.test(text.replace(/^ +/gm, ''))) misread.push(`go-yaml v2 ${JSON.stringify(value)} in ${JSON.stringify(text)}`);
      }
    }
    expect(misread.slice(0, 20)).toEqual([]);
    // The given example of the kind, and one more per family, each written quoted.
    expect(['no', 'ON', 'y', '0b1010', '1:20', '2001-12-14', '<<', '0X1F', '~'].map(yamlInline)).toEqual(['"no"', '"ON"', '"y"', '"0b1010"', '"1:20"', '"2001-12-14"', '"<<"', '"0X1F"', '"~"']);
  });

  it('write a string exactly as the yaml library does, wherever yaml writes it on one line that reads back', () => {
    const oneLine = corpus.filter((value) => {
      const text = stringify(value, yamlWriteOptions).trimEnd();
      return !text.includes('\n') && parse(`k: ${text}`).k === value;
    });
    expect(oneLine.length).toBeGreaterThan(corpus.length * 0.9);
    const differing = oneLine.filter((value) => !needsYamlEscape(value) && yamlInline(value) !== stringify(value, yamlWriteOptions).trimEnd());
    expect(differing).toEqual([]);
  });

  it('write DEL, the C1 controls, NEL, LINE and PARAGRAPH SEPARATOR, BOM and noncharacters as escapes, which the yaml library writes raw', () => {
    const raw = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
    const values = ['a\u2028b', '\u0085', 'x\u0080y', 'del\u007f', 'p\u2029', '\ufeffbom', 'n\uffff', ...corpus.filter(needsYamlEscape)];
    expect(values.length).toBeGreaterThan(7);
    for (const value of values) {
      // A manifest's multi-line value (a ConfigMap's file) too: a literal block has no escapes, so it is not one.
      const file = `${value}\nsecond line\n`;
      for (const text of [yamlInline(value), yamlText(value, 4), yamlInline([value, { k: value }]), yamlBlock({ k: [value] }, 2), yamlDocument({ data: { file } })]) {
        expect(raw.test(text), JSON.stringify(text)).toBe(false);
      }
      expect(parse(yamlDocument({ data: { file } }), { version: '1.1' }).data.file).toBe(file);
      expect(parse(`k: ${yamlInline(value)}`, { version: '1.1' }).k).toBe(value);
      expect(parse(`k: ${yamlInline(value)}`).k).toBe(value);
    }
  });

  it('take the short way only for plain scalars, and never for a word YAML reads as something else', () => {
    expect(['fraud-model-0001', 'team_a', 'a.b/c-d', 'x68'].every(isPlainIdentifier)).toBe(true);
    expect(['true', 'NULL', '1.5', '0x1F', '.inf', 'a b', 'x:', '-x', '', '30s'].some(isPlainIdentifier)).toBe(false);
    expect(['model_accuracy{instance="a:8080", job="a"}', 'a b', 'x:y', 'a#b', 'x68'].every(isPlainScalar)).toBe(true);
    expect(['a: b', 'a #b', 'a ', 'a:', 'true', '-x', ' a', 'a\tb', 'ünï', '1.5'].some(isPlainScalar)).toBe(false);
    // The random strings include both kinds, so both ways were exercised above.
    expect(randomStrings.filter(isPlainIdentifier).length).toBeGreaterThan(100);
    expect(randomStrings.filter((s) => isPlainScalar(s) && !isPlainIdentifier(s)).length).toBeGreaterThan(1000);
  });

  it('write every label set exactly as the yaml library does', () => {
    const sets: Record<string, string>[] = [];
    for (let i = 0; i + 2 < corpus.length; i += 3) {
      const [a, b, c] = [corpus[i]!, corpus[i + 1]!, corpus[i + 2]!];
      sets.push({ model: a, [b || 'team']: c }, { [a || 'k']: b });
    }
    // Sets holding a character YAML must escape are written escaped, where the library writes it raw.
    const escaped = sets.filter((set) => needsYamlEscape(JSON.stringify(set)));
    const differing = sets.filter((set) => !escaped.includes(set) && yamlBlock(set, 10) !== byYamlBlock(set, 10));
    expect(differing).toEqual([]);
    expect(escaped.length).toBeGreaterThan(0);
    for (const set of escaped) {
      const text = yamlBlock(set, 2);
      expect(needsYamlEscape(text), text).toBe(false);
      expect(parse(`k:${text}`, { version: '1.1' }).k).toEqual(set);
      expect(parse(`k:${text}`).k).toEqual(set);
    }
  });

  it('write every nested collection exactly as the yaml library does', () => {
    // Relabel configs, routes, expected alerts: maps and lists nested a few deep, with every kind of scalar.
    const scalars: unknown[] = [...corpus.slice(0, 400), 0, 1, -1, 0.05, 1e21, 1e-7, -0, Number.NaN, Infinity, true, false, null, undefined];
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const keys = ['job', 'regex', 'source_labels', 'target_label', 'action', 'matchers', 'routes', 'a', 'true', 'x y', '1', 'k:'];
    // Mostly values the short way takes (so its layout is what gets compared), now and then one it doesn't.
    const plainScalars = [...corpus.filter(isPlainScalar).slice(0, 300), 0, 1, 0.05, 1e21, true, false, null];
    const build = (depth: number): unknown => {
      const roll = next();
      if (depth === 0 || roll < 0.4) return next() < 0.97 ? pick(plainScalars) : pick(scalars);
      const size = next() < 0.05 ? 0 : 1 + Math.floor(next() * 3);
      if (roll < 0.7) return Array.from({ length: size }, () => build(depth - 1));
      return Object.fromEntries(Array.from({ length: size }, () => [next() < 0.95 ? pick(keys.slice(0, 7)) : pick(keys), build(depth - 1)]));
    };
    const values = [
      [{ source_labels: ['__meta_kubernetes_pod_label_app'], regex: 'fraud-api|churn-api', action: 'keep' }, { target_label: 'job', replacement: 'x' }],
      { receiver: 'team-a', matchers: ['team="a"', 'severity=~"critical|page"'], routes: [{ receiver: 'b', continue: true, group_wait: '30s' }] },
      ['a', ['b', ['c']], { d: [] }],
      {}, [], ['a', 'b'], { a: { b: 'c' } }, { a: 1, b: true, c: null }, { a: 'multi\nline' },
      ...Array.from({ length: 3000 }, () => build(4)).filter((v) => typeof v === 'object' && v !== null),
    ];
    const differing = values.filter((value) => !needsYamlEscape(JSON.stringify(value)) && yamlBlock(value, 6) !== byYamlBlock(value, 6));
    expect(differing).toEqual([]);
    // Both ways were taken: the short one for plenty of nested values, the yaml library for the rest.
    const short = values.filter((value) => plainBlockLines(value, '') !== undefined);
    expect(short.filter((value) => JSON.stringify(value).includes('[{') || JSON.stringify(value).includes('{"')).length).toBeGreaterThan(100);
    expect(values.length - short.length).toBeGreaterThan(100);
  });

  it('lay out every Kubernetes manifest of the example and of a fleet exactly as the yaml library does', async () => {
    const fleet = await generateFromConfig({
      services: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`svc-${i}`, { discovery: { kubernetesPods: { namespaces: ['ml'] } } }])),
      models: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`model-${i}`, { service: `svc-${i % 30}`, thresholds: { minAccuracy: 0.8 + (i % 7) / 100 } }])),
    });
    const objects = [...(await generateExample()).files, ...fleet.files]
      .filter((f) => f.path.startsWith('k8s/'))
      .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as unknown));
    expect(objects.length).toBeGreaterThan(20);
    const differing = objects.filter((object) => yamlDocument(object) !== stringify(object, kubernetesYamlOptions));
    expect(differing).toEqual([]);
    // Every object took the short way, not the library: the ConfigMaps (whole files as literal blocks) and the
    // workloads (their `emptyDir: {}`); asking the library for one document costs its cold start on every run.
    const configMaps = objects.filter((o) => (o as { kind?: string }).kind === 'ConfigMap');
    expect(configMaps.length).toBeGreaterThan(3);
    expect(objects.filter((object) => plainBlockLines(object, '', true) === undefined)).toEqual([]);
  });

  it('write every multi-line string exactly as the yaml library does, in a manifest', () => {
    const texts = [
      'a\nb\n', 'a\nb', 'a\n\nb\n', '# banner\n  indented: "x"\ntrailing  \n\n\ttab\n--- not a document\n…ünïcødé {{ $labels.model }}\n',
      ' leading\nspace\n', '\nleading break\n', 'two breaks\n\n', 'trailing space \n', 'tab end\t', 'only\n', '\n', 'cr\r\nlf\n', 'nul\u0000\n',
      '...\n---\n', '- a\n- b\n', 'key: value\n# comment\n', '{"json": true}\n', 'lone \ud800 surrogate\n', 'a\n \n', 'a\n\t\nb',
      ...Array.from({ length: 2000 }, () => Array.from({ length: 1 + Math.floor(next() * 40) }, () => pick(['a', 'b', ' ', '\n', '\n', '\t', '#', ':', '-', '|', '"', "'"])).join('')),
    ];
    function pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    }
    const documents = texts.map((text, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { 'file.yml': text, 'other.txt': `x${text}` } }));
    const differing = documents.filter((document) => yamlDocument(document) !== stringify(document, kubernetesYamlOptions));
    expect(differing).toEqual([]);
    expect(documents.filter((document) => plainBlockLines(document, '', true) !== undefined).length).toBeGreaterThan(200);
  });

  it('write every multi-line rule expression exactly as the yaml library does (a literal block, or quoted)', () => {
    // The library's way, as yamlText took it for every multi-line string before it learned the short one.
    const byLibrary = (value: string, indent: number): string => {
      const text = stringify(value, { ...yamlWriteOptions, blockQuote: 'literal' }).replace(/\n$/, '');
      if (!/^\|[-+]?\n/.test(text) || /\r/.test(value) || needsYamlEscape(value)) return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const [header, ...lines] = text.split('\n');
      const written = [header, ...lines.map((line) => (line === '' ? '' : ' '.repeat(indent) + line))].join('\n');
      return parse(`k: ${written}\nz: 0\n`).k === value ? written : JSON.stringify(value);
    };
    const texts = [
      'sum by (model) (\n  rate(x[5m])\n)', '(\n  a\n  /\n  b\n) > 0.05\n', 'a\n\nb', 'a\n\n\nb\n', ' lead\nx', 'x\ntrail ', 'x\n\n', '\nx', 'tab\tin\nside', ' \n\n', ' \n\n\n', '  \n', 'a\n \n',
      'cr\r\nlf', 'nel\u0085\nx', 'ls\u2028\nx', 'ünï\ncødé', '# not a comment\n- not a list\n--- not a document', 'x\n...\ny', '...\nx', 'x\n---', '{{ $labels.model }}\n{{ $value }}',
      ...Array.from({ length: 3000 }, () => Array.from({ length: 2 + Math.floor(next() * 30) }, () => pick(['a', 'b', ' ', '\n', '\n', '\t', '#', ':', '-', '---', '...', '|', '"', "'", '{', '\r', 'é'])).join('')),
    ].filter((text) => text.includes('\n'));
    function pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    }
    const differing = texts.filter((text) => yamlText(text, 6) !== byLibrary(text, 6));
    expect(differing).toEqual([]);
    // Every one reads back as itself, and most took the short way (a literal block).
    expect(texts.filter((text) => parse(`k: ${yamlText(text, 2)}\nz: 0\n`).k !== text)).toEqual([]);
    expect(texts.filter((text) => yamlText(text, 2).startsWith('|')).length).toBeGreaterThan(texts.length / 4);
  });
});

describe('a line of text built from config values (a comment, a banner)', () => {
  it('stays one line to every reader: CR, LF, NEL, LINE and PARAGRAPH SEPARATOR each end a line to some', () => {
    for (const value of ['a\nb', 'a\r\nb', 'a\u0085b', 'a\u2028b', 'a\u2029b', 'a\n\u2028\rb']) {
      expect(oneLine(value), JSON.stringify(value)).toBe('a b');
      // As a comment above a key: every reader still finds the key, and only it.
      const text = `# ${oneLine(value)}\nk: v\n`;
      expect(parse(text, { version: '1.1' })).toEqual({ k: 'v' });
      expect(/[\r\u0085\u2028\u2029]/.test(text)).toBe(false);
    }
    expect(oneLine('jobs: a, b (fraud-detector)')).toBe('jobs: a, b (fraud-detector)');
  });
});
