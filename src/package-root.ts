/**
 * mlmon's own folder: where package.json, templates/ and schemas/ are. The same modules run from src/ (the
 * tests), from dist/ (the library API a config imports) and bundled into dist/cli-bundle/ (the command line), each
 * at a different depth, so resources are found from here rather than by `../..` from each module.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mlmon') return dir;
    if (dirname(dir) === dir) throw new Error(`mlmon's package.json was not found above ${from}`);
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A file or folder of mlmon's own, by its path from the package root. */
export const packagePath = (...segments: string[]): string => join(packageRoot, ...segments);

/** True when mlmon runs from its TypeScript sources (its own tests), not from the built dist/. */
export const runningFromSource = import.meta.url.endsWith('.ts');
