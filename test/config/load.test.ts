/**
 * Loading `monitoring.config.ts` and friends. Types are stripped by esbuild (fast); a file that uses
 * `import.meta` or awaits at top level goes to jiti's babel, which handles both.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ProblemsFound } from '../../src/problems.js';
import { scratchDir } from '../support/fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

// Each config carries a nonce, so jiti's content-keyed cache never answers for an earlier run.
function configFile(name: string, body: string): string {
  const { dir, cleanup } = scratchDir();
  cleanups.push(cleanup);
  const file = join(dir, name);
  writeFileSync(file, `// ${Math.random()}\n${body}`);
  return file;
}

describe('loading a config module', () => {
  it('strips types, resolves `mlmon` and returns the default export', async () => {
    const file = configFile('monitoring.config.ts', "import { defineConfig, type MonitoringConfig } from 'mlmon';\nconst cluster: string = 'typed';\nexport default defineConfig({ cluster } satisfies MonitoringConfig);\n");
    expect((await loadConfig(file)).raw).toEqual({ cluster: 'typed' });
  });

  it('loads a config that uses import.meta, and one that awaits at top level', async () => {
    const meta = configFile('monitoring.config.ts', "import { fileURLToPath } from 'node:url';\nconst here: string = fileURLToPath(import.meta.url);\nexport default { cluster: here };\n");
    expect((await loadConfig(meta)).raw).toEqual({ cluster: meta });
    const awaiting = configFile('monitoring.config.mts', "const cluster: string = await Promise.resolve('awaited');\nexport default { cluster };\n");
    expect((await loadConfig(awaiting)).raw).toEqual({ cluster: 'awaited' });
  });

  it('loads plain JavaScript modules', async () => {
    const file = configFile('monitoring.config.mjs', "import { defineConfig } from 'mlmon';\nexport default defineConfig({ cluster: 'js' });\n");
    expect((await loadConfig(file)).raw).toEqual({ cluster: 'js' });
  });

  it('reports a syntax error with its line as config/unreadable, and never loads an empty config in its place', async () => {
    const file = configFile('monitoring.config.ts', "export default {\n  cluster: 'x',\n  models: { a: { service: } },\n};\n");
    const error = await loadConfig(file).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemsFound);
    const [problem] = (error as ProblemsFound).problems;
    expect(problem).toMatchObject({ id: 'config/unreadable', path: 'monitoring.config.ts' });
    expect(problem!.message).toMatch(/could not load monitoring\.config\.ts: .*\(4:\d+\)/);
    // The same file again: a failed transform is not cached as an empty module.
    await expect(loadConfig(file)).rejects.toBeInstanceOf(ProblemsFound);
  });

  it("reports an error the config throws, having run it once", async () => {
    const file = configFile('monitoring.config.ts', "(globalThis as any).mlmonLoads = ((globalThis as any).mlmonLoads ?? 0) + 1;\nthrow new SyntaxError('made by the config');\n");
    (globalThis as { mlmonLoads?: number }).mlmonLoads = 0;
    const error = await loadConfig(file).then(() => undefined, (e: unknown) => e);
    expect((error as ProblemsFound).problems[0]!.message).toContain('made by the config');
    expect((globalThis as { mlmonLoads?: number }).mlmonLoads).toBe(1);
  });
});
