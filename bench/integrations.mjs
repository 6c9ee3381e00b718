/**
 * The integrations at fleet scale (issue #14): the bench workload (bench/workload.mjs) with three services in
 * ten served by a model server, a third each vLLM, Triton and KServe, and the DCGM GPU pack on. Per N it
 * measures `mlmon generate` as a whole process (wall time with a cold jiti cache, median; CPU time where GNU
 * time is there) and counts the rules it writes, so the integrations' alerts can be seen not to grow with the
 * fleet (their thresholds are series, as the built-ins' are).
 *
 *   node bench/integrations.mjs [--sizes 10,1000,10000] [--runs 3] [--results <file.json>] [--scratch <dir>] [--keep]
 *
 * bench/run.mjs runs it as a section of its own after the SLO section (`--no-integrations` leaves it out); the
 * main tables keep the plain workload, so their figures stay comparable with earlier runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';
import { formatBytes, formatMs, markdownTable, plainTable } from './slo.mjs';
import { buildWorkload, workloadAsTypeScript } from './workload.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const mlmonBin = join(repoRoot, 'bin/mlmon.js');
const commandTimeoutMs = 10 * 60_000;

/**
 * The model server of service number `s` (in the workload's order), with the version its metric catalog is
 * read at: services 1, 2 and 3 of every ten, so 30% of a large fleet and three of the four services a small
 * one gets. One version per server: a mix would make the alert set depend on which versions a size happens to
 * hold (vLLM 0.10 has no prefix-cache metrics), not on the fleet's size.
 */
export const serverOfService = (s) => ({ 1: { vllm: { version: '0.11' } }, 2: { triton: { version: '25.01' } }, 3: { kserve: { version: '0.14' } } })[s % 10];

/**
 * Per-model threshold overrides of each server, with the range values are drawn from (keys of the generated
 * `ModelThresholds`); one model in three overrides one, one in 29 of those switches it off with `false`.
 */
const serverThresholds = {
  vllm: { maxVllmWaitingRequests: [5, 50], maxVllmKvCacheUsage: [0.8, 0.98], maxVllmTtftP95Seconds: [0.5, 5], maxVllmAbortRatio: [0.01, 0.1] },
  triton: { maxTritonFailureRatio: [0.01, 0.1], maxTritonQueueSeconds: [0.05, 0.5], maxTritonPendingRequests: [5, 50] },
  kserve: { maxKservePredictP95Seconds: [0.2, 3] },
};

/** The DCGM GPU pack as the GPU Operator deploys dcgm-exporter (the example config's settings). */
export const benchDcgm = { version: '4.5', kubernetes: { namespace: 'gpu-operator', podLabels: { app: 'nvidia-dcgm-exporter' }, port: 9400 } };

/** The smallest fleet that still has a service per model server: one plain service, then vLLM, Triton, KServe. */
const minServices = 4;

/**
 * The bench workload for `models` models with the integrations on: services per `serverOfService`, the DCGM pack
 * under `infrastructure.gpus`, and some models of the servers' services with their own server thresholds. The
 * same N always gives the same config (everything is derived from N and the workload's seed).
 */
export function buildIntegrationWorkload(models) {
  const config = buildWorkload(models, undefined, { minServices });
  const serverOf = new Map();
  Object.keys(config.services).forEach((name, s) => {
    const integration = serverOfService(s);
    if (!integration) return;
    config.services[name].integration = integration;
    serverOf.set(name, Object.keys(integration)[0]);
  });
  Object.entries(config.models).forEach(([, model], m) => {
    const server = serverOf.get(model.service);
    if (!server || m % 3 !== 0) return;
    const keys = Object.keys(serverThresholds[server]);
    const key = keys[m % keys.length];
    const [low, high] = serverThresholds[server][key];
    // Arithmetic on m rather than the PRNG: the base workload's stream stays as it is.
    const value = m % 29 === 0 ? false : Number((low + ((m * 7919) % 1000) / 1000 * (high - low)).toFixed(3));
    model.thresholds = { ...model.thresholds, [key]: value };
  });
  config.infrastructure = { ...config.infrastructure, gpus: { dcgm: structuredClone(benchDcgm) } };
  return config;
}

