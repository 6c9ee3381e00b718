/**
 * Failures that fuzzing found in parts of mlmon being fixed elsewhere (test/fixtures/fuzz/known-failing.json).
 * Each entry names a regression fixture and the failure it shows today; the replay test asserts the fixture still
 * fails that way, and the fuzz test counts matching failures instead of failing on them. When a fix lands, the
 * replay test fails for its entry: delete the entry, and the fixture then has to pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/tools.js';
import type { ToolFailure } from './tool-checks.js';

export interface KnownFailure {
  /** Folder under test/fixtures/fuzz/. */
  readonly fixture: string;
  /** The area (and helper) whose fix makes it pass. */
  readonly area: string;
  /** The check that fails, as in ToolFailure.check: a regular expression (`promtool/(check-rules|test-rules)`). */
  readonly check: string;
  /** A regular expression the failure's message matches. */
  readonly match: string;
}

export const fuzzFixturesDir = join(repoRoot, 'test/fixtures/fuzz');

export function readKnownFailures(): KnownFailure[] {
  return (JSON.parse(readFileSync(join(fuzzFixturesDir, 'known-failing.json'), 'utf8')) as { known: KnownFailure[] }).known;
}

/** The entry a failure is an instance of, if any. */
export function knownFailureOf(failure: ToolFailure, known: readonly KnownFailure[]): KnownFailure | undefined {
  return known.find((k) => new RegExp(`^(?:${k.check})$`).test(failure.check) && new RegExp(k.match, 's').test(failure.message));
}
