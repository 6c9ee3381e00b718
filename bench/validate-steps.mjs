/**
 * One in-process `mlmon validate` with the external tools, timing each external check (step) as it runs. The
 * runner starts this in a fresh node process per measurement and compares the whole (node's start-up, generate
 * in memory, mlmon's own checks, the tools) with its slowest step: validate runs the steps side by side, so
 * ideally it lasts little longer than the slowest one.
 *
 *   node bench/validate-steps.mjs <config file>   → one JSON line on stdout
 *
 * promtool and amtool come from $MLMON_PROMTOOL / $MLMON_AMTOOL, PATH or the pinned tools cache, as for the CLI.
 */
import { performance } from 'node:perf_hooks';
import { dirname, resolve } from 'node:path';

const [configArg] = process.argv.slice(2);
if (!configArg) {
  process.stderr.write('usage: node bench/validate-steps.mjs <config file>\n');
  process.exit(2);
}
const configFile = resolve(configArg);

const dist = new URL('../dist/', import.meta.url);
const { validate } = await import(new URL('pipeline.js', dist).href);
const { hasErrors } = await import(new URL('check/report.js', dist).href);

const steps = [];
const report = await validate({
  cwd: dirname(configFile),
  config: configFile,
  skipExternal: false,
  disable: [],
  tools: { promtool: undefined, amtool: undefined, timeoutMs: 10 * 60_000 },
  onProgress: (_done, _total, finished) => steps.push({ id: finished.id, ms: finished.ms }),
});
// performance.now() counts from the process's start, as a user waiting for `mlmon validate` does.
const wallMs = performance.now();
const failed = report.checks.filter((c) => c.status === 'failed').map((c) => c.id);
process.stdout.write(`${JSON.stringify({ wallMs, steps, ok: !hasErrors(report), failed })}\n`);
