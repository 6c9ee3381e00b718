/**
 * The benchmark still works: `bench/run.mjs` runs end to end on two tiny fleets and writes results of the
 * expected shape with plausible values. Nothing here is timed — how fast mlmon is, the benchmark itself
 * judges (`npm run bench`); a test that failed on a busy machine would prove nothing about mlmon.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

interface ValidateCell {
  status: string;
  medianMs?: number;
}

interface SizeResult {
  models: number;
  services: number;
  teams: number;
  configBytes: { typescript: number; json: number };
  generate: { firstMs: number; coldMs: number; warmMs: number; coldRunsMs: number[]; warmRunsMs: number[]; peakRssBytes: number };
  stages: Record<'startup' | 'load' | 'loadJson' | 'validate' | 'normalize' | 'render' | 'write', number>;
  output: { files: number; bytes: number; rules: { alerting: number; recording: number; perFile: Record<string, { alerting: number; recording: number }> } };
  validate: { skipExternal: ValidateCell; external: ValidateCell };
  proofs: { status: string; reason?: string };
  validateSteps: { status: string; reason?: string };
}

interface BenchResults {
  schemaVersion: number;
  machine: { nproc: number; cpuModel: string; node: string };
  options: { sizes: number[]; runs: number; external: boolean };
  help: { medianMs: number; runsMs: number[]; nodeStartupMedianMs: number };
  validate: { available: boolean };
  sizes: SizeResult[];
  targets: { id: string; status: string; description: string; measured: string }[];
  integrations?: { sizes: { models: number; rules: { alerting: number } }[]; targets: { id: string; status: string }[] };
}

const sizes = [10, 20] as const;
const scratch = scratchDir('mlmon-bench-test-');
const resultsFile = join(scratch.dir, 'results', 'bench.json');
let results: BenchResults;
let stdout: string;

beforeAll(async () => {
  // Two sizes so that "the alert count does not grow with N" is a comparison, not a tautology.
  const run = await execa(process.execPath, ['bench/run.mjs', '--sizes', sizes.join(','), '--runs', '1', '--no-external', '--settle', '0', '--results', resultsFile, '--scratch', join(scratch.dir, 'work')], {
    cwd: repoRoot,
    reject: false,
    timeout: 240_000,
    forceKillAfterDelay: 2_000,
  });
  stdout = run.stdout;
  if (run.exitCode !== 0) throw new Error(`bench/run.mjs exited ${run.exitCode}:\n${run.stderr}\n${run.stdout}`);
  results = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
}, 300_000);

afterAll(() => scratch.cleanup());

describe('the benchmark runner on fleets of 10 and 20 models', () => {
  it('writes results for exactly the sizes asked for, with the options it ran with', () => {
    expect(results.schemaVersion).toBe(1);
    expect(results.sizes.map((s) => s.models)).toEqual([...sizes]);
    expect(results.options).toMatchObject({ sizes: [...sizes], runs: 1, external: false });
  });

  it('describes the machine it ran on', () => {
    expect(results.machine.nproc).toBeGreaterThan(0);
    expect(results.machine.cpuModel.length).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
  });

  it.each(sizes)('measures generate for %i models as a process: cold and warm wall times and a peak RSS', (models) => {
    const size = results.sizes.find((s) => s.models === models)!;
    expect(size.generate.coldRunsMs).toHaveLength(1);
    expect(size.generate.warmRunsMs).toHaveLength(1);
    expect(size.generate.firstMs).toBeGreaterThan(0);
    expect(size.generate.coldMs).toBeGreaterThan(0);
    expect(size.generate.warmMs).toBeGreaterThan(0);
    // Any node process holds more than 10 MB and a small generate far less than 4 GB.
    expect(size.generate.peakRssBytes).toBeGreaterThan(10e6);
    expect(size.generate.peakRssBytes).toBeLessThan(4e9);
  });

  it.each(sizes)('times every stage in process for %i models', (models) => {
    const size = results.sizes.find((s) => s.models === models)!;
    for (const stage of ['startup', 'load', 'loadJson', 'validate', 'normalize', 'render', 'write'] as const) {
      expect(size.stages[stage], stage).toBeGreaterThan(0);
      // Milliseconds, like the process times: a unit mix-up (seconds, microseconds) would land far outside.
      expect(size.stages[stage], stage).toBeLessThan(Math.max(size.generate.coldMs, size.generate.warmMs) * 20);
    }
  });

  it.each(sizes)('counts the output of %i models: files, bytes, and alerting and recording rules', (models) => {
    const size = results.sizes.find((s) => s.models === models)!;
    expect(size.output.files).toBeGreaterThan(0);
    expect(size.output.bytes).toBeGreaterThan(0);
    expect(size.output.rules.alerting).toBeGreaterThan(0);
    expect(size.output.rules.recording).toBeGreaterThan(0);
    const perFile = Object.values(size.output.rules.perFile);
    expect(perFile.reduce((sum, f) => sum + f.alerting, 0)).toBe(size.output.rules.alerting);
    expect(perFile.reduce((sum, f) => sum + f.recording, 0)).toBe(size.output.rules.recording);
  });

  it('generates the same number of alerting rules for 20 models as for 10, and more threshold series', () => {
    const [ten, twenty] = sizes.map((models) => results.sizes.find((s) => s.models === models)!);
    expect(twenty!.output.rules.alerting).toBe(ten!.output.rules.alerting);
    expect(twenty!.output.rules.recording).toBeGreaterThan(ten!.output.rules.recording);
    expect(twenty!.configBytes.typescript).toBeGreaterThan(ten!.configBytes.typescript);
  });

  it('records validate as measured, not available or skipped, never as a crash of the runner', () => {
    for (const size of results.sizes) {
      expect(['ok', 'problems', 'failed', 'not available']).toContain(size.validate.skipExternal.status);
      expect(size.validate.external.status).toBe(results.validate.available ? 'skipped' : 'not available');
      if (results.validate.available) expect(size.validate.skipExternal.medianMs).toBeGreaterThan(0);
      // The proof files and validate's steps are timed with the tools, so not under --no-external.
      expect(size.proofs.status).toBe('skipped');
      expect(size.validateSteps.status).toBe('skipped');
    }
  });

  it('times mlmon --help over several runs', () => {
    expect(results.help.runsMs.length).toBeGreaterThanOrEqual(5);
    expect(results.help.medianMs).toBeGreaterThan(0);
    expect(results.help.nodeStartupMedianMs).toBeGreaterThan(0);
  });

  it('judges every target, and the alert count target passes', () => {
    expect(results.targets.map((t) => t.id)).toEqual(['generate-1000', 'generate-10000', 'stages-linear', 'rss-10000', 'help', 'proof-shards-1000', 'validate-steps-1000', 'alert-rules-constant']);
    for (const target of results.targets) expect(['PASS', 'MISS', 'n/a']).toContain(target.status);
    // Sizes it did not run are not guessed at.
    expect(results.targets.find((t) => t.id === 'generate-1000')!.status).toBe('n/a');
    expect(results.targets.find((t) => t.id === 'proof-shards-1000')!.status).toBe('n/a');
    expect(results.targets.find((t) => t.id === 'validate-steps-1000')!.status).toBe('n/a');
    expect(results.targets.find((t) => t.id === 'alert-rules-constant')!.status).toBe('PASS');
  });

  it('runs the integrations section at the same sizes, its alert count flat', () => {
    expect(results.integrations!.sizes.map((s) => s.models)).toEqual([...sizes]);
    expect(results.integrations!.targets.find((t) => t.id === 'integrations-alert-rules-constant')!.status).toBe('PASS');
    expect(stdout).toMatch(/^\s*models\s+services\s+vLLM \/ Triton \/ KServe\s+cold/m);
  });

  it('prints the tables and a PASS/MISS line per target, and writes the Markdown report beside the JSON', () => {
    expect(stdout).toMatch(/^\s*models\s+services\s+teams\s+first run\s+cold\s+warm/m);
    expect(stdout).toMatch(/^\s+20\s+2\s+3\s/m);
    for (const target of results.targets) expect(stdout).toContain(`${target.status.padEnd(4)}  ${target.description}`);
    const markdown = join(scratch.dir, 'results', 'bench.md');
    expect(existsSync(markdown)).toBe(true);
    expect(readFileSync(markdown, 'utf8')).toContain('| models | services | teams | first run | cold | warm |');
  });
});
