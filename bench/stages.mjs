/**
 * One in-process generate, timed stage by stage. The runner starts this in a fresh node process per
 * measurement, so every run pays the same module loading and gets a fresh heap, just as the CLI does.
 *
 *   node bench/stages.mjs <config file> <out dir>   → one JSON line on stdout
 */
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const [configArg, outArg] = process.argv.slice(2);
if (!configArg || !outArg) {
  process.stderr.write('usage: node bench/stages.mjs <config file> <out dir>\n');
  process.exit(2);
}
const configFile = resolve(configArg);
const outDir = resolve(outArg);

const dist = new URL('../dist/', import.meta.url);
const { generateInMemory } = await import(new URL('pipeline.js', dist).href);
const { writeOutput } = await import(new URL('output/write.js', dist).href);
// performance.now() counts from the process's start: node's own start-up plus loading mlmon's modules, the
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
