import { createHash } from 'node:crypto';
import type { RenderedFile } from '../render/artifact.js';

/**
 * out/.mlmon-manifest.json lists every file mlmon generated with its content hash. It is how `generate`
 * knows which files it may delete (its own, no longer generated) and which it must never touch (everything
 * else), and how a hand edit of a generated file is noticed (output/compare.ts).
 */
export const manifestName = '.mlmon-manifest.json';

export interface Manifest {
  readonly generator: 'mlmon';
  /** Path relative to the output folder → SHA-256 of the content mlmon wrote there (hex). */
  readonly files: Readonly<Record<string, string>>;
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The manifest for `files`, given each one's hash (path → sha256 of its content). */
export function buildManifest(files: readonly RenderedFile[], hashes: ReadonlyMap<string, string> = new Map(files.map((f) => [f.path, sha256(f.content)]))): RenderedFile {
  const manifest: Manifest = { generator: 'mlmon', files: Object.fromEntries(files.map((f) => [f.path, hashes.get(f.path)!])) };
  return { path: manifestName, content: `${JSON.stringify(manifest, null, 2)}\n` };
}

/** The one manifest reader: the manifest's text, or undefined when it isn't one of mlmon's (or isn't JSON). */
export function parseManifest(content: string): Manifest | undefined {
  try {
    const parsed = JSON.parse(content) as Manifest;
    return parsed?.generator === 'mlmon' && parsed.files && typeof parsed.files === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