/** Which integration an alert belongs to, by its name (the integrations' alert names all start with it). */
export function integrationOfAlertName(name) {
  if (/^Vllm/.test(name)) return 'vllm';
  if (/^Triton/.test(name)) return 'triton';
  if (/^(Kserve|Knative)/.test(name)) return 'kserve';
  if (/^Gpu/.test(name)) return 'dcgm';
  return undefined;
}

// ---- measuring -------------------------------------------------------------------------------------------

const median = (values) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** GNU time reports a child's CPU time (user + system); without it, only wall times are measured. */
const gnuTime = spawnSync('/usr/bin/time', ['-f', '%U', '-o', '/dev/null', 'true']).status === 0;

/** One `mlmon generate` process: wall time, and CPU time (user + system, ms) where GNU time is there. Throws on failure. */
function timedGenerate(configFile, outDir, env) {
  const cpuFile = join(env.TMPDIR ?? tmpdir(), `mlmon-bench-integrations-cpu-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const args = [mlmonBin, 'generate', '-c', configFile, '-o', outDir];
  const [file, fileArgs] = gnuTime ? ['/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args]] : [process.execPath, args];
  const start = performance.now();
  const child = spawnSync(file, fileArgs, { cwd: dirname(configFile), env, encoding: 'utf8', timeout: commandTimeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  let cpuMs;
  if (existsSync(cpuFile)) {
    // The last line: GNU time puts "Command exited with non-zero status" before it when there is one.
    const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpuMs = (user + system) * 1000;
    rmSync(cpuFile, { force: true });
  }
  if (child.status !== 0) {
    const said = (child.stderr || child.stdout || String(child.error ?? '')).split('\n').filter(Boolean).slice(0, 3).join(' | ');
    throw new Error(`mlmon generate exited ${child.status ?? child.signal}: ${said}`);
  }
  return { wallMs, cpuMs };
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])).sort();
}

/**
 * The rules of every rule file under `<outDir>/prometheus/`: alerting and recording rules (as bench/run.mjs counts
 * them), the alerts by name, and how many alerts each integration brought (`integrationOfAlertName`).
 */
export function countIntegrationRules(outDir) {
  const counts = { alerting: 0, recording: 0, alerts: {}, byIntegration: { vllm: 0, triton: 0, kserve: 0, dcgm: 0 } };
  for (const file of listFiles(join(outDir, 'prometheus')).filter((f) => /\.ya?ml$/.test(f))) {
    const text = readFileSync(file, 'utf8');
    if (!/(^|\n)groups:/.test(text)) continue;
    for (const document of jsYaml.loadAll(text)) {
      for (const group of Array.isArray(document?.groups) ? document.groups : []) {
        for (const rule of group?.rules ?? []) {
          if (typeof rule?.alert === 'string') {
            counts.alerting++;
            counts.alerts[rule.alert] = (counts.alerts[rule.alert] ?? 0) + 1;
            const integration = integrationOfAlertName(rule.alert);
            if (integration) counts.byIntegration[integration]++;
          } else if (typeof rule?.record === 'string') counts.recording++;
        }
      }
    }
  }
  return counts;
}

/** One size: the workload written, generated `runs` times with a cold jiti cache, and its output counted. */
function measureSize(models, dir, runs, env) {
  const config = buildIntegrationWorkload(models);
  const typescript = join(dir, 'monitoring.config.ts');
  const outDir = join(dir, 'out');
  writeFileSync(join(dir, 'monitoring.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const timings = [];
  for (let run = 0; run < runs; run++) {
    // A fresh nonce makes jiti's transpile cache miss (it keys by content), as in bench/run.mjs's cold runs.
    writeFileSync(typescript, workloadAsTypeScript(config, `integrations-${models}-${run}-${process.pid}-${Date.now()}`));
    rmSync(join(env.TMPDIR ?? tmpdir(), 'jiti'), { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
    timings.push(timedGenerate(typescript, outDir, env));
  }
  const files = listFiles(outDir);
  const services = Object.values(config.services);
  return {
    models,
    services: services.length,
    servers: Object.fromEntries(['vllm', 'triton', 'kserve'].map((name) => [name, services.filter((s) => s.integration?.[name]).length])),
    coldMs: median(timings.map((t) => t.wallMs)),
    runsMs: timings.map((t) => t.wallMs),
    cpuMs: median(timings.map((t) => t.cpuMs).filter((ms) => ms !== undefined)),
    files: files.length,
    bytes: files.reduce((sum, file) => sum + statSync(file).size, 0),
    rules: countIntegrationRules(outDir),
  };
}

/**
 * Measures every size: `{ loadAverage, loadAverageAtEnd, sizes: [{ models, services, servers, coldMs, cpuMs, files,
 * bytes, rules } | { models, error }], targets }`. Options: `{ sizes, runs, scratch, env, log }`.
 */
export function measureIntegrations({ sizes, runs, scratch, env = process.env, log = () => {} }) {
  const results = { loadAverage: loadavg(), sizes: [] };
  for (const models of sizes) {
    const dir = join(scratch, `integrations-n${models}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const start = performance.now();
    log(`  integrations, ${models} models… `);
    try {
      results.sizes.push(measureSize(models, dir, runs, env));
    } catch (error) {
      // A size mlmon can't generate is a result, not a reason to lose the others.
      results.sizes.push({ models, error: error.message });
    }
    log(`${formatMs(performance.now() - start)}\n`);
  }
  results.loadAverageAtEnd = loadavg();
  results.targets = judgeIntegrationTargets(results);
  return results;
}

