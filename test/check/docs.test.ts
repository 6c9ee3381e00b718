import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRegistry } from '../../src/check/registry.js';
import { checkMetricsProblemIds } from '../../src/metrics/check.js';
import { repoRoot } from '../support/tools.js';

const headings = [...readFileSync(join(repoRoot, 'docs/checks.md'), 'utf8').matchAll(/^### (\S+)$/gm)].map((m) => m[1]!);
const checkIds = checkRegistry.map((c) => c.id);
const problemIds = [...new Set([...checkRegistry.flatMap((c) => Object.keys(c.emits)), ...checkMetricsProblemIds])];

describe('docs/checks.md', () => {
  it('has a heading for every registered check id, which is its anchor', () => {
    expect(checkIds.length).toBeGreaterThanOrEqual(15);
    expect(checkIds.filter((id) => !headings.includes(id))).toEqual([]);
  });

  it('has a heading for every problem id a registered check can report', () => {
    expect(problemIds.length).toBeGreaterThan(40);
    expect(problemIds.filter((id) => !headings.includes(id)).sort()).toEqual([]);
  });

  it('has no heading that belongs to no check and no problem id, and none twice', () => {
    const known = new Set([...checkIds, ...problemIds]);
    expect(headings.filter((h) => !known.has(h))).toEqual([]);
    expect(headings.filter((h, i) => headings.indexOf(h) !== i)).toEqual([]);
  });

  it('registers each check id once', () => {
    expect(checkIds.filter((id, i) => checkIds.indexOf(id) !== i)).toEqual([]);
  });
});
