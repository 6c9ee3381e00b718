/**
 * An output folder as `mlmon diff` compares it: what is on disk now, another folder, or out/ as committed
 * at a git ref (for a pull request: what the config generates now vs. what main deployed).
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CouldNotRun } from '../problems.js';
import { manifestName, parseManifest, type Manifest } from './manifest.js';

export interface OutputSnapshot {
  /** How to name it to people: `out`, `out at origin/main`. */
  readonly label: string;
  /**
   * Files by path relative to the output folder (always `/`-separated), the manifest left out: each one's text,
   * or, when `holds` is `sha256`, only the SHA-256 of its bytes (hex).
   */
  readonly files: ReadonlyMap<string, string>;
  /**
   * What `files` holds. `text` (also when absent): the content, which `diff` needs to describe a change.
   * `sha256`: only the digest, which is all `generate` needs (equal or not, edited by hand or not), so that
   * it never holds a second copy of a fleet's output in memory: tens of megabytes at 10,000 models.
   */
  readonly holds?: 'text' | 'sha256';
  /** What mlmon recorded when it last generated this folder, if it did. */
  readonly manifest: Manifest | undefined;
  /** The manifest file's text as it is, to tell whether the next generate rewrites it (undefined: no such file). */
  readonly manifestText: string | undefined;
  /** False when the folder (or, at a git ref, the path) doesn't exist: everything will be new. */
  readonly exists: boolean;
}

/**
 * The files under `dir`. With `paths` (what generate is about to write), a folder with a manifest is read only
 * at those paths and the ones its manifest lists: everything else in it is the user's, and none of mlmon's
 * business. Otherwise, or without a manifest, every file is read. A missing `dir` is an empty snapshot unless
 * `mustExist`. With `holds: 'sha256'` each file is hashed as it is read and only its digest is kept.
 */
export function readOutputDir(dir: string, label: string, options: { mustExist?: boolean; paths?: Iterable<string>; holds?: 'text' | 'sha256' } = {}): OutputSnapshot {
  const holds = options.holds ?? 'text';
  const read = holds === 'sha256' ? sha256OfFile : (path: string) => readFileSync(path, 'utf8');
  if (!existsSync(dir)) {
    if (options.mustExist) throw new CouldNotRun(`folder not found: ${label}`, `looked for ${dir}`);
    return { label, files: new Map(), holds, manifest: undefined, manifestText: undefined, exists: false };
  }
  if (!statSync(dir).isDirectory()) throw new CouldNotRun(`${label} is not a folder`);
  const manifestText = readIfFile(join(dir, manifestName));
  const manifest = manifestText === undefined ? undefined : parseManifest(manifestText);
  const files = new Map<string, string>();
  if (options.paths && manifest) {
    for (const path of new Set([...Object.keys(manifest.files), ...options.paths]).values()) {
      // A manifest is text anyone can edit: never read outside the folder for it.
      if (path === manifestName || isAbsolute(path) || path.split(/[\\/]/).includes('..')) continue;
      const content = readIfFile(join(dir, path), read);
      if (content !== undefined) files.set(path, content);
    }
    return { label, files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), holds, manifest, manifestText, exists: true };
  }
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git') walk(full);
        continue;
      }
      if (!entry.isFile() || entry.name.includes('.mlmon-tmp-')) continue;
      const path = relative(dir, full).split(sep).join('/');
      if (path !== manifestName) files.set(path, read(full));
    }
  };
  walk(dir);
  return { label, files, holds, manifest, manifestText, exists: true };
}

