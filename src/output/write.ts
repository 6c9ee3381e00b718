import { mkdirSync, renameSync, rmSync, rmdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { CouldNotRun } from '../problems.js';
import type { RenderedFile } from '../render/artifact.js';
import { compareOutput, type OutputComparison } from './compare.js';
import { readOutputDir } from './read-output.js';

export interface WriteResult {
  readonly written: string[];
  readonly unchanged: string[];
  readonly removed: string[];
  /** Generated files that had been edited by hand and were overwritten (an edit equal to the new content is not). */
  readonly overwrittenHandEdits: string[];
  /** Generated files that had been edited by hand and were removed, because the config no longer generates them. */
  readonly removedHandEdits: string[];
}

/** Reads `outDir` (mlmon's files in it), compares it with `files` and writes: `writeComparison` in one call. */
export function writeOutput(outDir: string, files: readonly RenderedFile[]): WriteResult {
  return writeComparison(outDir, compareOutput(readOutputDir(outDir, outDir, { paths: files.map((f) => f.path), holds: 'sha256' }), files));
}

/**
 * Writes what `comparison` (of `outDir` with the rendered files) found different, so that a failure leaves
 * `outDir` exactly as it was: every file is first written to a temporary name beside its target, and only
 * when all of them are on disk are they renamed into place (a rename within a folder is atomic). Then the
 * files this config no longer generates are removed — only those the previous manifest lists, never anything
 * else (a folder without a manifest loses nothing).
 */
export function writeComparison(outDir: string, comparison: OutputComparison, options: { readonly manifest?: boolean } = {}): WriteResult {
  const toWrite = comparison.differences.filter((d) => d.status !== 'removed').map((d) => ({ path: d.path, content: comparison.generated.get(d.path)! }));
  // `manifest: false`: one environment's folder, whose part of out/'s one manifest the caller writes (output/environments.ts).
  if (comparison.manifestStatus && options.manifest !== false) toWrite.push(comparison.manifest);
  const staged: { temp: string; target: string }[] = [];
  const suffix = `.mlmon-tmp-${process.pid}`;
  try {
    for (const file of toWrite) {
      const target = safeJoin(outDir, file.path);
      mkdirSync(dirname(target), { recursive: true });
      const temp = target + suffix;
      writeFileSync(temp, file.content);
      staged.push({ temp, target });
    }
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw new CouldNotRun(`could not write ${outDir}: ${(error as Error).message}`, 'nothing was changed in the output folder');
  }
  for (const { temp, target } of staged) renameSync(temp, target);

  const listed = comparison.before.manifest?.files ?? {};
  const removed: string[] = [];
  for (const { path } of comparison.differences.filter((d) => d.status === 'removed' && Object.hasOwn(listed, d.path))) {
    const target = safeJoin(outDir, path);
    rmSync(target, { force: true });
    removed.push(path);
    removeEmptyParents(outDir, dirname(target));
  }
  const written = comparison.differences.filter((d) => d.status !== 'removed').map((d) => d.path);
  const writtenSet = new Set(written);
  const overwrites = new Set(comparison.handEdits.filter((e) => e.nextGenerate === 'overwrites').map((e) => e.path));
  const removes = new Set(comparison.handEdits.filter((e) => e.nextGenerate === 'removes').map((e) => e.path));
  return {
    written,
    unchanged: [...comparison.generated.keys()].filter((p) => !writtenSet.has(p)),
    removed,
    overwrittenHandEdits: written.filter((p) => overwrites.has(p)),
    removedHandEdits: removed.filter((p) => removes.has(p)),
  };
}

function safeJoin(outDir: string, path: string): string {
  const target = join(outDir, path);
  const rel = relative(outDir, target);
  if (rel.startsWith('..') || rel.includes(`..${sep}`)) throw new CouldNotRun(`refusing to write outside ${outDir}: ${path}`);
  return target;
}

function removeEmptyParents(outDir: string, dir: string): void {
  while (relative(outDir, dir) && !relative(outDir, dir).startsWith('..') && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    dir = dirname(dir);
  }
}
