/**
 * An output folder as `mlmon diff` compares it: what is on disk now, another folder, or out/ as committed
 * at a git ref (for a pull request: what the config generates now vs. what main deployed).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { CouldNotRun } from '../problems.js';
import { manifestName, sha256, type Manifest } from './manifest.js';

export interface OutputSnapshot {
  /** How to name it to people: `out`, `out at origin/main`. */
  readonly label: string;
  /** Files by path relative to the output folder (always `/`-separated), the manifest left out. */
  readonly files: ReadonlyMap<string, string>;
  /** What mlmon recorded when it last generated this folder, if it did. */
  readonly manifest: Manifest | undefined;
  /** False when the folder (or, at a git ref, the path) doesn't exist: everything will be new. */
  readonly exists: boolean;
}

/** Every file under `dir`. A missing `dir` is an empty snapshot unless `mustExist`. */
export function readOutputDir(dir: string, label: string, options: { mustExist?: boolean } = {}): OutputSnapshot {
  if (!existsSync(dir)) {
    if (options.mustExist) throw new CouldNotRun(`folder not found: ${label}`, `looked for ${dir}`);
    return { label, files: new Map(), manifest: undefined, exists: false };
  }
  if (!statSync(dir).isDirectory()) throw new CouldNotRun(`${label} is not a folder`);
  const files = new Map<string, string>();
  let manifest: Manifest | undefined;
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git') walk(full);
        continue;
      }
      if (!entry.isFile() || entry.name.includes('.mlmon-tmp-')) continue;
      const path = relative(dir, full).split(sep).join('/');
      const content = readFileSync(full, 'utf8');
      if (path === manifestName) manifest = parseManifest(content);
      else files.set(path, content);
    }
  };
  walk(dir);
  return { label, files, manifest, exists: true };
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
  if (entries.length === 0) return { label, files: new Map(), manifest: undefined, exists: false };

  const batch = await execa('git', ['cat-file', '--batch'], { cwd: root, input: entries.map((e) => e.object).join('\n') + '\n', encoding: 'buffer', reject: false });
  if (batch.failed) throw new CouldNotRun(`could not read ${outDir} at ${ref}: ${Buffer.from(batch.stderr).toString('utf8').split('\n')[0]}`);
  const contents = readCatFileBatch(Buffer.from(batch.stdout));

  const files = new Map<string, string>();
  let manifest: Manifest | undefined;
  const prefix = inRepo ? `${inRepo}/` : '';
  for (const entry of entries) {
    const content = contents.get(entry.object);
    if (content === undefined) throw new CouldNotRun(`could not read ${entry.path} at ${ref}`);
    const path = entry.path.slice(prefix.length);
    if (path === manifestName) manifest = parseManifest(content);
    else files.set(path, content);
  }
  return { label, files, manifest, exists: true };
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

function parseManifest(content: string): Manifest | undefined {
  try {
    const parsed = JSON.parse(content) as Manifest;
    return parsed.generator === 'mlmon' && parsed.files && typeof parsed.files === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export interface HandEdit {
  readonly path: string;
  /** Whether the next `generate` writes this file again (overwriting the edit) or removes it. */
  readonly nextGenerate: 'overwrites' | 'removes';
}

/**
 * Generated files whose content no longer matches the hash mlmon recorded for them: the same test as
 * `findHandEdits` (manifest.ts), on a snapshot, so it works for a folder and a git ref alike.
 */
export function handEditsIn(snapshot: OutputSnapshot, generatedPaths: ReadonlySet<string>): HandEdit[] {
  const edits: HandEdit[] = [];
  for (const [path, hash] of Object.entries(snapshot.manifest?.files ?? {})) {
    const content = snapshot.files.get(path);
    // A deleted generated file is not a hand edit; generate simply writes it again.
    if (content !== undefined && sha256(content) !== hash) edits.push({ path, nextGenerate: generatedPaths.has(path) ? 'overwrites' : 'removes' });
  }
  return edits.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
