/**
 * Golden files: every rendered file, for the example and for each fixture config, compared to the letter.
 * Update them with `npm run test:update-goldens` (never automatically), then review the diff.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest, manifestName } from '../../src/output/manifest.js';
import { generateInMemory } from '../../src/pipeline.js';
import { generateExample } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const update = process.env.MLMON_UPDATE_GOLDENS === '1';
const fixturesDir = join(repoRoot, 'test/fixtures/render');

// The banner names mlmon's version; goldens must not change with every release.
const maskVersion = (text: string) => text.replace(/mlmon \d+\.\d+\.\d+(-[\w.]+)?/g, 'mlmon <version>');

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('the committed out/ folder', () => {
  it('is exactly what `mlmon generate` writes for monitoring.config.ts (regenerate and commit when this fails)', async () => {
    const { files } = await generateExample();
    const outDir = join(repoRoot, 'out');
    for (const file of [...files, buildManifest(files)]) {
      expect(existsSync(join(outDir, file.path)), `${file.path} is missing from out/`).toBe(true);
      expect(readFileSync(join(outDir, file.path), 'utf8'), `out/${file.path} is stale`).toBe(file.content);
    }
    const generated = new Set([...files.map((f) => f.path), manifestName]);
    expect(listFiles(outDir).filter((p) => !generated.has(p)), 'out/ holds files mlmon no longer generates').toEqual([]);
  });
});

describe('golden files', () => {
  for (const name of readdirSync(fixturesDir).sort()) {
    it(`match what the "${name}" config renders, file by file`, async () => {
      const caseDir = join(fixturesDir, name);
      const expectedDir = join(caseDir, 'expected');
      const { files } = await generateInMemory({ cwd: caseDir });
      if (update) {
        rmSync(expectedDir, { recursive: true, force: true });
        for (const file of files) {
          mkdirSync(dirname(join(expectedDir, file.path)), { recursive: true });
          writeFileSync(join(expectedDir, file.path), maskVersion(file.content));
        }
      }
      expect(files.map((f) => f.path)).toEqual(listFiles(expectedDir));
      for (const file of files) {
        expect(maskVersion(file.content), file.path).toBe(readFileSync(join(expectedDir, file.path), 'utf8'));
      }
    });
  }
});
