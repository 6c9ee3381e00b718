import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
// Static: every command renders YAML anyway. (The CLI bundle can't import a CommonJS package's names lazily.)
import { parse as parseYaml } from 'yaml';
import { createRequire } from 'node:module';
import type { TransformOptions, TransformResult } from 'jiti';
import { packagePath, runningFromSource } from '../package-root.js';
import { CouldNotRun, ProblemsFound } from '../problems.js';

/** File names looked for, in order, when no `--config` is given. */
export const configFileNames = [
  'monitoring.config.ts',
  'monitoring.config.mts',
  'monitoring.config.js',
  'monitoring.config.mjs',
  'monitoring.config.json',
  'monitoring.config.yaml',
  'monitoring.config.yml',
];

export interface LoadedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Folder the config's relative paths are resolved against. */
  dir: string;
  /** What the file exported, not yet checked. */
  raw: unknown;
}

/** Finds the config: the given path, or the first of `configFileNames` in `cwd`. */
export function findConfigFile(cwd: string, given?: string): string {
  if (given) {
    const file = resolve(cwd, given);
    if (!existsSync(file)) throw new CouldNotRun(`config file not found: ${given}`, `looked for ${file}`);
    return file;
  }
  for (const name of configFileNames) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  throw new CouldNotRun(
    `no monitoring config found in ${cwd}`,
    `create monitoring.config.ts (export default defineConfig({...})) or pass --config <file>; looked for ${configFileNames.join(', ')}`,
  );
}

// `import { defineConfig } from 'mlmon'` in a config resolves to the running mlmon, wherever the config lives:
// in this repo's own example, in a user's repo with mlmon installed, or with mlmon run through npx.
// Built, it is the config API bundled as CommonJS (scripts/bundle-cli.mjs), which jiti requires as it is;
// from source, as in mlmon's own tests, src/index.ts.
const mlmonEntry = (runningFromSource ? ['src/index.ts'] : ['dist/cli-bundle/config-api.cjs', 'dist/index.js']).map((path) => packagePath(path)).find((file) => existsSync(file));

const requireFromHere = createRequire(import.meta.url);

/** Loads a config file of any supported kind. A broken file is a problem in the config (exit 1). */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  const ext = extname(file);
  const dir = dirname(file);
  try {
    if (ext === '.json') return { file, dir, raw: JSON.parse(readFileSync(file, 'utf8')) };
    if (ext === '.yaml' || ext === '.yml') return { file, dir, raw: parseYaml(readFileSync(file, 'utf8')) };
    if (['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].includes(ext)) return { file, dir, raw: await importModuleConfig(file) };
  } catch (error) {
    throw new ProblemsFound(
      [{ id: 'config/unreadable', severity: 'error', path: basename(file), message: `could not load ${basename(file)}: ${describeLoadError(error)}` }],
      file,
    );
  }
  throw new CouldNotRun(`unsupported config file type: ${basename(file)}`, `use one of ${configFileNames.map(extname).join(' ')}`);
}

/**
 * Node 20 cannot strip TypeScript types itself, so jiti loads the config, caching the result by content.
 * jiti's own transform is babel: ~0.4 s to load and run on a 1,000-model config and ~1.8 s on 10,000, and a
 * cold cache is what every fresh CI checkout has. esbuild (types out, ESM to CommonJS) takes a few tens of
 * milliseconds for either, so it transforms every file but two kinds that CommonJS can't express and babel
 * can: files that use `import.meta` (esbuild would leave it empty) or await at top level (it refuses those).
 */
async function importModuleConfig(file: string): Promise<unknown> {
  // require, not import: jiti's ES module entry wraps its CommonJS build, which Node would lex first.
  const { createJiti } = requireFromHere('jiti') as typeof import('jiti');
  const jiti = createJiti(import.meta.url, { alias: mlmonEntry ? { mlmon: mlmonEntry } : {}, moduleCache: false, fsCache: true, interopDefault: true, transform });
  return await jiti.import(file, { default: true });
}

// Both transformers are loaded only on a cache miss: a warm run loads neither.
function transform(options: TransformOptions): TransformResult {
  if (/\bimport\s*\.\s*meta\b/.test(options.source)) return jitiBabel()(options);
  // esbuild's synchronous API runs its service in a worker thread, whose start (a second V8 isolate) costs
  // more than the transform; this env var, read when esbuild loads, makes it call its binary directly.
  process.env.ESBUILD_WORKER_THREADS ??= '0';
  const esbuild = requireFromHere('esbuild') as typeof import('esbuild');
  try {
    const { code } = esbuild.transformSync(options.source, {
      loader: options.ts ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      ...(options.filename ? { sourcefile: options.filename } : {}),
    });
    return { code };
  } catch (error) {
    const [first] = (error as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors ?? [];
    if (first?.text.includes('Top-level await')) return jitiBabel()(options);
    // A syntax error is thrown, not returned: jiti would run the empty code it was given and load no config.
    if (first) throw new SyntaxError(`${first.text}${first.location ? ` (${first.location.line}:${first.location.column + 1})` : ''}`);
    throw error;
  }
}

/**
 * jiti's default transform. jiti exports no name for it (its entry requires `../dist/babel.cjs` when no
 * transform is given), so it is found the same way, beside jiti's CommonJS entry.
 */
function jitiBabel(): (options: TransformOptions) => TransformResult {
  return requireFromHere(join(dirname(requireFromHere.resolve('jiti')), '../dist/babel.cjs')) as (options: TransformOptions) => TransformResult;
}

function describeLoadError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Syntax errors from jiti/JSON/YAML already carry a location; keep the first line, never the stack.
  return error.message.split('\n').slice(0, 3).join(' ').trim();
}
