/**
 * The integrations section of the benchmark (bench/integrations.mjs) works: its workload runs every model server
 * and the DCGM pack, generates at two small sizes, and its alert count is the same at both. Counts only; how
 * fast mlmon is, the benchmark itself judges (`npm run bench`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';
// @ts-expect-error: plain .mjs bench scripts without type declarations
import { buildIntegrationWorkload, serverOfService } from '../../bench/integrations.mjs';
// @ts-expect-error: plain .mjs bench scripts without type declarations
import { buildWorkload } from '../../bench/workload.mjs';

interface Rules { alerting: number; recording: number; alerts: Record<string, number>; byIntegration: Record<'vllm' | 'triton' | 'kserve' | 'dcgm', number> }
interface SizeResult { models: number; services: number; servers: Record<'vllm' | 'triton' | 'kserve', number>; coldMs: number; files: number; bytes: number; rules: Rules; error?: string }
interface Results { sizes: SizeResult[]; targets: { id: string; status: string; description: string; measured: string }[] }
type Config = { services: Record<string, { integration?: Record<string, { version: string }> }>; models: Record<string, { service: string; thresholds?: Record<string, unknown> }>; infrastructure: { gpus?: { dcgm?: unknown } } };

const sizes = [10, 30] as const;
const scratch = scratchDir('mlmon-bench-integrations-test-');
const resultsFile = join(scratch.dir, 'results', 'integrations.json');
let results: Results;
let stdout: string;

beforeAll(async () => {
  const run = await execa(process.execPath, ['bench/integrations.mjs', '--sizes', sizes.join(','), '--runs', '1', '--results', resultsFile, '--scratch', join(scratch.dir, 'work')], {
    cwd: repoRoot,
    reject: false,
    timeout: 240_000,
    forceKillAfterDelay: 2_000,
  });
  stdout = run.stdout;
  if (run.exitCode !== 0) throw new Error(`bench/integrations.mjs exited ${run.exitCode}:\n${run.stderr}\n${run.stdout}`);
  results = JSON.parse(readFileSync(resultsFile, 'utf8')) as Results;
}, 300_000);

afterAll(() => scratch.cleanup());

describe('the integrations workload', () => {
  it.each([10, 1000])('runs vLLM, Triton and KServe on services 1, 2 and 3 of every ten, and the DCGM pack, at %i models', (models) => {
    const config = buildIntegrationWorkload(models) as Config;
    const services = Object.values(config.services);
    services.forEach((service, s) => expect(service.integration).toEqual(serverOfService(s)));
    // 4 services at 10 models (one plain, one per server), 100 at 1,000 (10 per server).
    const perServer = models === 10 ? 1 : 10;
    for (const name of ['vllm', 'triton', 'kserve']) expect(services.filter((s) => s.integration?.[name]).length, name).toBe(perServer);
    expect(services.filter((s) => !s.integration)).toHaveLength(services.length - 3 * perServer);
    expect(config.infrastructure.gpus?.dcgm).toBeDefined();
    // Some models of the servers' services carry their server's own thresholds, and some switch one off.
    const serverKeys = Object.values(config.models).flatMap((m) => Object.keys(m.thresholds ?? {}).filter((k) => /Vllm|Triton|Kserve/.test(k)));
    expect(serverKeys.length).toBeGreaterThan(0);
    expect(Object.keys(config.models)).toHaveLength(models);
  });

  it('leaves the plain workload as it was: one service at 10 models, no integration, no GPU pack', () => {
    const plain = buildWorkload(10) as Config;
    expect(Object.keys(plain.services)).toHaveLength(1);
    expect(Object.values(plain.services).some((s) => s.integration)).toBe(false);
    expect(plain.infrastructure.gpus).toBeUndefined();
    expect(buildWorkload(1000)).toEqual(buildWorkload(1000));
    expect(buildIntegrationWorkload(1000)).toEqual(buildIntegrationWorkload(1000));
  });
});

describe('the integrations section on fleets of 10 and 30 models', () => {
  it('generates every size, with alerts from every model server and the GPU pack', () => {
    expect(results.sizes.map((s) => s.models)).toEqual([...sizes]);
    for (const size of results.sizes) {
      expect(size.error).toBeUndefined();
      expect(size.files).toBeGreaterThan(0);
      expect(size.bytes).toBeGreaterThan(0);
      expect(size.servers).toEqual({ vllm: 1, triton: 1, kserve: 1 });
      for (const name of ['vllm', 'triton', 'kserve', 'dcgm'] as const) expect(size.rules.byIntegration[name], name).toBeGreaterThan(0);
      expect(size.rules.alerts).toHaveProperty('VllmQueueBacklog', 1);
      expect(size.rules.alerts).toHaveProperty('TritonQueueTimeHigh', 1);
      expect(size.rules.alerts).toHaveProperty('KservePredictLatencyHigh', 1);
      expect(size.rules.alerts).toHaveProperty('GpuFatalXid', 1);
      expect(Object.values(size.rules.alerts).reduce((sum, n) => sum + n, 0)).toBe(size.rules.alerting);
    }
  });

  it('writes as many alerting rules, the same alerts, at 30 models as at 10, and more recording rules (threshold series)', () => {
    const [ten, thirty] = sizes.map((models) => results.sizes.find((s) => s.models === models)!);
    expect(thirty!.rules.alerting).toBe(ten!.rules.alerting);
    expect(thirty!.rules.alerts).toEqual(ten!.rules.alerts);
    expect(thirty!.rules.recording).toBeGreaterThan(ten!.rules.recording);
  });

  it('judges the targets: the sizes not run are n/a, the flat alert count passes, and each is printed', () => {
    expect(results.targets.map((t) => [t.id, t.status])).toEqual([
      ['integrations-generate-1000', 'n/a'],
      ['integrations-generate-10000', 'n/a'],
      ['integrations-alert-rules-constant', 'PASS'],
    ]);
    for (const target of results.targets) expect(stdout).toContain(`${target.status.padEnd(4)}  ${target.description}`);
    expect(stdout).toMatch(/^\s*models\s+services\s+vLLM \/ Triton \/ KServe\s+cold/m);
  });
});
