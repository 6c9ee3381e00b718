/**
 * mlmon's own folder: where package.json, templates/ and schemas/ are. The same modules run from src/ (the
 * tests), from dist/ (the library API a config imports) and bundled into dist/cli-bundle/ (the command line), each
 * at a different depth, so resources are found from here rather than by `../..` from each module.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageManifest {
  readonly name: string;
  readonly version: string;
}

function findPackage(from: string): { root: string; manifest: PackageManifest } {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    const manifest = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PackageManifest) : undefined;
    if (manifest?.name === 'mlmon') return { root: dir, manifest };
    if (dirname(dir) === dir) throw new Error(`mlmon's package.json was not found above ${from}`);
  }
}

const found = findPackage(dirname(fileURLToPath(import.meta.url)));
export const packageRoot = found.root;
/** mlmon's own package.json, read once. */
export const packageManifest: PackageManifest = found.manifest;

/** A file or folder of mlmon's own, by its path from the package root. */
export const packagePath = (...segments: string[]): string => join(packageRoot, ...segments);

/** True when mlmon runs from its TypeScript sources (its own tests), not from the built dist/. */
export const runningFromSource = import.meta.url.endsWith('.ts');

/**
 * True in the command line's bundles (dist/cli-bundle/, CommonJS), where esbuild defines `import.meta.url` as
 * the bundle file's; false in the tests and the library (dist/, ES modules).
 */
export const runningInCliBundle = import.meta.url.endsWith('.cjs');
