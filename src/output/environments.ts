/**
 * out/ for a config with environments: each environment's stack in `out/<environment>/`, and one manifest,
 * out/.mlmon-manifest.json, for all of them (paths `<environment>/…`). One manifest, not one per folder, so
 * that `generate` still knows every file it wrote: when an environment is dropped from the config, or a config
 * gains environments, the files of the old layout are its own to remove, like any file it no longer generates.
 *
 * Generating everything is today's comparison on the files of all environments, each under its folder. Looking
 * at one environment (`--environment staging`) compares `out/staging/` with that environment's files alone:
 * `scopeSnapshot` cuts out/ down to that folder (its files, its part of the manifest), so compare, diff and
 * write work on it unchanged, and `manifestWithEnvironment` puts its part back into the one manifest.
 *
 * Every environment's files, and so each part of the manifest, are in code-unit order of their paths
 * (pipeline.ts), so the manifest reads the same whether one environment or all were generated last.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedFile } from '../render/artifact.js';
import { CouldNotRun } from '../problems.js';
import { manifestName, type Manifest } from './manifest.js';
import type { OutputSnapshot } from './read-output.js';

/**
 * The files of every stack, each under its environment's folder, in code-unit order of their paths (the
 * manifest's order); a config without environments has one stack, whose files are returned as they are.
 */
export function filesUnderFolders(stacks: readonly { readonly environment: string | undefined; readonly files: readonly RenderedFile[] }[]): readonly RenderedFile[] {
  if (stacks.length === 1 && stacks[0]!.environment === undefined) return stacks[0]!.files;
  return stacks
    .flatMap(({ environment, files }) => files.map((f) => ({ ...f, path: `${environment}/${f.path}` })))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * `snapshot` (of out/) seen from `folder`: the files under it, its manifest's entries under it (paths relative
 * to it), and that part of the manifest as the text `buildManifest` writes for them, so that comparing it with
 * one environment's files tells exactly whether that environment's part of the manifest is up to date.
 */
export function scopeSnapshot(snapshot: OutputSnapshot, folder: string): OutputSnapshot {
  const prefix = `${folder}/`;
  const inside = (path: string) => path.startsWith(prefix);
  return scoped(snapshot, `${snapshot.label.replace(/( at .*)?$/, (at) => `/${folder}${at}`)}`, inside, (path) => path.slice(prefix.length), true);
}

/**
 * `snapshot` (of out/) outside every one of `folders`: mlmon's files of an older layout (a config without
 * environments, an environment since removed), which the next `generate` removes. Its manifest part is what it
 * would be with nothing generated there, when out/ has a manifest at all: only files make it differ.
 */
export function outsideSnapshot(snapshot: OutputSnapshot, folders: readonly string[]): OutputSnapshot {
  const inside = (path: string) => !folders.some((folder) => path.startsWith(`${folder}/`));
  return scoped(snapshot, snapshot.label, inside, (path) => path, false);
}

function scoped(snapshot: OutputSnapshot, label: string, keep: (path: string) => boolean, rename: (path: string) => string, missingManifestIsAdded: boolean): OutputSnapshot {
  const files = new Map([...snapshot.files].filter(([path]) => keep(path)).map(([path, content]) => [rename(path), content]));
  const manifest: Manifest | undefined = snapshot.manifest && {
    generator: 'mlmon',
    files: Object.fromEntries(Object.entries(snapshot.manifest.files).filter(([path]) => keep(path)).map(([path, hash]): [string, string] => [rename(path), hash]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  let manifestText = manifest ? manifestText_(manifest) : undefined;
  // A manifest that isn't mlmon's (or not JSON) is out of date for every part of out/.
  if (snapshot.manifestText !== undefined && !snapshot.manifest) manifestText = snapshot.manifestText;
  if (snapshot.manifestText === undefined && !missingManifestIsAdded) manifestText = manifestText_({ generator: 'mlmon', files: {} });
  return { label, files, holds: snapshot.holds ?? 'text', manifest, manifestText, exists: snapshot.exists };
}

/** The text `buildManifest` writes for `manifest`'s entries. */
function manifestText_(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * The manifest of out/ after writing one environment: the other entries as `before` had them, this folder's
 * replaced by `folderManifest` (its entries relative to the folder), in code-unit order of their paths.
 */
export function manifestWithEnvironment(before: Manifest | undefined, folder: string, folderManifest: RenderedFile): RenderedFile {
  const prefix = `${folder}/`;
  const entries = Object.entries(before?.files ?? {}).filter(([path]) => !path.startsWith(prefix));
  const own = (JSON.parse(folderManifest.content) as Manifest).files;
  for (const [path, hash] of Object.entries(own)) entries.push([`${prefix}${path}`, hash]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { path: manifestName, content: manifestText_({ generator: 'mlmon', files: Object.fromEntries(entries) }) };
}

/** Writes out/'s manifest through a temporary file, as write.ts writes every file (a rename is atomic). */
export function writeManifest(outDir: string, manifest: RenderedFile): void {
  const target = join(outDir, manifest.path);
  const temp = `${target}.mlmon-tmp-${process.pid}`;
  try {
    writeFileSync(temp, manifest.content);
    renameSync(temp, target);
  } catch (error) {
    throw new CouldNotRun(`could not write ${target}: ${(error as Error).message}`);
  }
}
