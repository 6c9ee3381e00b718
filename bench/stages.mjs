/**
 * One in-process generate, timed stage by stage. The runner starts this in a fresh node process per
 * measurement, so every run pays the same module loading and gets a fresh heap, just as the CLI does.
 *
 * It times the code `mlmon generate` runs: the command's bundle, dist/cli-bundle/commands/generate.cjs, required
 * through mlmon's code cache as the command line requires it (src/cli/command-bundles.ts). Until 2026-12-01 it
 * timed tsc's unbundled dist/ instead, which no command runs: there every module a stage first needed was
 * resolved, read and compiled inside that stage, and the columns measured Node's module loader as much as mlmon.
 *
 *   node bench/stages.mjs <config file> <out dir>   → one JSON line on stdout
 */
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [configArg, outArg] = process.argv.slice(2);
if (!configArg || !outArg) {
  process.stderr.write('usage: node bench/stages.mjs <config file> <out dir>\n');
  process.exit(2);
}
const configFile = resolve(configArg);
const outDir = resolve(outArg);

const root = fileURLToPath(new URL('..', import.meta.url));
const { installCodeCache } = await import(new URL('../dist/cli/code-cache.js', import.meta.url).href);
installCodeCache({ roots: [resolve(root, 'dist'), resolve(root, 'schemas')] });
const { generateInMemory, writeOutput } = createRequire(import.meta.url)(resolve(root, 'dist/cli-bundle/commands/generate.cjs'));
// performance.now() counts from the process's start: node's own start-up plus loading mlmon's command, the
// part of a generate's wall time that no stage accounts for.
const startup = performance.now();

rmSync(outDir, { recursive: true, force: true });
const generated = await generateInMemory({ cwd: dirname(configFile), config: configFile });
const writeStart = performance.now();
writeOutput(outDir, generated.files);
const write = performance.now() - writeStart;

const result = {
  timings: { startup, ...generated.timings, write },
  files: generated.files.map((file) => ({ path: file.path, bytes: Buffer.byteLength(file.content) })),
  // resourceUsage().maxRSS is in kilobytes.
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
