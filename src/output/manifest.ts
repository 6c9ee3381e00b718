import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedFile } from '../render/artifact.js';

/**
 * out/.mlmon-manifest.json lists every file mlmon generated with its content hash. It is how `generate`
 * knows which files it may delete (its own, no longer generated) and which it must never touch (everything
 * else), and how a hand edit of a generated file is noticed.
 */
export const manifestName = '.mlmon-manifest.json';

export interface Manifest {
  readonly generator: 'mlmon';
  readonly files: Readonly<Record<string, string>>;
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function buildManifest(files: readonly RenderedFile[]): RenderedFile {
  const manifest: Manifest = { generator: 'mlmon', files: Object.fromEntries(files.map((f) => [f.path, sha256(f.content)])) };
  return { path: manifestName, content: `${JSON.stringify(manifest, null, 2)}\n` };
}

export function readManifest(outDir: string): Manifest | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(outDir, manifestName), 'utf8')) as Manifest;
    return parsed.generator === 'mlmon' && parsed.files && typeof parsed.files === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Generated files whose content on disk no longer matches what mlmon wrote: someone edited them by hand. */
export function findHandEdits(outDir: string, manifest: Manifest | undefined): string[] {
  if (!manifest) return [];
  const edited: string[] = [];
  for (const [path, hash] of Object.entries(manifest.files)) {
    try {
      if (sha256(readFileSync(join(outDir, path))) !== hash) edited.push(path);
    } catch {
      // A deleted generated file is not a hand edit; generate simply writes it again.
    }
  }
  return edited.sort();
}
