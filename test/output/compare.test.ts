/**
 * How out/ is compared with freshly rendered files, in process: the order of what is reported must not depend
 * on the machine's locale (plain code-unit order, as `git` and `ls` with LC_ALL=C list files).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareWithOutput } from '../../src/output/compare.js';
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
    const stale = compareWithOutput(out, files);
    // localeCompare would give alpha, b, B, _x, Zeta (or another order in another locale).
    expect(stale.map((s) => s.path)).toEqual(['.mlmon-manifest.json', 'B.yml', 'Zeta.yml', '_x.yml', 'alpha.yml', 'b.yml']);
    expect(stale.find((s) => s.path === 'b.yml')?.status).toBe('changed');
  });
});
