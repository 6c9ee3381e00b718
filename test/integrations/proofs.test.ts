/**
 * The generated promtool proofs of every integration alert (breach and calm), run by the pinned promtool on
 * the generated rule files, for a config with a vLLM, a Triton and a KServe service: what `mlmon validate`
 * runs as promtool/test-rules.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { serviceIntegrations } from '../../src/catalog/integrations/index.js';
import type { Generated } from '../../src/pipeline.js';
import { generateFromConfig, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

const config = {
  services: {
    llm: { discovery: { kubernetesPods: { namespaces: ['llm'] } }, integration: { vllm: { version: '0.12' } } },
    vision: { discovery: { staticTargets: ['vision:8002'] }, integration: { triton: { version: '25.01' } }, thresholds: { maxTritonGpuMemoryUsage: 0.8 } },
    scorer: { discovery: { kubernetesPods: { namespaces: ['kserve'] } }, integration: { kserve: { version: '0.14' } }, thresholds: { maxRevisionErrorRatio: false } },
    ranker: { discovery: { kubernetesPods: { namespaces: ['kserve'] } }, integration: { kserve: { version: '0.13' } }, thresholds: { maxRevisionLatencyP95Seconds: 0.25 } },
  },
  defaults: { modelThresholds: { maxVllmPreemptionsPerSecond: 0.5 } },
  models: {
    chat: { service: 'llm', thresholds: { maxVllmTtftP95Seconds: 1, maxVllmKvCacheUsage: false } },
    coder: { service: 'llm', team: 'dev-tools', thresholds: { minVllmPrefixCacheHitRatio: 0.5 } },
    detector: { service: 'vision', thresholds: { maxTritonQueueSeconds: 0.02 } },
    scorer: { service: 'scorer' },
  },
};

let generated: Generated;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  generated = await generateFromConfig(config);
  ({ dir, cleanup } = scratchDir('mlmon-integration-proofs-'));
  for (const file of generated.files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
});

afterAll(() => cleanup?.());

describe('the integration alerts\' proofs', () => {
  it('include a breach and a calm proof of every integration alert', () => {
    const names = generated.files.filter((f) => f.path.startsWith('prometheus/tests/'))
      .flatMap((f) => ((parseYaml(f.content) as { tests: { name: string }[] }).tests ?? []).map((t) => t.name));
    for (const integration of serviceIntegrations) {
      for (const alert of integration.alerts) {
        const own = names.filter((n) => n.startsWith(`${alert.name} `));
        expect(own.some((n) => n.includes('fires')), `${alert.name} breach proof`).toBe(true);
        expect(own.some((n) => n.includes('silent')), `${alert.name} calm proof`).toBe(true);
      }
    }
  });

  it('pass under promtool test rules', () => {
    const testFiles = generated.files.filter((f) => f.path.startsWith('prometheus/tests/') && f.path.endsWith('.test.yml')).map((f) => join(dir, f.path));
    expect(testFiles.length).toBeGreaterThan(0);
    const result = spawnSync(tool('promtool'), ['test', 'rules', ...testFiles], { encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/FAILED/);
    expect(result.status).toBe(0);
  }, 600_000);
});