/** `read(path)` (the file's text by default), or undefined when there is no file at `path` (missing, or a folder). */
function readIfFile(path: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string | undefined {
  try {
    return read(path);
  } catch (error) {
    if (['ENOENT', 'EISDIR', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

/** One chunk buffer for every file `sha256OfFile` reads: hashing a fleet's output allocates nothing per file. */
let chunk: Buffer | undefined;

/**
 * The SHA-256 (hex) of the file's bytes, read in 1 MiB chunks into one reused buffer, so that no file's content
 * is ever held whole. Equal to `sha256` (manifest.ts) of its text when the file is UTF-8, which is all mlmon writes.
 */
export function sha256OfFile(path: string): string {
  chunk ??= Buffer.allocUnsafe(1 << 20);
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * out/ as committed at `ref`: the file list from `git ls-tree`, the contents through one `git cat-file --batch`
 * (one process for all files rather than one `git show` per file: out/ can hold thousands of dashboards).
 */
export async function readOutputAtGitRef(cwd: string, outDir: string, ref: string, label: string): Promise<OutputSnapshot> {
  const { execa } = await import('execa');
  const git = (args: string[], options: { cwd?: string; input?: string } = {}) => execa('git', args, { cwd, reject: false, ...options });

  if (ref.startsWith('-')) throw new CouldNotRun(`not a git ref: ${ref}`);
  const top = await git(['rev-parse', '--show-toplevel']);
  if (top.failed) {
    throw new CouldNotRun(`--git needs a git repository, and ${cwd} is not in one`, top.stderr.split('\n')[0] || undefined);
  }
  const root = top.stdout.trim();
  const commit = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (commit.failed || !commit.stdout.trim()) {
    throw new CouldNotRun(`git ref not found: ${ref}`, 'give a branch, tag or commit of this repository (in CI, fetch it first: git fetch origin main)');
  }
  const sha = commit.stdout.trim();
  const inRepo = relative(root, resolve(cwd, outDir)).split(sep).join('/');
  if (inRepo.startsWith('..')) throw new CouldNotRun(`${outDir} is outside the git repository at ${root}`);

  const tree = await git(['ls-tree', '-r', '-z', sha, '--', inRepo || '.'], { cwd: root });
  if (tree.failed) throw new CouldNotRun(`could not list ${outDir} at ${ref}: ${tree.stderr.split('\n')[0]}`);
  const entries = tree.stdout
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split('\t') as [string, string];
      const [mode, type, object] = meta.split(' ') as [string, string, string];
      return { mode, type, object, path };
    })
    // Files only: not submodules, and not symlinks (their blob is the link's target, not content).
    .filter((e) => e.type === 'blob' && e.mode !== '120000');
  if (entries.length === 0) return { label, files: new Map(), manifest: undefined, manifestText: undefined, exists: false };

  const batch = await execa('git', ['cat-file', '--batch'], { cwd: root, input: entries.map((e) => e.object).join('\n') + '\n', encoding: 'buffer', reject: false });
  if (batch.failed) throw new CouldNotRun(`could not read ${outDir} at ${ref}: ${Buffer.from(batch.stderr).toString('utf8').split('\n')[0]}`);
  const contents = readCatFileBatch(Buffer.from(batch.stdout));

  const files = new Map<string, string>();
  let manifestText: string | undefined;
  const prefix = inRepo ? `${inRepo}/` : '';
  for (const entry of entries) {
    const content = contents.get(entry.object);
    if (content === undefined) throw new CouldNotRun(`could not read ${entry.path} at ${ref}`);
    const path = entry.path.slice(prefix.length);
    if (path === manifestName) manifestText = content;
    else files.set(path, content);
  }
  return { label, files, holds: 'text', manifest: manifestText === undefined ? undefined : parseManifest(manifestText), manifestText, exists: true };
}

/** `<object> blob <size>\n<size bytes>\n`, repeated: sizes are in bytes, so the output is read as bytes. */
function readCatFileBatch(output: Buffer): Map<string, string> {
  const contents = new Map<string, string>();
  let at = 0;
  while (at < output.length) {
    const end = output.indexOf(0x0a, at);
    if (end === -1) break;
    const [object, type, size] = output.subarray(at, end).toString('utf8').split(' ');
    at = end + 1;
    if (type === 'missing' || size === undefined) continue;
    const length = Number(size);
    contents.set(object!, output.subarray(at, at + length).toString('utf8'));
    at += length + 1;
  }
  return contents;
}
