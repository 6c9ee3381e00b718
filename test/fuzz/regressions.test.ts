/**
 * The configs fuzzing found mlmon mishandling (test/fixtures/fuzz/<name>/), shrunk, replayed one by one: each
 * must end in well-formed problems or in an output every real tool accepts. Those whose fix belongs to another
 * area are listed in known-failing.json, and for them the test asserts that they still fail the recorded way:
 * when the fix lands the test fails, and the entry is deleted.
 */
import { existsSync, readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkCase } from './check-case.js';
import { fuzzFixturesDir, knownFailureOf, readKnownFailures } from './known-failing.js';

const fixtures = readdirSync(fuzzFixturesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const known = readKnownFailures();
const readme = readFileSync(join(fuzzFixturesDir, 'README.md'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'mlmon-fuzz-replay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('every fixture has a README line, and every known failure a fixture', () => {
  expect(fixtures.length).toBeGreaterThan(0);
  for (const name of fixtures) expect(readme, `README.md line for ${name}`).toContain(`\`${name}\``);
  for (const entry of known) expect(fixtures).toContain(entry.fixture);
});

// Concurrently: most of the time goes to promtool and amtool processes, which the 2 cores can overlap.
describe.concurrent.each(fixtures)('fuzz regression %s', (name) => {
  const entry = known.find((k) => k.fixture === name);
  const file = ['json', 'yaml'].map((ext) => join(fuzzFixturesDir, name, `monitoring.config.${ext}`)).find((f) => existsSync(f))!;
  const format = file.endsWith('.json') ? 'json' : 'yaml';

  test(entry ? `still fails as recorded in known-failing.json (${entry.check}, until ${entry.area} is fixed)` : 'ends in problems or in output the real tools accept', async () => {
    const config = format === 'json' ? JSON.parse(readFileSync(file, 'utf8')) : (await import('yaml')).parse(readFileSync(file, 'utf8'));
    const verdict = await checkCase(join(root, name), config, format);
    if (entry) {
      expect(verdict.failures.filter((f) => knownFailureOf(f, [entry])).length, `the recorded failure among ${JSON.stringify(verdict.failures)}`).toBeGreaterThan(0);
      expect(verdict.failures.filter((f) => !knownFailureOf(f, known)), 'failures that no entry records').toEqual([]);
    } else {
      expect(verdict.failures.map((f) => `${f.check}: ${f.message}`)).toEqual([]);
      expect(['problems', 'generated']).toContain(verdict.outcome);
    }
  }, 120_000);
});
