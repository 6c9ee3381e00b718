/**
 * The one comparison of out/ with freshly rendered files (src/output/compare.ts), in process. The order of
 * what is reported must not depend on the machine's locale (plain code-unit order, as `git` and `ls` with
 * LC_ALL=C list files).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareOutput, staleFiles } from '../../src/output/compare.js';
import { diffOutput } from '../../src/output/diff.js';
import { buildManifest, sha256 } from '../../src/output/manifest.js';
import { writeOutput } from '../../src/output/write.js';
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

describe('comparing by digest (generate) and by text (diff)', () => {
  // One folder with every kind of difference: unchanged, changed, hand-edited and overwritten, hand-edited and
  // removed, removed, missing, a file the manifest doesn't list, a non-ASCII file and one larger than the 1 MiB
  // chunk sha256OfFile reads in.
  function folder() {
    const out = scratch();
    const big = `${'x: 1\n'.repeat(300_000)}é\n`;
    const before = [
      { path: 'same.yml', content: 'a: 1\n' },
      { path: 'changed.yml', content: 'a: 1\n' },
      { path: 'edited.yml', content: 'a: 1\n' },
      { path: 'edited-gone.yml', content: 'a: 1\n' },
      { path: 'gone.yml', content: 'a: 1\n' },
      { path: 'ünïcode.yml', content: 'name: «model» 🚀\n' },
      { path: 'big.yml', content: big },
    ];
    mkdirSync(out, { recursive: true });
    for (const file of before) writeFileSync(join(out, file.path), file.content);
    writeFileSync(join(out, '.mlmon-manifest.json'), buildManifest(before).content);
    writeFileSync(join(out, 'edited.yml'), 'a: 2 # by hand\n');
    writeFileSync(join(out, 'edited-gone.yml'), 'a: 2 # by hand\n');
    writeFileSync(join(out, 'unlisted.yml'), 'the user\'s\n');
    const files = [
      { path: 'same.yml', content: 'a: 1\n' },
      { path: 'changed.yml', content: 'a: 3\n' },
      { path: 'edited.yml', content: 'a: 1\n' },
      { path: 'ünïcode.yml', content: 'name: «model» 🚀\n' },
      { path: 'big.yml', content: big },
      { path: 'new.yml', content: 'a: 1\n' },
    ];
    return { out, files };
  }
  const summary = (c: ReturnType<typeof compareOutput>) => ({
    differences: c.differences.map((d) => `${d.status} ${d.path}`),
    handEdits: c.handEdits.map((e) => `${e.nextGenerate} ${e.path}`),
    manifest: c.manifestStatus,
    upToDate: c.upToDate,
  });

  it('finds the same differences and hand edits from the digests as from the text', () => {
    const { out, files } = folder();
    const paths = { paths: files.map((f) => f.path) };
    const byText = compareOutput(readOutputDir(out, 'out', paths), files);
    const byDigest = compareOutput(readOutputDir(out, 'out', { ...paths, holds: 'sha256' }), files);
    expect(summary(byText)).toEqual({
      differences: ['changed changed.yml', 'removed edited-gone.yml', 'changed edited.yml', 'removed gone.yml', 'added new.yml'],
      handEdits: ['removes edited-gone.yml', 'overwrites edited.yml'],
      manifest: 'changed',
      upToDate: false,
    });
    expect(summary(byDigest)).toEqual(summary(byText));
  });

  it('holds each file\'s SHA-256, the manifest\'s hash of the same text, not the text', () => {
    const { out, files } = folder();
    const snapshot = readOutputDir(out, 'out', { paths: files.map((f) => f.path), holds: 'sha256' });
    const recorded = (JSON.parse(buildManifest(files).content) as { files: Record<string, string> }).files;
    for (const path of ['same.yml', 'ünïcode.yml', 'big.yml']) expect(snapshot.files.get(path)).toBe(recorded[path]);
    expect(snapshot.files.get('edited.yml')).toBe(sha256('a: 2 # by hand\n'));
    expect(snapshot.files.get('edited.yml')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is up to date by digest once generate has written the folder', () => {
    const { out, files } = folder();
    writeOutput(out, files);
    expect(summary(compareOutput(readOutputDir(out, 'out', { paths: files.map((f) => f.path), holds: 'sha256' }), files)).upToDate).toBe(true);
    expect(existsSync(join(out, 'gone.yml'))).toBe(false);
    expect(readFileSync(join(out, 'unlisted.yml'), 'utf8')).toBe('the user\'s\n');
  });

  it('refuses to describe a change from digests: diff needs the text', () => {
    const { out, files } = folder();
    const snapshot = readOutputDir(out, 'out', { holds: 'sha256' });
    expect(() => diffOutput(snapshot, files, { before: 'a', after: 'b' })).toThrow(/needs the text of out/);
  });
});
