/**
 * The code cache of mlmon's own bundled files (src/cli/code-cache.ts): entries made after a run and used by the
 * next, never for other bytes than they were made from, never for a file outside mlmon, and never a reason to
 * fail. Each case runs in a fresh node process, as the command line does (the cache patches Node's loader).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { copyExampleTo, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
const scratch = (): string => {
  const { dir, cleanup } = scratchDir('mlmon-code-cache-');
  cleanups.push(cleanup);
  return dir;
};

interface Run {
  readonly used: string[];
  readonly compiled: string[];
  readonly values: unknown[];
}

/** Requires `files` in a fresh node with the cache installed for `root` (built dist/cli/code-cache.js). */
function run(root: string, cacheDir: string, files: string[], env: NodeJS.ProcessEnv = {}): Run {
  const driver = `
    import { createRequire } from 'node:module';
    import { installCodeCache } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/cli/code-cache.js')).href)};
    const stats = installCodeCache({ roots: [${JSON.stringify(root)}], dir: ${JSON.stringify(cacheDir)} }) ?? { used: [], compiled: [] };
    const values = ${JSON.stringify(files)}.map((file) => createRequire(import.meta.url)(file).value);
    console.log(JSON.stringify({ ...stats, values }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', driver], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Run;
}

describe('the code cache', () => {
  it('compiles a file from source once, then from its entry; other bytes of the same length are compiled afresh', () => {
    const root = scratch();
    const cache = join(scratch(), 'cache');
    const file = join(root, 'module.cjs');
    writeFileSync(file, "exports.value = (() => 'first')();\n");
    expect(run(root, cache, [file])).toEqual({ used: [], compiled: [file], values: ['first'] });
    expect(readdirSync(cache)).toHaveLength(1);
    expect(run(root, cache, [file])).toEqual({ used: [file], compiled: [], values: ['first'] });
    // V8 checks a cache's source only by its length: the entry's own digest must catch this.
    writeFileSync(file, "exports.value = (() => 'other')();\n");
    expect(run(root, cache, [file])).toEqual({ used: [], compiled: [file], values: ['other'] });
    expect(run(root, cache, [file])).toEqual({ used: [file], compiled: [], values: ['other'] });
  });

  it('leaves files outside its roots to Node (a user config is never cached)', () => {
    const root = scratch();
    const elsewhere = join(scratch(), 'config.cjs');
    writeFileSync(elsewhere, 'exports.value = 1;\n');
    const cache = join(scratch(), 'cache');
    expect(run(root, cache, [elsewhere])).toEqual({ used: [], compiled: [], values: [1] });
    expect(() => readdirSync(cache)).toThrow();
  });

  it('runs as Node would when the cache cannot be written or read', () => {
    const root = scratch();
    const file = join(root, 'module.cjs');
    writeFileSync(file, 'exports.value = 2;\n');
    // A file where the cache folder would be: nothing can be created under it.
    const blocked = join(scratch(), 'not-a-folder');
    writeFileSync(blocked, '');
    expect(run(root, join(blocked, 'cache'), [file])).toEqual({ used: [], compiled: [file], values: [2] });
    expect(run(root, join(blocked, 'cache'), [file])).toEqual({ used: [], compiled: [file], values: [2] });
    // A corrupt entry (right digest, garbage after it) is rejected by V8 and replaced.
    const cache = join(scratch(), 'cache');
    run(root, cache, [file]);
    const [entry] = readdirSync(cache);
    const path = join(cache, entry!);
    writeFileSync(path, Buffer.concat([readFileSync(path).subarray(0, 40), Buffer.from('garbage')]));
    expect(run(root, cache, [file])).toEqual({ used: [], compiled: [file], values: [2] });
    expect(run(root, cache, [file])).toEqual({ used: [file], compiled: [], values: [2] });
  });

  it('is off with MLMON_CODE_CACHE=off', () => {
    const root = scratch();
    const file = join(root, 'module.cjs');
    writeFileSync(file, 'exports.value = 3;\n');
    const driver = `
      import { codeCacheDir } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/cli/code-cache.js')).href)};
      console.log(JSON.stringify([codeCacheDir({ MLMON_CODE_CACHE: 'off' }) ?? null, codeCacheDir({ MLMON_CODE_CACHE: '/x' }), codeCacheDir({ XDG_CACHE_HOME: '/y' })]));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', driver], { encoding: 'utf8' });
    const suffix = `${process.version}-${process.arch}`;
    expect(JSON.parse(result.stdout)).toEqual([null, `/x/${suffix}`, `/y/mlmon/code-cache/${suffix}`]);
  });
});

describe('the command line with the code cache', () => {
  it("writes entries for mlmon's own files on the first generate, uses them untouched on the next, and writes the same out/ as without", () => {
    const cache = join(scratch(), 'cache');
    const generate = (codeCache: string) => {
      const dir = scratch();
      copyExampleTo(dir);
      const result = spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), 'generate'], { cwd: dir, encoding: 'utf8', env: { ...process.env, MLMON_CODE_CACHE: codeCache } });
      expect(result.status, result.stderr).toBe(0);
      return dir;
    };
    const first = generate(cache);
    const entries = join(cache, `${process.version}-${process.arch}`);
    const written = Object.fromEntries(readdirSync(entries).map((name) => [name, statSync(join(entries, name)).mtimeMs]));
    // The generate bundle, the precompiled templates, the config validator and the log retention validator.
    expect(Object.keys(written).length).toBeGreaterThanOrEqual(4);
    const second = generate(cache);
    expect(Object.fromEntries(readdirSync(entries).map((name) => [name, statSync(join(entries, name)).mtimeMs]))).toEqual(written);
    const uncached = generate('off');
    for (const dir of [first, second]) {
      for (const file of ['prometheus/prometheus.yml', 'grafana/dashboards/ml-models.json', 'k8s/kustomization.yaml', '.mlmon-manifest.json']) {
        expect(readFileSync(join(dir, 'out', file), 'utf8'), file).toBe(readFileSync(join(uncached, 'out', file), 'utf8'));
      }
    }
  });
});
