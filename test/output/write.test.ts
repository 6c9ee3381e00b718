import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeOutput } from '../../src/output/write.js';
import { CouldNotRun } from '../../src/problems.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { generateExample, scratchDir } from '../support/fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function scratch(): string {
  const { dir, cleanup } = scratchDir();
  cleanups.push(cleanup);
  return dir;
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e): [string, string] => [join(e.parentPath, e.name).slice(dir.length + 1), readFileSync(join(e.parentPath, e.name), 'utf8')])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

describe('writing out/', () => {
  it('renders byte-identical files from the same config, in a stable order', async () => {
    const first = await generateExample();
    const second = await generateExample();
    expect(second.files).toEqual(first.files);
    expect(first.files.map((f) => f.path)).toEqual([...first.files.map((f) => f.path)].sort());
    for (const file of first.files) expect(file.content).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:/);
  });

  it('changes nothing when run twice', async () => {
    const out = scratch();
    const { files } = await generateExample();
    const first = writeOutput(out, files);
    const before = snapshot(out);
    const second = writeOutput(out, files);
    expect(first.written.length).toBe(files.length);
    expect(second.written).toEqual([]);
    expect(second.unchanged.length).toBe(files.length);
    expect(snapshot(out)).toEqual(before);
  });

  it('removes files it generated before and no longer generates, and never touches anything else', () => {
    const out = scratch();
    const a: RenderedFile = { path: 'prometheus/a.yml', content: 'a: 1\n' };
    const b: RenderedFile = { path: 'extra/b.yml', content: 'b: 1\n' };
    writeOutput(out, [a, b]);
    writeFileSync(join(out, 'README.md'), 'mine');
    mkdirSync(join(out, 'extra/notes'), { recursive: true });
    writeFileSync(join(out, 'extra/notes/keep.txt'), 'mine too');
    const result = writeOutput(out, [a]);
    expect(result.removed).toEqual(['extra/b.yml']);
    expect(existsSync(join(out, 'extra/b.yml'))).toBe(false);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'extra/notes/keep.txt'), 'utf8')).toBe('mine too');
  });

  it('leaves out/ exactly as it was when a write fails part-way', () => {
    const out = scratch();
    writeOutput(out, [{ path: 'a/one.yml', content: 'one: 1\n' }, { path: 'b/two.yml', content: 'two: 2\n' }]);
    // A file stands where the next output needs a folder: the second file can't be staged after the first
    // one was, and neither may reach out/.
    writeFileSync(join(out, 'blocker'), 'not a folder');
    const before = snapshot(out);
    const failing = () => writeOutput(out, [
      { path: 'a/one.yml', content: 'one: CHANGED\n' },
      { path: 'blocker/two.yml', content: 'two: 2\n' },
    ]);
    expect(failing).toThrow(CouldNotRun);
    expect(snapshot(out)).toEqual(before);
  });

  it('names a generated file that was edited by hand when it overwrites it', () => {
    const out = scratch();
    const file: RenderedFile = { path: 'alertmanager/alertmanager.yml', content: 'route: {}\n' };
    writeOutput(out, [file]);
    writeFileSync(join(out, file.path), 'route: {receiver: hand-edit}\n');
    const result = writeOutput(out, [file]);
    expect(result.overwrittenHandEdits).toEqual(['alertmanager/alertmanager.yml']);
    expect(result.removedHandEdits).toEqual([]);
    expect(readFileSync(join(out, file.path), 'utf8')).toBe('route: {}\n');
  });

  it('names a hand-edited file it removes because the config no longer generates it, and not an edit that matches', () => {
    const out = scratch();
    const kept: RenderedFile = { path: 'a.yml', content: 'a: 1\n' };
    const dropped: RenderedFile = { path: 'b.yml', content: 'b: 1\n' };
    writeOutput(out, [kept, dropped]);
    writeFileSync(join(out, 'b.yml'), 'b: hand\n');
    writeFileSync(join(out, 'a.yml'), 'a: 2\n');
    const result = writeOutput(out, [{ path: 'a.yml', content: 'a: 2\n' }]);
    expect(result.removedHandEdits).toEqual(['b.yml']);
    expect(result.overwrittenHandEdits).toEqual([]);
  });

  it('refuses a path that would escape the output folder', () => {
    const out = scratch();
    expect(() => writeOutput(out, [{ path: '../escape.yml', content: 'x' }])).toThrow(/outside/);
  });
});
