import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
// (When mlmon itself runs from source, as in its own tests, the entry is index.ts.)
const mlmonEntry = [new URL('../index.js', import.meta.url), new URL('../index.ts', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((file) => existsSync(file));

/** Loads a config file of any supported kind. A broken file is a problem in the config (exit 1). */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  const ext = extname(file);
  const dir = dirname(file);
  try {
    if (ext === '.json') return { file, dir, raw: JSON.parse(readFileSync(file, 'utf8')) };
    if (ext === '.yaml' || ext === '.yml') {
      const { parse } = await import('yaml');
      return { file, dir, raw: parse(readFileSync(file, 'utf8')) };
    }
    if (['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].includes(ext)) {
      // Node 20 cannot strip TypeScript types itself; jiti transpiles with babel and caches the result, keyed by
      // content, in $TMPDIR/jiti (it looks for node_modules beside dist/config/, finds none, and falls back).
      // A cold cache costs babel's load and transform: +0.3 s for a small config, seconds for 10,000 models
      // (see bench/README.md).
      const { createJiti } = await import('jiti');
      const jiti = createJiti(import.meta.url, { alias: mlmonEntry ? { mlmon: mlmonEntry } : {}, moduleCache: false, fsCache: true, interopDefault: true });
      const raw = await jiti.import(file, { default: true });
      return { file, dir, raw };
    }
  } catch (error) {
    throw new ProblemsFound(
      [{ id: 'config/unreadable', severity: 'error', path: basename(file), message: `could not load ${basename(file)}: ${describeLoadError(error)}` }],
      'the config file',
    );
  }
  throw new CouldNotRun(`unsupported config file type: ${basename(file)}`, `use one of ${configFileNames.map(extname).join(' ')}`);
}

function describeLoadError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Syntax errors from jiti/JSON/YAML already carry a location; keep the first line, never the stack.
  return error.message.split('\n').slice(0, 3).join(' ').trim();
}