// ---- targets and reporting -------------------------------------------------------------------------------

/** The issue's targets: generate at 1,000 models under 1 s (and 10,000 under 5 s, as the plain workload), alert count flat. */
export function judgeIntegrationTargets(results) {
  const targets = [];
  const bySize = new Map(results.sizes.map((s) => [s.models, s]));
  const measured = results.sizes.filter((s) => !s.error);
  // Every server and the GPU pack must have written alerts, or the figures are those of a plain fleet.
  const missing = measured.flatMap((s) => Object.entries(s.rules.byIntegration).filter(([, n]) => n === 0).map(([name]) => `${s.models}: no ${name} alerts`));
  const caveat = missing.length ? ` (${missing.join(', ')})` : '';
  for (const [models, limitMs] of [[1000, 1000], [10000, 5000]]) {
    const id = `integrations-generate-${models}`;
    const description = `generate ${models.toLocaleString('en')} models with the integrations on in under ${limitMs / 1000} s wall (cold jiti cache)`;
    const size = bySize.get(models);
    if (!size) targets.push({ id, description, status: 'n/a', measured: `size ${models} not run` });
    else if (size.error) targets.push({ id, description, status: 'MISS', measured: `generate failed: ${size.error}` });
    else targets.push({ id, description, status: size.coldMs < limitMs && !missing.length ? 'PASS' : 'MISS', measured: `${formatMs(size.coldMs)} (CPU ${formatMs(size.cpuMs)})${caveat}`, value: size.coldMs, limit: limitMs });
  }
  const counts = measured.map((s) => s.rules.alerting);
  targets.push({
    id: 'integrations-alert-rules-constant',
    description: 'the number of alerting rules with the integrations on does not grow with N',
    status: measured.length < results.sizes.length ? 'MISS' : measured.length < 2 ? 'n/a' : !missing.length && counts.every((c) => c === counts[0]) ? 'PASS' : 'MISS',
    measured: `${results.sizes.map((s) => `${s.models}: ${s.error ? 'failed' : s.rules.alerting}`).join(', ')}${caveat}`,
  });
  return targets;
}

