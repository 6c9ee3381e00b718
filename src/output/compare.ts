import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedFile } from '../render/artifact.js';
import { buildManifest, readManifest } from './manifest.js';

export interface StaleFile {
  readonly path: string;
  readonly status: 'missing' | 'changed' | 'extra';
}

/** How the output folder differs from freshly rendered files (the manifest included). */
export function compareWithOutput(outDir: string, files: readonly RenderedFile[]): StaleFile[] {
  const all = [...files, buildManifest(files)];
  const stale: StaleFile[] = [];
  for (const file of all) {
    const target = join(outDir, file.path);
    if (!existsSync(target)) stale.push({ path: file.path, status: 'missing' });
    else if (readFileSync(target, 'utf8') !== file.content) stale.push({ path: file.path, status: 'changed' });
  }
  const current = new Set(all.map((f) => f.path));
  for (const path of Object.keys(readManifest(outDir)?.files ?? {})) {
    if (!current.has(path) && existsSync(join(outDir, path))) stale.push({ path, status: 'extra' });
  }
  return stale.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
