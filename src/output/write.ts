import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { CouldNotRun } from '../problems.js';
import type { RenderedFile } from '../render/artifact.js';
import { buildManifest, findHandEdits, manifestName, readManifest } from './manifest.js';

export interface WriteResult {
  readonly written: string[];
  readonly unchanged: string[];
  readonly removed: string[];
  /** Generated files that had been edited by hand and were overwritten (an edit equal to the new content is not). */
  readonly overwrittenHandEdits: string[];
  /** Generated files that had been edited by hand and were removed, because the config no longer generates them. */
  readonly removedHandEdits: string[];
}

/**
 * Writes the rendered files into `outDir` so that a failure leaves it exactly as it was: every file is
 * first written to a temporary name beside its target, and only when all of them are on disk are they
 * renamed into place (a rename within a folder is atomic). Then the files this config no longer generates
 * are removed — only those the previous manifest lists, never anything else.
 */
export function writeOutput(outDir: string, files: readonly RenderedFile[]): WriteResult {
  const previous = readManifest(outDir);
  // Read before writing: afterwards the files match the new manifest.
  const handEdited = new Set(findHandEdits(outDir, previous));
  const all = [...files, buildManifest(files)];
  const staged: { temp: string; target: string }[] = [];
  const unchanged: string[] = [];
  const written: string[] = [];
  const suffix = `.mlmon-tmp-${process.pid}`;
  try {
    for (const file of all) {
      const target = safeJoin(outDir, file.path);
      if (existsSync(target) && readFileSync(target, 'utf8') === file.content) {
        unchanged.push(file.path);
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      const temp = target + suffix;
      writeFileSync(temp, file.content);
      staged.push({ temp, target });
      written.push(file.path);
    }
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw new CouldNotRun(`could not write ${outDir}: ${(error as Error).message}`, 'nothing was changed in the output folder');
  }
  for (const { temp, target } of staged) renameSync(temp, target);

  const removed: string[] = [];
  const current = new Set(all.map((f) => f.path));
  for (const path of Object.keys(previous?.files ?? {}).sort()) {
    if (current.has(path) || path === manifestName) continue;
    const target = safeJoin(outDir, path);
    if (existsSync(target)) {
      rmSync(target);
      removed.push(path);
      removeEmptyParents(outDir, dirname(target));
    }
  }
  return {
    written: written.filter((p) => p !== manifestName),
    unchanged: unchanged.filter((p) => p !== manifestName),
    removed,
    overwrittenHandEdits: written.filter((p) => handEdited.has(p)),
    removedHandEdits: removed.filter((p) => handEdited.has(p)),
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
