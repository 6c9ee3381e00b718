/**
 * The layout is the architecture (docs/architecture.md, "The folders"): each stage of the pipeline imports only
 * the stages before it, and src/formats/ (what is neither a stage nor a check) imports no stage at all, so any
 * stage can use it. No source file grows past 400 lines. Both rules are read from src/ itself, so a backward
 * import or an overgrown file fails here rather than in a review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/tools.js';

/**
 * The layers of src/, earliest first: a module may import its own layer and any earlier one, never a later
 * one. A folder ends in `/`; a file at the top of src/ is named as is. The one table of allowed directions.
 */
const layers: readonly { readonly name: string; readonly holds: readonly string[] }[] = [
  { name: 'shared', holds: ['problems.ts', 'package-root.ts', 'version.ts'] },
  { name: 'formats', holds: ['formats/'] },
  // The alert catalog defines what the config's alerts and thresholds are (the config types are generated from
  // it), so it is part of the config layer: config checks read it, and it reads only the config's types.
  { name: 'config', holds: ['config/', 'catalog/'] },
  { name: 'normalize', holds: ['normalize/'] },
  { name: 'render', holds: ['render/'] },
  { name: 'check', holds: ['check/'] },
  { name: 'output', holds: ['output/'] },
  { name: 'pipeline', holds: ['pipeline.ts'] },
  // The metric contract (check-metrics, instrument, init): it loads the config through the pipeline.
  { name: 'metrics', holds: ['metrics/'] },
  { name: 'entry points', holds: ['cli/', 'index.ts'] },
];

/** Backward imports allowed, each as importing file, imported file and the names it may take: none. */
const allowedBackwardImports: readonly { readonly from: string; readonly to: string; readonly names: readonly string[] }[] = [];

const maxLines = 400;
/** The config types are the schema's source and document every option; they may be longer. */
const longFilesAllowed: readonly string[] = ['config/types.ts'];
/** Files over the limit for now: none. */
const longFilesForNow: readonly string[] = [];

interface Import {
  /** Importing and imported module, relative to src/ (`config/semantics.ts`). */
  readonly from: string;
  readonly to: string;
  /** The names it takes (`import { a, type B as C }` takes a and B); `*` for a namespace or a dynamic import. */
  readonly names: readonly string[];
}

/** Source files by their path relative to src/. */
type Sources = ReadonlyMap<string, string>;

function readSources(dir: string): Map<string, string> {
  const sources = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    sources.set(relative(dir, file).split('\\').join('/'), readFileSync(file, 'utf8'));
  }
  return sources;
}

/**
 * Every relative import of `source`: static imports (type-only ones too, since they tie the two stages as much),
 * re-exports and dynamic imports. A pattern, not a parser: TypeScript 7 has no JavaScript API, and an import
 * specifier is all this needs. Comments are dropped first so that a file named in one is not an import.
 */
function importsOf(from: string, source: string): Import[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: Import[] = [];
  const add = (specifier: string, names: readonly string[]): void => {
    if (!specifier.startsWith('.')) return;
    const to = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
    found.push({ from, to, names });
  };
  for (const m of code.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/gm)) add(m[2]!, namesOf(m[1]!));
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) add(m[1]!, []);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) add(m[1]!, ['*']);
  return found;
}

function namesOf(clause: string): string[] {
  const braces = /\{([^}]*)\}/.exec(clause)?.[1];
  const names = (braces ?? '').split(',').map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter((n) => n !== '');
  const outside = clause.replace(/\{[^}]*\}/, '').replace(/,/g, ' ').trim();
  return outside === '' ? names : [...names, outside.includes('*') ? '*' : outside];
}

/** The index in `layers` of a module (relative to src/), or undefined when no layer holds it. */
function layerOf(path: string): number | undefined {
  const index = layers.findIndex((layer) => layer.holds.some((held) => (held.endsWith('/') ? path.startsWith(held) : path === held)));
  return index === -1 ? undefined : index;
}

/** What breaks the layering: a module in no layer, and each import of a later layer not allowed above. */
function layeringProblems(sources: Sources, allowed = allowedBackwardImports): { unplaced: string[]; backward: string[]; unusedAllowances: string[] } {
  const unplaced = [...sources.keys()].filter((path) => layerOf(path) === undefined).sort();
  const backward: string[] = [];
  const used = new Set<(typeof allowed)[number]>();
  for (const [path, source] of sources) {
    for (const imported of importsOf(path, source)) {
      const from = layerOf(imported.from);
      const to = layerOf(imported.to);
      if (from === undefined || to === undefined || to <= from) continue;
      const allowance = allowed.find((a) => a.from === imported.from && a.to === imported.to && imported.names.every((n) => a.names.includes(n)));
      if (allowance) {
        used.add(allowance);
        continue;
      }
      backward.push(`${imported.from} (${layers[from]!.name}) imports ${imported.names.join(', ') || 'for its effects'} from ${imported.to} (${layers[to]!.name}), a later stage`);
    }
  }
  const unusedAllowances = allowed.filter((a) => !used.has(a)).map((a) => `${a.from} -> ${a.to}`);
  return { unplaced, backward: backward.sort(), unusedAllowances };
}

