/**
 * Unified diffs of generated files, made with jsdiff (`diff`).
 *
 * A fleet's thresholds file has ~80,000 lines, and jsdiff spends ~200 ms tokenising and searching it even for
 * a one-line change. The lines the two versions share at the start and the end can't be part of any change,
 * so only the middle (plus the context lines around it) goes to jsdiff, and the hunks are moved back to
 * their real line numbers.
 *
 * jsdiff's search grows with the square of the number of changed lines (3,000 changed lines of 12,000: 3 s),
 * so it is given up after `maxEditLength` edits. Then, when both middles have as many lines (every team
 * renamed, every threshold raised: lines changed in place), the lines are compared one by one; otherwise
 * the middle is shown replaced whole. Either is a correct patch.
 */
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch, type StructuredPatch, type StructuredPatchHunk } from 'diff';

/** As git and GNU diff -u (jsdiff would give four). */
const contextLines = 3;
/** Changed lines (an insertion or a removal each) jsdiff searches before giving up: ~50 ms on 12,000 lines. */
const defaultMaxEditLength = 400;

export interface PatchLabels {
  /** Shown after the old file's name: `out`, `out at origin/main`. */
  readonly before: string;
  readonly after: string;
}

/** A unified diff of one file; `undefined` content means the file doesn't exist on that side. */
export function unifiedPatch(path: string, before: string | undefined, after: string | undefined, labels: PatchLabels, options: { maxEditLength?: number } = {}): string {
  const a = before ?? '';
  const b = after ?? '';
  // The shared start, back to the start of the line where the texts first differ.
  let first = 0;
  const shorter = Math.min(a.length, b.length);
  while (first < shorter && a.charCodeAt(first) === b.charCodeAt(first)) first++;
  const prefixEnd = lineStartOf(a, first);
  // The shared end, forward to the first line that starts inside it; it never reaches into the prefix.
  let shared = 0;
  while (shared < a.length - prefixEnd && shared < b.length - prefixEnd && a.charCodeAt(a.length - 1 - shared) === b.charCodeAt(b.length - 1 - shared)) shared++;
  const newline = a.indexOf('\n', a.length - shared);
  const suffixLength = newline === -1 ? 0 : a.length - (newline + 1);

  // Widen the middle by the context lines around it.
  let start = prefixEnd;
  for (let n = 0; n < contextLines && start > 0; n++) start = lineStartOf(a, start - 1);
  let endA = a.length - suffixLength;
  for (let n = 0; n < contextLines && endA < a.length; n++) {
    const next = a.indexOf('\n', endA);
    endA = next === -1 ? a.length : next + 1;
  }
  const endB = b.length - (a.length - endA);
  let offset = 0;
  for (let at = a.indexOf('\n'); at !== -1 && at < start; at = a.indexOf('\n', at + 1)) offset++;

  const oldMiddle = a.slice(start, endA);
  const newMiddle = b.slice(start, endB);
  const oldName = before === undefined ? '/dev/null' : `a/${path}`;
  const newName = after === undefined ? '/dev/null' : `b/${path}`;
  const maxEditLength = options.maxEditLength ?? defaultMaxEditLength;
  const patch: StructuredPatch = structuredPatch(oldName, newName, oldMiddle, newMiddle, labels.before, labels.after, { context: contextLines, maxEditLength }) ?? {
    oldFileName: oldName,
    newFileName: newName,
    oldHeader: labels.before,
    newHeader: labels.after,
    hunks: fallbackHunks(linesOf(oldMiddle), linesOf(newMiddle)),
  };
  for (const hunk of patch.hunks) {
    hunk.oldStart += offset;
    hunk.newStart += offset;
  }
  return formatPatch(patch, FILE_HEADERS_ONLY);
}

/** Where the line holding `text[index]` starts (lastIndexOf reads a negative start as 0, hence the guard). */
function lineStartOf(text: string, index: number): number {
  return index <= 0 ? 0 : text.lastIndexOf('\n', index - 1) + 1;
}

/** Lines with their line ends kept, so a missing final newline is still seen. */
function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function fallbackHunks(oldLines: readonly string[], newLines: readonly string[]): StructuredPatchHunk[] {
  return oldLines.length === newLines.length ? inPlaceHunks(oldLines, newLines) : [replacementHunk(oldLines, newLines)];
}

/** A line of a hunk, and the marker unified diff puts after a last line that has no newline. */
function hunkLines(mark: ' ' | '-' | '+', line: string): string[] {
  return line.endsWith('\n') ? [mark + line.slice(0, -1)] : [mark + line, '\\ No newline at end of file'];
}

/** Lines compared one by one (both sides have as many), each run of changed lines with its context. */
function inPlaceHunks(oldLines: readonly string[], newLines: readonly string[]): StructuredPatchHunk[] {
  const hunks: StructuredPatchHunk[] = [];
  let i = 0;
  while (i < oldLines.length) {
    if (oldLines[i] === newLines[i]) {
      i++;
      continue;
    }
    // A hunk runs from the context before the first changed line to the context after the last one that is
    // less than two contexts away from the next.
    const start = Math.max(0, i - contextLines);
    let end = i;
    for (let next = i; next < oldLines.length && next <= end + 2 * contextLines; next++) if (oldLines[next] !== newLines[next]) end = next;
    const stop = Math.min(oldLines.length, end + 1 + contextLines);
    const lines: string[] = [];
    for (let at = start; at < stop; ) {
      if (oldLines[at] === newLines[at]) {
        lines.push(...hunkLines(' ', oldLines[at]!));
        at++;
        continue;
      }
      let runEnd = at;
      while (runEnd < stop && oldLines[runEnd] !== newLines[runEnd]) runEnd++;
      for (let k = at; k < runEnd; k++) lines.push(...hunkLines('-', oldLines[k]!));
      for (let k = at; k < runEnd; k++) lines.push(...hunkLines('+', newLines[k]!));
      at = runEnd;
    }
    hunks.push({ oldStart: start + 1, oldLines: stop - start, newStart: start + 1, newLines: stop - start, lines });
    i = stop;
  }
  return hunks;
}

/** One hunk that removes every old line and adds every new one. */
function replacementHunk(oldLines: readonly string[], newLines: readonly string[]): StructuredPatchHunk {
  return {
    // 1-based; formatPatch numbers an empty range by the line before it.
    oldStart: 1,
    oldLines: oldLines.length,
    newStart: 1,
    newLines: newLines.length,
    lines: [...oldLines.flatMap((line) => hunkLines('-', line)), ...newLines.flatMap((line) => hunkLines('+', line))],
  };
}
