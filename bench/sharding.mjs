/**
 * What scale-out costs at fleet size: for each N models (bench/workload.mjs) and each shard count, the same
 * workload with `prometheus.remoteWrite` and a vmalert central ruler added, then
 *
 *   - `mlmon generate` as a whole process (wall and CPU time, median of --runs), against the unsharded baseline;
 *   - what came out: files and bytes of the shard configs (out/prometheus/shards/) and the ruler files (out/ruler/);
 *   - the two checks `mlmon validate` adds for it, timed on their own: `promtool check config --syntax-only` on
 *     every shard config and `promtool check rules` on the central files (plus `vmalert -dryRun` when found).
 *
 * Shard configs repeat every scrape job with two more relabel rules, so their bytes grow as shards × jobs; the
 * ruler files are the same rules as prometheus/rules/ (a copy), so they grow with the fleet, not the shards.
 *
 *   node bench/sharding.mjs [--sizes 1000,10000] [--shards 2,4,8] [--runs 3] [--keep]
 *
 * It runs the compiled dist/ (`npm run build` first). Prints one table; writes bench/results/sharding.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatBytes, formatMs, plainTable } from './slo.mjs';
import { buildWorkload } from './workload.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const mlmonBin = join(repoRoot, 'bin/mlmon.js');

function parseOptions(argv) {
  const options = { sizes: [1000, 10000], shards: [2, 4, 8], runs: 3, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const list = () => argv[++i].split(',').map((s) => Number(s.trim().replace(/_/g, '')));
    if (argv[i] === '--sizes') options.sizes = list();
    else if (argv[i] === '--shards') options.shards = list();
    else if (argv[i] === '--runs') options.runs = Number(argv[++i]);
    else if (argv[i] === '--keep') options.keep = true;
    else {
      process.stderr.write(`unknown option ${argv[i]}\nusage: node bench/sharding.mjs [--sizes 1000,10000] [--shards 2,4,8] [--runs 3] [--keep]\n`);
      process.exit(2);
    }
  }
  return options;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Wall and CPU (user + system of the child) milliseconds of one command; throws on a non-zero exit. */
function timed(command, args, cwd) {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).slice(-600)}`);
  return { wallMs };
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
const bytesOf = (files) => files.reduce((n, f) => n + statSync(f).size, 0);

/** The pinned promtool and the cached vmalert, as the tests find them (scripts/install-tools.sh). */
function tools() {
  const dir = spawnSync('bash', [join(repoRoot, 'scripts/install-tools.sh')], { encoding: 'utf8' }).stdout.trim();
  const vmalert = join(dir, 'victoriametrics/vmalert');
  return { promtool: join(dir, 'promtool'), vmalert: existsSync(vmalert) ? vmalert : undefined };
}

function measure({ models, shards, runs, scratch, tool }) {
  const dir = join(scratch, `${models}-${shards}`);
  mkdirSync(dir, { recursive: true });
  const config = buildWorkload(models);
  if (shards > 0) {
    config.prometheus = {
      ...config.prometheus,
      shards,
      remoteWrite: [{ url: 'http://victoria-metrics:8428/api/v1/write', dropLabels: ['pod'] }],
      centralRuler: { kind: 'vmalert' },
    };
  }
  writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(config));
  const generate = [];
  for (let run = 0; run < runs; run++) {
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    generate.push(timed(process.execPath, [mlmonBin, 'generate', '-c', 'monitoring.config.json', '-o', 'out'], dir).wallMs);
  }
  const out = join(dir, 'out');
  const shardFiles = filesUnder(join(out, 'prometheus/shards'));
  const rulerFiles = filesUnder(join(out, 'ruler'));
  const result = {
    models, shards, generateMs: median(generate), generateRuns: generate,
    files: filesUnder(out).length, bytes: bytesOf(filesUnder(out)),
    shardFiles: shardFiles.length, shardBytes: bytesOf(shardFiles), rulerFiles: rulerFiles.length, rulerBytes: bytesOf(rulerFiles),
  };
  if (shards > 0) {
    const configs = shardFiles.filter((f) => f.endsWith('/prometheus.yml'));
    result.checkShardsMs = 0;
    for (const file of configs) result.checkShardsMs += timed(tool.promtool, ['check', 'config', '--syntax-only', file], out).wallMs;
    result.checkRulesMs = timed(tool.promtool, ['check', 'rules', ...rulerFiles], out).wallMs;
    if (tool.vmalert) result.vmalertDryRunMs = timed(tool.vmalert, ['-dryRun', ...rulerFiles.map((f) => `-rule=${f}`)], out).wallMs;
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const options = parseOptions(process.argv.slice(2));
  const tool = tools();
  const scratch = mkdtempSync(join(tmpdir(), 'mlmon-bench-sharding-'));
  const results = [];
  try {
    for (const models of options.sizes) {
      // 0: the unsharded baseline, one Prometheus with every rule.
      for (const shards of [0, ...options.shards]) {
        process.stderr.write(`[bench] ${models} models, ${shards || 'no'} shards\n`);
        results.push(measure({ models, shards, runs: options.runs, scratch, tool }));
      }
    }
  } finally {
    if (!options.keep) rmSync(scratch, { recursive: true, force: true });
    else process.stderr.write(`[bench] kept ${scratch}\n`);
  }
  const baseline = (models) => results.find((r) => r.models === models && r.shards === 0);
  const table = {
    title: `Scale-out cost (vmalert central ruler, one remote_write; generate = wall time of the whole process, median of ${options.runs}; checks = promtool on every shard config / on the ruler files, vmalert -dryRun)`,
    header: ['models', 'shards', 'generate', 'vs unsharded', 'files', 'output', 'shard configs', 'ruler files', 'check shards', 'check ruler rules', 'vmalert -dryRun'],
    rows: results.map((r) => [
      r.models.toLocaleString('en'), r.shards ? String(r.shards) : '–', formatMs(r.generateMs),
      r.shards ? `${(r.generateMs / baseline(r.models).generateMs).toFixed(2)}×` : '1×',
      String(r.files), formatBytes(r.bytes),
      r.shards ? `${r.shardFiles} / ${formatBytes(r.shardBytes)}` : '–', r.shards ? `${r.rulerFiles} / ${formatBytes(r.rulerBytes)}` : '–',
      formatMs(r.checkShardsMs), formatMs(r.checkRulesMs), r.vmalertDryRunMs === undefined ? '–' : formatMs(r.vmalertDryRunMs),
    ]),
  };
  process.stdout.write(`${plainTable(table)}\n`);
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/results/sharding.json'), `${JSON.stringify({ options, results }, null, 2)}\n`);
}
