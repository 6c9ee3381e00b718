/**
 * The one comparison of out/ with freshly rendered files (src/output/compare.ts), in process. The order of
 * what is reported must not depend on the machine's locale (plain code-unit order, as `git` and `ls` with
 * LC_ALL=C list files).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareOutput, staleFiles } from '../../src/output/compare.js';
import { buildManifest } from '../../src/output/manifest.js';
import { readOutputDir } from '../../src/output/read-output.js';
import { scratchDir } from '../support/fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function scratch(): string {
  const { dir, cleanup } = scratchDir();
  cleanups.push(cleanup);
  return dir;
}

describe('comparing out/ with the rendered files', () => {
  it('lists stale files in code-unit order, upper case before lower case and `_` after both, whatever the locale', () => {
    const out = scratch();
    writeFileSync(join(out, 'b.yml'), 'old\n');
    const files = ['alpha.yml', 'Zeta.yml', '_x.yml', 'b.yml', 'B.yml'].map((path) => ({ path, content: `${path}\n` }));
    const stale = staleFiles(compareOutput(readOutputDir(out, 'out', { paths: files.map((f) => f.path) }), files));
    // localeCompare would give alpha, b, B, _x, Zeta (or another order in another locale).
    expect(stale.map((s) => s.path)).toEqual(['.mlmon-manifest.json', 'B.yml', 'Zeta.yml', '_x.yml', 'alpha.yml', 'b.yml']);
    expect(stale.find((s) => s.path === 'b.yml')?.status).toBe('changed');
  });

  it('reads only mlmon\'s paths of a folder with a manifest, never a path outside it that a manifest names', () => {
    const parent = scratch();
    const out = join(parent, 'out');
    mkdirSync(out);
    writeFileSync(join(parent, 'secret.txt'), 'not yours\n');
    writeFileSync(join(out, 'NOTES.md'), 'the user\'s\n');
    const files = [{ path: 'a.yml', content: 'a: 1\n' }];
    const manifest = JSON.parse(buildManifest(files).content) as { files: Record<string, string> };
    writeFileSync(join(out, '.mlmon-manifest.json'), JSON.stringify({ generator: 'mlmon', files: { ...manifest.files, '../secret.txt': 'x' } }));
    const snapshot = readOutputDir(out, 'out', { paths: ['a.yml'] });
    expect([...snapshot.files.keys()]).toEqual([]);
    const comparison = compareOutput(snapshot, files);
    expect(comparison.differences.map((d) => `${d.status} ${d.path} ${d.artifact?.id}`)).toEqual(['added a.yml undefined']);
    expect(comparison.manifestStatus).toBe('changed');
    expect(comparison.upToDate).toBe(false);
  });

  it('is up to date when every file and the manifest are what generate writes, and tags each difference with its registry entry', () => {
    const out = scratch();
    const files = [{ path: 'prometheus/rules/alerts.yml', content: 'groups: []\n' }];
    mkdirSync(join(out, 'prometheus/rules'), { recursive: true });
    writeFileSync(join(out, files[0]!.path), files[0]!.content);
    writeFileSync(join(out, '.mlmon-manifest.json'), buildManifest(files).content);
    expect(compareOutput(readOutputDir(out, 'out', { paths: ['prometheus/rules/alerts.yml'] }), files).upToDate).toBe(true);
    const changed = compareOutput(readOutputDir(out, 'out'), [{ ...files[0]!, content: 'groups: [ ]\n' }]);
    expect(changed.differences.map((d) => d.artifact?.id)).toEqual(['rule-files']);
  });
});
