/**
 * The generated SLO proofs pass in promtool for the example, and they prove something: a tier's factor or an
 * objective nudged by hand in the generated rules fails them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generateExample, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

const run = promisify(execFile);
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function writtenExample(): Promise<string> {
  const { dir, cleanup } = scratchDir('mlmon-slo-proofs-');
  cleanups.push(cleanup);
  for (const file of (await generateExample()).files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  return dir;
}

async function sloProofs(dir: string): Promise<{ ok: boolean; output: string }> {
  const testDir = join(dir, 'prometheus/tests');
  const files = readdirSync(testDir).filter((f) => f.startsWith('slo'));
  expect(files.length).toBeGreaterThan(0);
  try {
    const { stdout, stderr } = await run(tool('promtool'), ['test', 'rules', ...files], { cwd: testDir });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('the SLO proofs', () => {
  it('pass in promtool for the example: every tier fires past its factor and not below, the guard and the absent alert', async () => {
    const dir = await writtenExample();
    const testDir = join(dir, 'prometheus/tests');
    const tests = readdirSync(testDir).filter((f) => f.startsWith('slo')).map((f) => readFileSync(join(testDir, f), 'utf8')).join('\n');
    for (const tier of ['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow']) {
      expect(tests).toContain(`fires at the ${tier} tier's burn rate`);
      expect(tests).toContain(`stay silent just below the ${tier} tier's burn rate`);
    }
    expect(tests).toContain('page no one while a page window holds fewer than 100 events');
    expect(tests).toContain('SLOIndicatorMissing fires for the listed');
    const result = await sloProofs(dir);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.ok).toBe(true);
  }, 600_000);

  it('fail when a tier\'s factor or an objective is nudged by 0.5% in the generated rules', async () => {
    const dir = await writtenExample();
    const path = join(dir, 'prometheus/rules/thresholds.yml');
    const rules = readFileSync(path, 'utf8');
    // The page-fast factor of the example's 28-day policy, 13.44.
    expect(rules).toContain('expr: vector(13.44)');
    writeFileSync(path, rules.replace('expr: vector(13.44)', 'expr: vector(13.5072)'));
    expect((await sloProofs(dir)).ok).toBe(false);
    writeFileSync(path, rules.replace('expr: vector(0.995)', 'expr: vector(0.995025)'));
    expect((await sloProofs(dir)).ok).toBe(false);
  }, 900_000);
});
