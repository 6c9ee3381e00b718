import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/tools.js';

describe('docs/checks.md', () => {
  it('documents every check id the source can report, under a heading that is its anchor', () => {
    const sources = readdirSync(join(repoRoot, 'src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
      .join('\n');
    const ids = new Set([...sources.matchAll(/id: '([a-z]+\/[a-z-]+)'/g), ...sources.matchAll(/'((?:promql|rules|secrets|tools|promtool|amtool)\/[a-z-]+)'/g)].map((m) => m[1]!));
    // Built from a kind (`config/unknown-${kind}`): the kinds it is called with.
    for (const kind of ['receiver', 'service', 'alert']) ids.add(`config/unknown-${kind}`);
    expect(ids.size).toBeGreaterThan(30);
    const headings = new Set([...readFileSync(join(repoRoot, 'docs/checks.md'), 'utf8').matchAll(/^### (\S+)$/gm)].map((m) => m[1]!));
    expect([...ids].filter((id) => !headings.has(id)).sort()).toEqual([]);
  });
});
