/**
 * Where the time goes: runs `mlmon generate` under `node --cpu-prof` and sums the profile's samples by
 * function (self time) and by the source file's module (`dist/render/…`, `node_modules/yaml/…`), so a missed
 * target points at a function, not at a stage.
 *
 *   node bench/profile.mjs <config file> [--top 20]   → prints the hottest functions and modules
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs generate under the CPU profiler and returns the parsed .cpuprofile and generate's exit code. A generate
 * that fails still leaves a profile (node writes it at exit), and it shows where the time went until then.
 */
export function profileGenerate(configFile, env = process.env) {
  const scratch = mkdtempSync(join(tmpdir(), 'mlmon-profile-'));
  const generate = (nodeFlags) => spawnSync(process.execPath, [...nodeFlags, join(repoRoot, 'bin/mlmon.js'), 'generate', '-c', configFile, '-o', join(scratch, 'out')], {
    cwd: dirname(configFile),
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  try {
    // One unprofiled run first, so that the profile shows mlmon's work rather than jiti transpiling the config.
    generate([]);
    const run = generate(['--cpu-prof', `--cpu-prof-dir=${scratch}`]);
    const file = readdirSync(scratch).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`node wrote no .cpuprofile (generate exited ${run.status}: ${run.stderr.split('\n')[0]})`);
    return { profile: JSON.parse(readFileSync(join(scratch, file), 'utf8')), exitCode: run.status, stderr: run.stderr };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Where a profile node's code lives, short enough to read in a table. */
function moduleOf(url) {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (!path.startsWith('/')) return path;
  const fromRepo = relative(repoRoot, path);
  const inPackage = fromRepo.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (inPackage) return `node_modules/${inPackage[1]}`;
  return fromRepo.startsWith('..') ? path : fromRepo;
}

/** A function's name and where it is defined: `parsedYaml dist/render/artifact.js:23`. */
function functionOf(frame) {
  const where = frame.url ? `${fileOf(frame.url)}:${frame.lineNumber + 1}` : '(native)';
  return `${frame.functionName || '(anonymous)'} ${where}`;
}

function fileOf(url) {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (!path.startsWith('/')) return path;
  const fromRepo = relative(repoRoot, path);
  return fromRepo.startsWith('..') ? path : fromRepo;
}

/**
 * Self time per function and per module, and total (inclusive) time of mlmon's own functions, in
 * milliseconds, hottest first. Self time says what burns the CPU (yaml's lexer, the garbage collector);
 * total time of mlmon's functions says which of ours asked for it (`parsedYaml`, `renderAll`).
 */
export function summarizeProfile(profile, top = 20) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const sampleMs = new Map();
  // timeDeltas[i] is the time before samples[i]; together they give each sample's duration.
  profile.samples.forEach((id, i) => sampleMs.set(id, (sampleMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const functions = new Map();
  const modules = new Map();
  const ours = new Map();
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  for (const [id, ms] of sampleMs) {
    const frame = byId.get(id).callFrame;
    add(functions, functionOf(frame), ms);
    add(modules, moduleOf(frame.url), ms);
    // Walk up the stack once per sampled node; a recursive function counts once per sample.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const caller = byId.get(at).callFrame;
      if (!caller.url || !fileOf(caller.url).startsWith('dist/')) continue;
      const name = functionOf(caller);
      if (seen.has(name)) continue;
      seen.add(name);
      add(ours, name, ms);
    }
  }
  const total = [...sampleMs.values()].reduce((a, b) => a + b, 0);
  const hottest = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms: Math.round(ms), share: ms / total }));
  return { totalMs: Math.round(total), functions: hottest(functions), modules: hottest(modules), mlmonFunctions: hottest(ours) };
}

export function formatProfileSummary(summary) {
  const lines = [`total sampled: ${summary.totalMs} ms`, '', 'hottest modules (self time):'];
  for (const m of summary.modules) lines.push(`  ${String(m.ms).padStart(7)} ms ${(m.share * 100).toFixed(1).padStart(5)}%  ${m.name}`);
  lines.push('', 'hottest functions (self time):');
  for (const f of summary.functions) lines.push(`  ${String(f.ms).padStart(7)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
  lines.push('', "mlmon's functions (total time, callees included):");
  for (const f of summary.mlmonFunctions) lines.push(`  ${String(f.ms).padStart(7)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 20;
  const [configFile] = args;
  if (!configFile) {
    process.stderr.write('usage: node bench/profile.mjs <config file> [--top 20]\n');
    process.exit(2);
  }
  const { profile, exitCode, stderr } = profileGenerate(resolve(configFile));
  if (exitCode !== 0) process.stdout.write(`generate exited ${exitCode}: ${stderr.split('\n')[0]}\n(the profile covers the run up to that point)\n\n`);
  process.stdout.write(`${formatProfileSummary(summarizeProfile(profile, top))}\n`);
}
