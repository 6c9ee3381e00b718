/**
 * A V8 code cache for mlmon's own bundled CommonJS files (the commands in dist/cli-bundle/commands/, the
 * precompiled templates and schema validators), so a run does not parse and compile the same few megabytes of
 * JavaScript again: about a seventh of a small `generate`, and ~100 ms at every fleet size on a 2-core machine
 * (bench/README.md).
 *
 * Why our own: Node's built-in cache (`module.enableCompileCache`) arrived in Node 22.1, and mlmon runs on Node
 * 20. The maintained library for Node 20, v8-compile-cache, asks V8 for the cache when a file is compiled, which
 * holds only the code V8 compiles eagerly (a module's top level); a command's functions are compiled lazily, as
 * they first run, so it saved nothing measurable here. This cache is taken when the process exits, after the
 * run, with every function the run compiled (`vm.Script#createCachedData`).
 *
 * Safe by construction:
 * - only files under `roots` (mlmon's own folder) go through it; a user's config never does;
 * - an entry is used only for the exact bytes it was made from: its header is the SHA-1 of the source. V8 checks
 *   its own version and flags (and rejects a mismatch), but of the source only its length;
 * - any failure to read or write the cache (a read-only home, a full disk) only means no cache: the file is
 *   compiled as Node would, and nothing is reported;
 * - entries are written whole or not at all (a temporary file renamed into place), so a run that dies midway or
 *   another mlmon running beside it never leaves half an entry.
 *
 * The cached files must not call `import()`: a script compiled through `vm` has no loader for it (the bundle is
 * built with dynamic imports turned into `require`, scripts/bundle-cli.mjs).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

/** What one run did with the cache, for the tests. */
export interface CodeCacheStats {
  /** Files compiled from their cache entry. */
  readonly used: string[];
  /** Files compiled from source, whose entry is written at exit (missing, stale or rejected). */
  readonly compiled: string[];
}

export interface CodeCacheOptions {
  /** Folders whose files are cached (mlmon's package root). */
  readonly roots: readonly string[];
  /** Where entries live; defaults to `codeCacheDir()`. */
  readonly dir?: string;
}

/**
 * Where the entries live: `$MLMON_CODE_CACHE`, else `$XDG_CACHE_HOME` or `~/.cache`, + `mlmon/code-cache/`,
 * then one folder per Node version and architecture (V8 would reject another's entries anyway). Undefined
 * when `MLMON_CODE_CACHE` is `off`.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['MLMON_CODE_CACHE'] === 'off') return undefined;
  const base = env['MLMON_CODE_CACHE'] || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'mlmon', 'code-cache');
  return join(base, `${process.version}-${process.arch}`);
}

interface InternalModule {
  exports: unknown;
  require(id: string): unknown;
}
interface ModuleInternals {
  prototype: { _compile(this: InternalModule, content: string, filename: string): unknown };
  wrap(content: string): string;
  _resolveFilename(request: string, parent: InternalModule, isMain: boolean, options?: unknown): string;
  _extensions: unknown;
  _cache: unknown;
}

let installed: CodeCacheStats | undefined;

/**
 * Installs the cache for the rest of the process (once; later calls return the first call's stats). Returns
 * undefined, and installs nothing, when the cache is off (`MLMON_CODE_CACHE=off`).
 */
export function installCodeCache(options: CodeCacheOptions): CodeCacheStats | undefined {
  if (installed) return installed;
  const dir = options.dir ?? codeCacheDir();
  if (!dir) return undefined;
  const stats: CodeCacheStats = { used: [], compiled: [] };
  installed = stats;
  const roots = options.roots.map((root) => (root.endsWith(sep) ? root : root + sep));
  const internals = Module as unknown as ModuleInternals;
  const compile = internals.prototype._compile;
  const pending: { file: string; script: Script; digest: string }[] = [];

  internals.prototype._compile = function compileCached(this: InternalModule, content: string, filename: string): unknown {
    if (!roots.some((root) => filename.startsWith(root))) return compile.call(this, content, filename);
    const entry = join(dir, `${createHash('sha1').update(filename).digest('hex')}.bin`);
    const digest = createHash('sha1').update(content).digest('hex');
    const cached = readEntry(entry, digest);
    const script = new Script(internals.wrap(content), { filename, ...(cached ? { cachedData: cached } : {}) });
    if (cached && !script.cachedDataRejected) stats.used.push(filename);
    else {
      stats.compiled.push(filename);
      pending.push({ file: entry, script, digest });
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (exports: unknown, require: unknown, module: unknown, filename: string, dirname: string) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(this, internals), this, filename, dirname(filename));
  };

  process.once('exit', () => {
    for (const { file, script, digest } of pending) writeEntry(file, digest, script.createCachedData());
  });
  return stats;
}

/** The `require` a module's code is given, as Node's own makeRequireFunction builds it. */
function requireFor(module: InternalModule, internals: ModuleInternals): NodeJS.Require {
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  require.resolve = ((request: string, options?: unknown) => internals._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  require.main = process.mainModule;
  require.extensions = internals._extensions as NodeJS.Require['extensions'];
  require.cache = internals._cache as NodeJS.Require['cache'];
  return require;
}

const digestLength = 40;

/** The entry's cached data if it was made from source with this digest; undefined otherwise, or on any error. */
function readEntry(file: string, digest: string): Buffer | undefined {
  try {
    const data = readFileSync(file);
    return data.subarray(0, digestLength).toString('latin1') === digest ? data.subarray(digestLength) : undefined;
  } catch {
    return undefined;
  }
}

function writeEntry(file: string, digest: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, Buffer.concat([Buffer.from(digest, 'latin1'), data]));
    renameSync(temporary, file);
  } catch {
    // No cache this time; the next run compiles from source again.
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The folder itself could not be made: there is no temporary file.
    }
  }
}