/** The section's table. */
export function integrationTables(results) {
  return [{
    title: 'integrations on (30% of services vLLM/Triton/KServe, DCGM GPU pack): whole `mlmon generate` process, cold jiti cache, median; CPU = user + system',
    header: ['models', 'services', 'vLLM / Triton / KServe', 'cold', 'CPU', 'files', 'bytes', 'alerting rules', 'of which vLLM / Triton / KServe / DCGM', 'recording rules'],
    rows: results.sizes.map((s) => (s.error
      ? [s.models.toLocaleString('en'), 'failed', ...Array(8).fill('–')]
      : [
          s.models.toLocaleString('en'), String(s.services), `${s.servers.vllm} / ${s.servers.triton} / ${s.servers.kserve}`, formatMs(s.coldMs), formatMs(s.cpuMs),
          String(s.files), formatBytes(s.bytes), String(s.rules.alerting), ['vllm', 'triton', 'kserve', 'dcgm'].map((k) => s.rules.byIntegration[k]).join(' / '), String(s.rules.recording),
        ])),
  }];
}

/** Lines under the table: the load, failures, and the targets. */
export function integrationNotes(results) {
  const load = (averages) => averages.map((l) => l.toFixed(2)).join(' ');
  return [
    `Load average ${load(results.loadAverage)} at the start of the section, ${load(results.loadAverageAtEnd)} at its end.`,
    ...results.sizes.filter((s) => s.error).map((s) => `${s.models} models failed: ${s.error}`),
    ...results.targets.map((t) => `${t.status.padEnd(4)}  ${t.description}: ${t.measured}`),
  ];
}

// ---- main ------------------------------------------------------------------------------------------------

function parseOptions(argv) {
  const options = { sizes: [10, 1000, 10000], runs: 3, results: join(repoRoot, 'bench/results/integrations.json'), scratch: undefined, keep: false };
  const usage = (problem) => {
    process.stderr.write(`${problem ? `${problem}\n` : ''}usage: node bench/integrations.mjs [--sizes 10,1000,10000] [--runs 3] [--results <file.json>] [--scratch <dir>] [--keep]\n`);
    process.exit(problem ? 2 : 0);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === '--sizes') options.sizes = value().split(',').map((s) => Number(s.trim().replace(/_/g, '')));
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--results') options.results = resolve(value());
    else if (arg === '--scratch') options.scratch = resolve(value());
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown option ${arg}`);
  }
  if (!options.sizes.every((n) => Number.isInteger(n) && n >= 1)) usage('--sizes takes positive whole numbers, e.g. --sizes 10,1000');
  if (!Number.isInteger(options.runs) || options.runs < 1) usage('--runs takes a whole number ≥ 1');
  options.sizes = [...new Set(options.sizes)].sort((a, b) => a - b);
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(join(repoRoot, 'dist/pipeline.js'))) {
    process.stderr.write('dist/ is not built: run `npm run build` first.\n');
    process.exit(2);
  }
  const scratch = options.scratch ?? mkdtempSync(join(tmpdir(), 'mlmon-bench-integrations-'));
  const childTmp = join(scratch, 'tmp');
  mkdirSync(childTmp, { recursive: true });
  const env = { ...process.env, TMPDIR: childTmp, NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('JITI_')) delete env[key];
  let results;
  try {
    results = measureIntegrations({ sizes: options.sizes, runs: options.runs, scratch, env, log: (text) => process.stderr.write(text) });
  } finally {
    if (!options.scratch && !options.keep) rmSync(scratch, { recursive: true, force: true });
  }
  results.measuredAt = new Date().toISOString();
  process.stdout.write('\n');
  for (const table of integrationTables(results)) process.stdout.write(`${plainTable(table)}\n\n`);
  process.stdout.write(`${integrationNotes(results).join('\n')}\n`);
  mkdirSync(dirname(options.results), { recursive: true });
  writeFileSync(options.results, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(options.results.replace(/\.json$/, '') + '.md', [...integrationTables(results).flatMap((t) => [markdownTable(t), '']), '```', ...integrationNotes(results), '```', ''].join('\n'));
  process.stdout.write(`\nresults: ${relative(process.cwd(), options.results) || options.results}\n`);
}
