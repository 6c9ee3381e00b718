import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateInMemory, type Generated } from '../../src/pipeline.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { normalize } from '../../src/normalize/normalize.js';
import type { MonitoringModel } from '../../src/normalize/model.js';
import { ProblemsFound, type Problem } from '../../src/problems.js';
import { repoRoot } from './tools.js';

/** A scratch folder removed after the test (call the returned cleanup in afterEach/finally). */
export function scratchDir(prefix = 'mlmon-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a JSON config into a scratch folder and runs the in-memory pipeline on it. */
export async function generateFromConfig(config: MonitoringConfig | unknown): Promise<Generated> {
  const { dir, cleanup } = scratchDir();
  try {
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(config));
    return await generateInMemory({ cwd: dir });
  } finally {
    cleanup();
  }
}

/** The problems the pipeline reports for a config (none when it generates). */
export async function problemsOf(config: unknown): Promise<Problem[]> {
  try {
    await generateFromConfig(config);
  } catch (error) {
    if (error instanceof ProblemsFound) return [...error.problems];
    throw error;
  }
  return [];
}

/** Normalizes a config object directly (no file, no checks): for unit tests of renderers. */
export function modelOf(config: MonitoringConfig): MonitoringModel {
  return normalize(config, { configFile: join(repoRoot, 'monitoring.config.json') });
}

/** The repo's own example config, run through the whole in-memory pipeline. */
export function generateExample(): Promise<Generated> {
  return generateInMemory({ cwd: repoRoot });
}

/** Copies the repo's example config into a scratch folder (with nothing else), for CLI tests. */
export function copyExampleTo(dir: string): void {
  cpSync(join(repoRoot, 'monitoring.config.ts'), join(dir, 'monitoring.config.ts'));
}
