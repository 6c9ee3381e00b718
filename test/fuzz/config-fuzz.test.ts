/**
 * Fuzzing: generated configs, valid and broken, with hostile strings in every name. Each one either ends with
 * problems (exit 1 semantics: ProblemsFound and nothing else, nothing written, every problem well formed) or
 * writes an output that promtool, amtool and the Kubernetes decoding accept.
 *
 * MLMON_FUZZ_RUNS (default 1000) sets the number of configs; MLMON_FUZZ_SEED replays a run (default: a fixed seed, so
 * CI judges every commit on the same configs; `random` draws a new one). The seed is printed with every failure. In-process failures are shrunk by fast-check at once. A failure of the real tools is found
 * on the batch (the tools run once per chunk of outputs, see tool-checks.ts) and printed with its run index; to
 * shrink it, run again with MLMON_FUZZ_SEED=<seed> MLMON_FUZZ_SHRINK=<index>, which replays that config alone
 * and shrinks it against the tools.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { checkCase } from './check-case.js';
import { fuzzCase, type FuzzCase } from './config-arbitrary.js';
import { knownFailureOf, readKnownFailures } from './known-failing.js';
import { runCase } from './run-case.js';
import { checkOutputs, type ToolFailure } from './tool-checks.js';

const runs = Number(process.env.MLMON_FUZZ_RUNS ?? 1000);
// A fixed seed by default, so CI judges every commit on the same 1,000 configs and a red run is the change's,
// not the draw's; MLMON_FUZZ_SEED=random draws new ones (exploration), any number replays a run.
const defaultSeed = 20261130;
const seedSetting = process.env.MLMON_FUZZ_SEED;
const seed = seedSetting === 'random' ? (Date.now() ^ (process.pid << 8)) >>> 0 : Number(seedSetting ?? defaultSeed);
const shrinkIndex = process.env.MLMON_FUZZ_SHRINK === undefined ? undefined : Number(process.env.MLMON_FUZZ_SHRINK);
// Routing tests run one amtool process per alert: one case for each of the first outputs, up to this many.
const routeBudget = Number(process.env.MLMON_FUZZ_ROUTE_BUDGET ?? 150);
// Rule tests take seconds per output (tool-checks.ts): the first outputs only, up to this many.
const testRulesBudget = Number(process.env.MLMON_FUZZ_TEST_RULES_BUDGET ?? 8);
const reproduce = `MLMON_FUZZ_SEED=${seed} MLMON_FUZZ_RUNS=${runs} npx vitest run test/fuzz/config-fuzz.test.ts`;

const root = mkdtempSync(join(tmpdir(), 'mlmon-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const describeCase = (c: FuzzCase) => `${c.mode} ${c.format} config${c.mutations.length ? ` with mutations ${JSON.stringify(c.mutations)}` : ''}:\n${JSON.stringify(c.config, null, 2)}`;

// One test or the other, never a skipped one.
if (shrinkIndex === undefined) test(`${runs} generated configs end in problems or in output the real tools accept (seed ${seed})`, async () => {
  const known = readKnownFailures();
  const knownCounts = new Map<string, number>();
  const isKnown = (failures: readonly ToolFailure[]) => failures.every((f) => {
    const entry = knownFailureOf(f, known);
    if (entry) knownCounts.set(entry.fixture, (knownCounts.get(entry.fixture) ?? 0) + 1);
    return entry !== undefined;
  });
  const generated: { index: number; fuzz: FuzzCase; outDir: string }[] = [];
  const tally = { problems: 0, generated: 0, knownInProcess: 0 };
  let index = 0;
  let shrinking = false;

  // In process: generate into a scratch folder; fast-check shrinks any failure here by itself.
  const started = performance.now();
  const result = await fc.check(fc.asyncProperty(fuzzCase, async (fuzz) => {
    const at = index++;
    const outcome = await runCase(join(root, String(at)), fuzz.config, fuzz.format);
    if (outcome.kind === 'failure') {
      const failure = { check: outcome.check, message: outcome.message };
      // A known failure is counted, not shrunk; while shrinking, only the failure being shrunk counts as one.
      if (knownFailureOf(failure, known)) {
        if (!shrinking && isKnown([failure])) tally.knownInProcess += 1;
        return;
      }
      shrinking = true;
      throw new Error(`${outcome.check}: ${outcome.message}`);
    }
    if (shrinking) return;
    if (outcome.kind === 'problems') tally.problems += 1;
    else {
      tally.generated += 1;
      generated.push({ index: at, fuzz, outDir: outcome.outDir });
    }
  }), { seed, numRuns: runs, endOnFailure: false });
  const inProcessMs = performance.now() - started;
  if (result.failed) {
    expect.fail(`fuzzing found a config that mlmon mishandles (${reproduce}; replay path ${result.counterexamplePath}):\n${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}\n\nshrunk to the ${describeCase(result.counterexample![0])}`);
  }

  // The real tools, batched over every output.
  const toolsStarted = performance.now();
  const timings: Record<string, number> = {};
  const failures = await checkOutputs(generated.map((g) => g.outDir), { routeBudget, testRulesBudget, timings });
  const toolsMs = performance.now() - toolsStarted;
  // A config's failures that no known-failing entry records (a config may have both kinds).
  const unknown = [...failures].map(([i, f]) => [i, isKnown(f) ? [] : f.filter((x) => !knownFailureOf(x, known))] as const).filter(([, f]) => f.length > 0);
  console.log(`fuzz seed ${seed}: ${runs} configs, ${tally.problems} ended in problems, ${tally.generated} generated (${Math.round((100 * tally.generated) / runs)}%), `
    + `${tally.knownInProcess + failures.size - unknown.length} known failures ${JSON.stringify(Object.fromEntries(knownCounts))}; `
    + `in process ${(inProcessMs / 1000).toFixed(1)} s, tools ${(toolsMs / 1000).toFixed(1)} s ${JSON.stringify(timings)} ms`);

  expect(tally.problems + tally.generated + tally.knownInProcess).toBe(runs);
  // The generator must keep reaching the tools: a change that made every config invalid would test nothing.
  expect(tally.generated).toBeGreaterThanOrEqual(runs * 0.3);
  if (unknown.length) {
    const shown = unknown.slice(0, 3).map(([i, f]) => {
      const g = generated[i]!;
      return `run ${g.index} (shrink it: MLMON_FUZZ_SEED=${seed} MLMON_FUZZ_SHRINK=${g.index} npx vitest run test/fuzz/config-fuzz.test.ts):\n${f.map((x) => `  ${x.check}: ${x.message}`).join('\n')}\n${describeCase(g.fuzz)}`;
    });
    // Grouped by check and the first line of the message (its file and line numbers left out), most frequent first.
    const kinds = new Map<string, number>();
    for (const [, f] of unknown) for (const x of f) {
      const kind = `${x.check}: ${x.message.split('\n')[0]}`.replace(/line \d+: /, '').replace(/^(kubernetes\/decoding: )k8s\/[^:]+/, '$1k8s/*').slice(0, 200);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const summary = [...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} × ${k}`).join('\n');
    expect.fail(`${unknown.length} generated outputs were refused by the real tools (${reproduce}):\n${summary}\n\n${shown.join('\n\n')}`);
  }
}, 600_000);
else test(`shrinks run ${shrinkIndex} of seed ${seed} against the real tools`, async () => {
  const known = readKnownFailures();
  let n = 0;
  const result = await fc.check(fc.asyncProperty(fuzzCase, async (fuzz) => {
    const verdict = await checkCase(join(root, `shrink-${n++}`), fuzz.config, fuzz.format);
    // Shrink towards the new failure, not towards one that known-failing.json already records.
    const unknown = verdict.failures.filter((f) => !knownFailureOf(f, known));
    if (unknown.length) throw new Error(unknown.map((f) => `${f.check}: ${f.message}`).join('\n'));
  }), { seed, path: String(shrinkIndex), numRuns: 1 });
  if (result.failed) expect.fail(`shrunk after ${n} runs:\n${String(result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance)}\n${describeCase(result.counterexample![0])}`);
}, 1_800_000);