/** Files over `maxLines` lines that no list above allows, and the "for now" entries that are short again. */
function lengthProblems(sources: Sources, forNow = longFilesForNow): { long: string[]; shortAgain: string[] } {
  const lines = (source: string): number => source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
  const long = [...sources].filter(([path, source]) => lines(source) > maxLines && !longFilesAllowed.includes(path) && !forNow.includes(path));
  const shortAgain = forNow.filter((path) => lines(sources.get(path) ?? '') <= maxLines);
  return { long: long.map(([path, source]) => `${path}: ${lines(source)} lines`).sort(), shortAgain };
}

describe('the layering rule', () => {
  const sources = (files: Record<string, string>): Sources => new Map(Object.entries(files));

  it('reports a stage that imports a later stage, type-only, re-exported, multi-line or dynamic imports alike', () => {
    const { backward } = layeringProblems(sources({
      'config/a.ts': "import { parse } from '../check/parse.js';\n",
      'config/b.ts': "import type { Model } from '../normalize/model.js';\n",
      'normalize/c.ts': "export { render } from '../render/render.js';\n",
      'render/d.ts': "import {\n  one,\n  type Two,\n} from '../check/x.js';\n",
      'check/e.ts': "const { validate } = await import('../pipeline.js');\n",
      'formats/f.ts': "import { durationSeconds } from '../normalize/duration.js';\n",
    }), []);
    expect(backward).toEqual([
      'check/e.ts (check) imports * from pipeline.ts (pipeline), a later stage',
      'config/a.ts (config) imports parse from check/parse.ts (check), a later stage',
      'config/b.ts (config) imports Model from normalize/model.ts (normalize), a later stage',
      'formats/f.ts (formats) imports durationSeconds from normalize/duration.ts (normalize), a later stage',
      'normalize/c.ts (normalize) imports render from render/render.ts (render), a later stage',
      'render/d.ts (render) imports one, Two from check/x.ts (check), a later stage',
    ]);
  });

  it('lets a stage import itself, earlier stages, formats and the shared modules, and ignores packages and comments', () => {
    const result = layeringProblems(sources({
      'check/a.ts': "import { b } from './b.js';\nimport type { Model } from '../normalize/model.js';\nimport { parse } from '../formats/promql/parse.js';\nimport { configPath } from '../problems.js';\nimport { parse as yaml } from 'yaml';\n// see '../output/diff.js' and import('../cli/main.js')\n/** from '../pipeline.js' */\n",
      'cli/main.ts': "import { validate } from '../pipeline.js';\nimport { diffOutput } from '../output/diff.js';\n",
      'formats/yaml/a.ts': "import { isGoYamlV2Number } from './layout.js';\n",
    }), []);
    expect(result).toEqual({ unplaced: [], backward: [], unusedAllowances: [] });
  });

  it('allows an allowed backward import only for the names it lists, and reports an allowance no import uses', () => {
    const allowed = [
      { from: 'config/s.ts', to: 'normalize/alerts.ts', names: ['alertNames'] },
      { from: 'config/t.ts', to: 'normalize/alerts.ts', names: ['alertNames'] },
    ];
    const result = layeringProblems(sources({
      'config/s.ts': "import { alertNames } from '../normalize/alerts.js';\nimport { alertNames as names, normalize } from '../normalize/alerts.js';\n",
    }), allowed);
    expect(result.backward).toEqual(['config/s.ts (config) imports alertNames, normalize from normalize/alerts.ts (normalize), a later stage']);
    expect(result.unusedAllowances).toEqual(['config/t.ts -> normalize/alerts.ts']);
  });

  it('reports a module in no layer, so a new folder must be placed in the table', () => {
    expect(layeringProblems(sources({ 'plugins/alerts.ts': '' }), []).unplaced).toEqual(['plugins/alerts.ts']);
  });

  it('reports a file over 400 lines, except the config types, and a "for now" entry that is short again', () => {
    const long = 'x\n'.repeat(401);
    const result = lengthProblems(sources({ 'render/a.ts': long, 'render/b.ts': 'x\n'.repeat(400), 'config/types.ts': long, 'normalize/n.ts': 'x\n' }), ['normalize/n.ts']);
    expect(result).toEqual({ long: ['render/a.ts: 401 lines'], shortAgain: ['normalize/n.ts'] });
  });
});

describe('src/', () => {
  const sources = readSources(join(repoRoot, 'src'));

  it('holds every module in a layer of the table', () => {
    expect(layeringProblems(sources).unplaced).toEqual([]);
  });

  it('has no stage importing a later stage, and no formats module importing a stage', () => {
    expect(layeringProblems(sources).backward).toEqual([]);
  });

  it('has no allowed backward import left that nothing uses', () => {
    expect(layeringProblems(sources).unusedAllowances).toEqual([]);
  });

  it(`has no file over ${maxLines} lines beyond the config types`, () => {
    expect(lengthProblems(sources)).toEqual({ long: [], shortAgain: [] });
  });

  it('is read whole: every stage folder has modules', () => {
    for (const folder of ['formats', 'config', 'normalize', 'render', 'check', 'output', 'cli']) {
      expect([...sources.keys()].some((path) => dirname(path).split('/')[0] === folder), folder).toBe(true);
    }
  });
});
