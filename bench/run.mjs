/**
 * mlmon at fleet scale: generates configs with N models (bench/workload.mjs), then measures, per N,
 *
 *   - `mlmon generate` as a whole process, with jiti's transpile cache cold and warm, and its peak RSS;
 *   - each stage in process (load, validate, normalize, render from the pipeline's `timings`; write timed here);
 *   - what came out: bytes, files, alerting and recording rules (parsed from the rule files);
 *   - `mlmon validate --skip-external` and the full `mlmon validate`, when the command exists;
 *
 * and `mlmon --help` once; then, in a section of its own (bench/rule-groups.mjs, which also runs alone), how long
 * each generated rule group takes per round in a real Prometheus at 1,000 and 10,000 models; then, per N, SLOs
 * beside Sloth (bench/slo.mjs; `--no-slo` leaves that section out, `--no-external` leaves Sloth out of it); then,
 * per N, the workload with the integrations on (bench/integrations.mjs; `--no-integrations` leaves it out). It
 * prints tables and PASS/MISS per target and writes bench/results/latest.json (and latest.md, the tables as
 * Markdown for the README).
 *
 *   node bench/run.mjs [--sizes 10,100,1000,10000] [--runs 3] [--quick] [--no-external] [--profile]
 *                      [--rule-groups 1000,10000 | --no-rule-groups]
 *                      [--settle <seconds>] [--results <file.json>] [--scratch <dir>] [--keep] [--no-slo] [--no-integrations]
 *
 * It benchmarks the compiled dist/ (what users run): `npm run bench` builds first.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatBytes, formatMs, measureSlo, sloNotes, sloTables } from './slo.mjs';
import { judgeRuleGroups, measureRuleGroups, ruleGroupDefaults, ruleGroupTables } from './rule-groups.mjs';
import { measureOperator, operatorTable } from './operator.mjs';
import { integrationNotes, integrationTables, measureIntegrations } from './integrations.mjs';
import { buildWorkload, serviceCountOf, teamCountOf, workloadAsTypeScript } from './workload.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const mlmonBin = join(repoRoot, 'bin/mlmon.js');
const stagesScript = join(repoRoot, 'bench/stages.mjs');
const validateStepsScript = join(repoRoot, 'bench/validate-steps.mjs');
const rssPreload = join(repoRoot, 'bench/report-max-rss.cjs');
const stageNames = ['load', 'validate', 'normalize', 'render', 'write'];
/** No single command may hang the benchmark. */
const commandTimeoutMs = 10 * 60_000;

// ---- options ---------------------------------------------------------------------------------------------

function parseOptions(argv) {
  const options = { sizes: undefined, runs: undefined, quick: false, external: true, profile: false, settleSeconds: 120, results: join(repoRoot, 'bench/results/latest.json'), scratch: undefined, keep: false, slo: true, integrations: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) usage(`${arg} needs a value`);
      return next;
    };
    if (arg === '--sizes') options.sizes = value().split(',').map((s) => Number(s.trim().replace(/_/g, '')));
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--no-external') options.external = false;
    else if (arg === '--rule-groups') options.ruleGroups = value().split(',').map((s) => Number(s.trim().replace(/_/g, '')));
    else if (arg === '--no-rule-groups') options.ruleGroups = [];
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--settle') options.settleSeconds = Number(value());
    else if (arg === '--results') options.results = resolve(value());
    else if (arg === '--scratch') options.scratch = resolve(value());
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--no-slo') options.slo = false;
    else if (arg === '--no-integrations') options.integrations = false;
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown option ${arg}`);
  }
  // --quick: a first look in well under a minute; explicit --sizes/--runs still win.
  options.sizes ??= options.quick ? [10, 100, 1000] : [10, 100, 1000, 10000];
  options.runs ??= options.quick ? 1 : 3;
  // The rule-group section runs a real Prometheus for minutes per size: not in a quick look, nor without external tools.
  options.ruleGroups ??= options.quick || !options.external ? [] : ruleGroupDefaults.sizes;
  if (!options.ruleGroups.every((n) => Number.isInteger(n) && n >= 1)) usage('--rule-groups takes positive whole numbers, e.g. --rule-groups 1000');
  if (!options.sizes.every((n) => Number.isInteger(n) && n >= 1)) usage('--sizes takes positive whole numbers, e.g. --sizes 10,100');
  if (!Number.isInteger(options.runs) || options.runs < 1) usage('--runs takes a whole number ≥ 1');
  options.sizes = [...new Set(options.sizes)].sort((a, b) => a - b);
  return options;
}

function usage(problem) {
  const text = 'usage: node bench/run.mjs [--sizes 10,100,1000,10000] [--runs 3] [--quick] [--no-external] [--profile] [--rule-groups 1000,10000 | --no-rule-groups] [--settle <seconds>] [--results <file.json>] [--scratch <dir>] [--keep] [--no-slo] [--no-integrations]\n';
  process.stderr.write(problem ? `${problem}\n${text}` : text);
  process.exit(problem ? 2 : 0);
}

// ---- measuring -------------------------------------------------------------------------------------------

const median = (values) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** GNU time reports peak RSS without touching the process; without it, a preload asks node itself. */
function detectRssProbe() {
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', '-o', '/dev/null', 'true']);
  return probe.status === 0 ? 'gnu-time' : 'node-preload';
}

/**
 * Runs `node <args>` and returns its wall time (ms), exit code, output and peak RSS (bytes). The wall time
 * is the whole process, node's own start-up included: that is what a user or a CI job waits for.
 */
function runNode(args, { cwd, env, rssProbe }) {
  const rssFile = join(env.TMPDIR, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [command, commandArgs, extraEnv] = rssProbe === 'gnu-time'
    ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, ...args], {}]
    : [process.execPath, ['--require', rssPreload, ...args], { MLMON_BENCH_RSS_FILE: rssFile }];
  const start = performance.now();
  const child = spawnSync(command, commandArgs, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: commandTimeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  let peakRssBytes;
  if (existsSync(rssFile)) {
    const text = readFileSync(rssFile, 'utf8').trim();
    // GNU time writes kilobytes on its last line (after "Command exited with non-zero status" if any).
    const last = Number(text.split('\n').pop());
    peakRssBytes = rssProbe === 'gnu-time' ? last * 1024 : last;
    rmSync(rssFile, { force: true });
  }
  return { wallMs, exitCode: child.status ?? (child.signal ? `signal ${child.signal}` : 'error'), stdout: child.stdout ?? '', stderr: child.stderr ?? '', peakRssBytes, error: child.error };
}

/** The first lines of what a failed command said, to keep in the results. */
const firstLines = (text, count = 3) => text.split('\n').map((line) => line.trim()).filter(Boolean).slice(0, count).join(' | ');

/** Every YAML file under prometheus/ with rule groups: alerting and recording rules, counted per file. */
async function countRules(outDir) {
  const { parse } = await import('yaml');
  const perFile = {};
  let alerting = 0;
  let recording = 0;
  for (const file of listFiles(join(outDir, 'prometheus'))) {
    if (!/\.ya?ml$/.test(file)) continue;
    const doc = parse(readFileSync(file, 'utf8'));
    if (!doc || !Array.isArray(doc.groups)) continue;
    const counts = { alerting: 0, recording: 0 };
    for (const group of doc.groups) {
      for (const rule of group?.rules ?? []) {
        if (typeof rule?.alert === 'string') counts.alerting++;
        else if (typeof rule?.record === 'string') counts.recording++;
      }
    }
    perFile[relative(outDir, file)] = counts;
    alerting += counts.alerting;
    recording += counts.recording;
  }
  return { alerting, recording, perFile };
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])).sort();
}

function outputSize(outDir) {
  const files = listFiles(outDir);
  return { files: files.length, bytes: files.reduce((sum, file) => sum + statSync(file).size, 0) };
}

/** `mlmon validate` is being written as this benchmark is; until it exists, its columns say so. */
function validateAvailability(context) {
  const help = runNode([mlmonBin, 'validate', '--help'], { ...context, cwd: repoRoot });
  // Commander answers `<unknown command> --help` with the program's own help and exit 0, so ask for the
  // command's usage line rather than trusting the exit code.
  if (help.exitCode === 0 && /^Usage: mlmon validate\b/m.test(help.stdout)) return { available: true };
  return { available: false, reason: help.exitCode === 0 ? 'mlmon has no validate command yet' : firstLines(help.stderr || help.stdout, 1) || `exit ${help.exitCode}` };
}

/**
 * The full validate runs promtool and amtool. Where neither the environment nor PATH has them, use the pinned
 * builds scripts/install-tools.sh keeps (the same ones the tests use; it answers at once when they are cached).
 */
function provideExternalTools(env) {
  const onPath = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { env }).status === 0;
  if ((env.MLMON_PROMTOOL || onPath('promtool')) && (env.MLMON_AMTOOL || onPath('amtool'))) {
    return { promtool: env.MLMON_PROMTOOL ?? 'promtool (PATH)', amtool: env.MLMON_AMTOOL ?? 'amtool (PATH)' };
  }
  const install = spawnSync('bash', [join(repoRoot, 'scripts/install-tools.sh')], { encoding: 'utf8', timeout: commandTimeoutMs });
  const dir = install.status === 0 ? install.stdout.trim().split('\n').pop() : undefined;
  if (!dir || !existsSync(join(dir, 'promtool'))) return { error: `scripts/install-tools.sh failed: ${firstLines(install.stderr ?? '')}` };
  env.MLMON_PROMTOOL ??= join(dir, 'promtool');
  env.MLMON_AMTOOL ??= join(dir, 'amtool');
  return { promtool: env.MLMON_PROMTOOL, amtool: env.MLMON_AMTOOL };
}

function timeValidate(args, configFile, runs, context) {
  const results = [];
  for (let run = 0; run < runs; run++) results.push(runNode([mlmonBin, 'validate', ...args, '-c', configFile], { ...context, cwd: dirname(configFile) }));
  const failed = results.find((r) => r.exitCode !== 0);
  return {
    // Exit 1 means validate ran and reported problems: the time is still a real measurement.
    status: failed ? (failed.exitCode === 1 ? 'problems' : 'failed') : 'ok',
    medianMs: median(results.map((r) => r.wallMs)),
    runsMs: results.map((r) => r.wallMs),
    peakRssBytes: Math.max(...results.map((r) => r.peakRssBytes ?? 0)) || undefined,
    ...(failed ? { exitCode: failed.exitCode, message: firstLines(failed.stderr || failed.stdout) } : {}),
  };
}

/**
 * Each generated proof file under prometheus/tests, run alone with `promtool test rules` (one after another, so
 * none slows another down), `runs` times; a file's time is its median. The figure is the slowest file over the
 * median file: validate runs the files side by side, so one file far slower than the rest is what it waits for.
 */
function timeProofShards(outDir, runs, env) {
  const testsDir = join(outDir, 'prometheus/tests');
  const files = existsSync(testsDir) ? readdirSync(testsDir).filter((f) => f.endsWith('.test.yml')).sort() : [];
  const promtool = env.MLMON_PROMTOOL ?? 'promtool';
  const runsMs = Object.fromEntries(files.map((f) => [f, []]));
  const failed = new Set();
  for (let run = 0; run < runs; run++) {
    for (const file of files) {
      const start = performance.now();
      const child = spawnSync(promtool, ['test', 'rules', file], { cwd: testsDir, env, encoding: 'utf8', timeout: commandTimeoutMs, maxBuffer: 64 * 1024 * 1024 });
      runsMs[file].push(performance.now() - start);
      if (child.status !== 0) failed.add(file);
    }
  }
  const byFile = Object.fromEntries(files.map((f) => [f, median(runsMs[f])]));
  const slowest = files.reduce((worst, f) => (worst === undefined || byFile[f] > byFile[worst] ? f : worst), undefined);
  const medianMs = median(Object.values(byFile));
  return {
    status: files.length === 0 ? 'failed' : failed.size ? 'problems' : 'ok',
    files: files.length,
    slowest: slowest && { file: slowest, ms: byFile[slowest] },
    medianMs,
    ratio: slowest ? byFile[slowest] / medianMs : undefined,
    byFileMs: byFile,
    ...(failed.size ? { failedFiles: [...failed] } : {}),
  };
}

/**
 * The full validate in process (bench/validate-steps.mjs), `runs` times: its wall time from node's start and
 * each external check's own time within it. The figure is the wall time over the slowest check, as a median
 * over the runs: 1 would be a validate that lasts exactly as long as its slowest step.
 */
function timeValidateSteps(configFile, runs, context) {
  const measured = [];
  for (let run = 0; run < runs; run++) {
    const result = runNode([validateStepsScript, configFile], { ...context, cwd: dirname(configFile) });
    if (result.exitCode !== 0) return { status: 'failed', exitCode: result.exitCode, message: firstLines(result.stderr || result.stdout) };
    const { wallMs, steps, ok, failed } = JSON.parse(result.stdout.trim().split('\n').pop());
    const slowest = steps.reduce((worst, step) => (!worst || step.ms > worst.ms ? step : worst), undefined);
    measured.push({ wallMs, slowest, ratio: wallMs / slowest.ms, ok, failed, steps });
  }
  const ratio = median(measured.map((m) => m.ratio));
  const typical = measured.find((m) => m.ratio === ratio) ?? measured[0];
  return {
    status: measured.every((m) => m.ok) ? 'ok' : 'problems',
    wallMs: median(measured.map((m) => m.wallMs)),
    slowest: { id: typical.slowest.id, ms: median(measured.map((m) => m.slowest.ms)) },
    ratio,
    runs: measured,
  };
}

/** Everything measured for one fleet size. */
async function measureSize(models, options, context, validate) {
  const dir = join(context.scratch, `n${models}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const config = buildWorkload(models);
  const typescript = join(dir, 'monitoring.config.ts');
  const json = join(dir, 'monitoring.config.json');
  writeFileSync(json, `${JSON.stringify(config, null, 2)}\n`);
  const outDir = join(dir, 'out');
  const generate = (label) => {
    rmSync(outDir, { recursive: true, force: true });
    const result = runNode([mlmonBin, 'generate', '-c', typescript, '-o', outDir], { ...context, cwd: dir });
    if (result.exitCode !== 0) {
      throw Object.assign(new Error(`mlmon generate (${label}, ${models} models) exited ${result.exitCode}: ${firstLines(result.stderr || result.stdout, 2)}`), {
        failedAfterMs: result.wallMs,
        peakRssBytes: result.peakRssBytes,
      });
    }
    return result;
  };

  // First: nothing cached, neither jiti's transform of the config nor mlmon's code cache (src/cli/code-cache.ts):
  // what a fresh CI container pays. One run; it also fills the code cache for the runs after it.
  writeFileSync(typescript, workloadAsTypeScript(config, `first ${process.pid} ${Date.now()}`));
  clearJitiCaches(context);
  rmSync(context.env.MLMON_CODE_CACHE, { recursive: true, force: true });
  const first = generate('first');
  // Cold: every run gets config content jiti has never seen (its cache is keyed by content), and the cache
  // folders we know of are emptied too. mlmon's own code cache stays warm: a changed config, the everyday case.
  const cold = [];
  for (let run = 0; run < options.runs; run++) {
    writeFileSync(typescript, workloadAsTypeScript(config, `cold ${process.pid} ${run} ${Date.now()}`));
    clearJitiCaches(context);
    cold.push(generate('cold'));
  }
  // Warm: the same content every time, after one unmeasured run that fills the cache.
  writeFileSync(typescript, workloadAsTypeScript(config));
  generate('priming');
  const warm = [];
  for (let run = 0; run < options.runs; run++) warm.push(generate('warm'));
  const output = { ...outputSize(outDir), rules: await countRules(outDir) };

  // In process, stage by stage (warm cache), in a fresh node each time; and the JSON config for comparison.
  const stageRuns = [];
  for (let run = 0; run < options.runs; run++) stageRuns.push(runStages(typescript, join(dir, 'out-stages'), context));
  const jsonRuns = [];
  for (let run = 0; run < options.runs; run++) jsonRuns.push(runStages(json, join(dir, 'out-stages'), context));
  const stages = Object.fromEntries(stageNames.map((stage) => [stage, median(stageRuns.map((r) => r.timings[stage]))]));
  stages.loadJson = median(jsonRuns.map((r) => r.timings.load));
  stages.startup = median(stageRuns.map((r) => r.timings.startup));

  const validation = {};
  for (const [key, args] of [['skipExternal', ['--skip-external']], ['external', []]]) {
    if (!validate.available) validation[key] = { status: 'not available', reason: validate.reason };
    else if (key === 'external' && !options.external) validation[key] = { status: 'skipped', reason: '--no-external' };
    else validation[key] = timeValidate(args, typescript, options.runs, context);
  }

  // The proof files and validate's steps: only with the external tools (they are what is timed).
  const external = validate.available && options.external && !validate.tools?.error;
  const notTimed = { status: 'skipped', reason: !validate.available ? validate.reason : !options.external ? '--no-external' : validate.tools?.error };
  const proofs = external ? timeProofShards(outDir, options.runs, context.env) : notTimed;
  const validateSteps = external ? timeValidateSteps(typescript, options.runs, context) : notTimed;

  return {
    models,
    services: serviceCountOf(models),
    teams: teamCountOf(models),
    receivers: Object.keys(config.alerting.receivers).length,
    routes: config.alerting.routes.length,
    configBytes: { typescript: statSync(typescript).size, json: statSync(json).size },
    generate: {
      firstMs: first.wallMs,
      coldMs: median(cold.map((r) => r.wallMs)),
      warmMs: median(warm.map((r) => r.wallMs)),
      coldRunsMs: cold.map((r) => r.wallMs),
      warmRunsMs: warm.map((r) => r.wallMs),
      peakRssBytes: Math.max(...[...cold, ...warm].map((r) => r.peakRssBytes ?? 0)) || undefined,
    },
    stages,
    stageRunsMs: stageRuns.map((r) => r.timings),
    inProcessPeakRssBytes: Math.max(...stageRuns.map((r) => r.maxRssBytes)),
    output,
    validate: validation,
    proofs,
    validateSteps,
  };
}

function runStages(configFile, outDir, context) {
  const result = runNode([stagesScript, configFile, outDir], { ...context, cwd: dirname(configFile) });
  if (result.exitCode !== 0) throw new Error(`bench/stages.mjs ${configFile} exited ${result.exitCode}: ${firstLines(result.stderr, 8)}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

/**
 * jiti keeps transpiled files in `node_modules/.cache/jiti` when it finds a node_modules folder beside the
 * loader, and in `$TMPDIR/jiti` otherwise (mlmon's case: none beside dist/config/). Children get a TMPDIR of
 * our own, so emptying it never touches anyone else's cache; the content nonce makes a run cold even if jiti
 * ever caches somewhere else.
 */
function clearJitiCaches(context) {
  rmSync(join(context.env.TMPDIR, 'jiti'), { recursive: true, force: true });
}

/**
 * `--help` is mostly node's own start-up, so it is timed on a quiet machine: after waiting (up to `--settle`
 * seconds, 120 by default) for the 1-minute load average to drop under 1, as `npm run bench` has just built
 * dist/ with tsc and esbuild.
 * The load average it was timed at is recorded with the result.
 */
async function waitForQuietMachine(maxMs = 120_000) {
  const start = performance.now();
  while (loadavg()[0] >= 1 && performance.now() - start < maxMs) await new Promise((resolve) => setTimeout(resolve, 2000));
  return loadavg()[0];
}

function timeHelp(runs, context) {
  const results = [];
  const baseline = [];
  for (let run = 0; run < runs; run++) {
    results.push(runNode([mlmonBin, '--help'], { ...context, cwd: repoRoot }));
    baseline.push(runNode(['-e', '0'], { ...context, cwd: repoRoot }));
  }
  const failed = results.find((r) => r.exitCode !== 0);
  if (failed) throw new Error(`mlmon --help exited ${failed.exitCode}: ${firstLines(failed.stderr)}`);
  return { medianMs: median(results.map((r) => r.wallMs)), runsMs: results.map((r) => r.wallMs), nodeStartupMedianMs: median(baseline.map((r) => r.wallMs)) };
}

// ---- targets ---------------------------------------------------------------------------------------------

/** How fast a stage grows between two fleet sizes: 1 is linear, 2 quadratic. */
const growthExponent = (t1, t2, n1, n2) => Math.log(t2 / t1) / Math.log(n2 / n1);

function judgeTargets(results) {
  const bySize = new Map(results.sizes.map((s) => [s.models, s]));
  const measured = results.sizes.filter((s) => !s.error);
  const targets = [];
  const wallTarget = (models, limitMs) => {
    const size = bySize.get(models);
    const id = `generate-${models}`;
    const description = `generate ${models.toLocaleString('en')} models in under ${limitMs / 1000} s wall (cold jiti cache)`;
    if (!size) return targets.push({ id, description, status: 'n/a', measured: `size ${models} not run` });
    if (size.error) return targets.push({ id, description, status: 'MISS', measured: `generate failed: ${firstLines(size.error, 1)}` });
    const cold = size.generate.coldMs;
    targets.push({ id, description, status: cold < limitMs ? 'PASS' : 'MISS', measured: `${formatMs(cold)} cold, ${formatMs(size.generate.warmMs)} warm`, value: cold, limit: limitMs });
  };
  wallTarget(1000, 1000);
  wallTarget(10000, 5000);

  // Fixed costs (module loading, template compilation) dominate small fleets and hide growth, so judge only
  // sizes from 100 up, and only steps where the stage takes long enough (20 ms) for the ratio to mean something.
  const large = measured.filter((s) => s.models >= 100);
  const exponents = {};
  const worst = [];
  for (const stage of stageNames) {
    exponents[stage] = [];
    for (let i = 1; i < large.length; i++) {
      const [a, b] = [large[i - 1], large[i]];
      const [t1, t2] = [a.stages[stage], b.stages[stage]];
      const exponent = growthExponent(Math.max(t1, 0.01), Math.max(t2, 0.01), a.models, b.models);
      exponents[stage].push({ from: a.models, to: b.models, exponent: Number(exponent.toFixed(2)), judged: t2 >= 20 });
      if (t2 >= 20 && exponent > 1.2) worst.push(`${stage} ${a.models}→${b.models}: ×${(t2 / t1).toFixed(1)} for ×${b.models / a.models} models (exponent ${exponent.toFixed(2)})`);
    }
  }
  const judged = Object.values(exponents).flat().filter((e) => e.judged);
  targets.push({
    id: 'stages-linear',
    description: 'every stage grows linearly with N (growth exponent ≤ 1.2 between sizes ≥ 100)',
    status: judged.length === 0 ? 'n/a' : worst.length ? 'MISS' : 'PASS',
    measured: judged.length === 0 ? 'needs two sizes ≥ 100' : worst.length ? worst.join('; ') : stageNames.map((s) => `${s} ${exponents[s].map((e) => e.exponent).join('/')}`).join(', '),
    exponents,
  });

  const big = bySize.get(10000);
  const rssDescription = 'peak RSS of generate under 500 MB at 10,000 models';
  targets.push(!big
    ? { id: 'rss-10000', description: rssDescription, status: 'n/a', measured: 'size 10000 not run' }
    : big.error
      ? { id: 'rss-10000', description: rssDescription, status: 'MISS', measured: `${big.peakRssBytes ? `${formatBytes(big.peakRssBytes)} before ` : ''}generate failed: ${firstLines(big.error, 1)}` }
      : { id: 'rss-10000', description: rssDescription, status: big.generate.peakRssBytes < 500e6 ? 'PASS' : 'MISS', measured: formatBytes(big.generate.peakRssBytes), value: big.generate.peakRssBytes, limit: 500e6 });

  targets.push({ id: 'help', description: '`mlmon --help` under 150 ms (median)', status: results.help.medianMs < 150 ? 'PASS' : 'MISS', measured: `${formatMs(results.help.medianMs)} (bare \`node -e 0\`: ${formatMs(results.help.nodeStartupMedianMs)})`, value: results.help.medianMs, limit: 150 });

  // The proofs split evenly, and validate little longer than its slowest step (issue #12), judged at 1,000 models.
  const ratioTarget = (id, description, cell, limit, measuredText) => {
    const size = bySize.get(1000);
    if (!size) return targets.push({ id, description, status: 'n/a', measured: 'size 1000 not run' });
    const value = size.error ? undefined : cell(size);
    if (!value || value.status === 'skipped') return targets.push({ id, description, status: 'n/a', measured: value?.reason ?? `generate failed: ${firstLines(size.error ?? '', 1)}` });
    if (value.ratio === undefined) return targets.push({ id, description, status: 'MISS', measured: `${value.status}: ${value.message ?? 'nothing measured'}` });
    const problems = value.status === 'ok' ? '' : ` (${value.status}${value.failedFiles ? `: ${value.failedFiles.join(', ')}` : ''})`;
    targets.push({ id, description, status: value.ratio <= limit && value.status === 'ok' ? 'PASS' : 'MISS', measured: `${measuredText(value)}${problems}`, value: value.ratio, limit });
  };
  ratioTarget('proof-shards-1000', 'no proof file over 2× the median file at 1,000 models (`promtool test rules`, each alone)', (s) => s.proofs, 2,
    (p) => `×${p.ratio.toFixed(2)}: slowest ${p.slowest.file} ${formatMs(p.slowest.ms)}, median ${formatMs(p.medianMs)} of ${p.files} files`);
  ratioTarget('validate-steps-1000', 'full validate within 1.2× its slowest external step at 1,000 models', (s) => s.validateSteps, 1.2,
    (v) => `×${v.ratio.toFixed(2)}: validate ${formatMs(v.wallMs)}, slowest step ${v.slowest.id} ${formatMs(v.slowest.ms)}`);

  const alertCounts = measured.map((s) => s.output.rules.alerting);
  const constant = alertCounts.every((count) => count === alertCounts[0]);
  targets.push({
    id: 'alert-rules-constant',
    description: 'the number of alerting rules does not grow with N (thresholds are series, not rules)',
    status: measured.length < 2 ? 'n/a' : constant ? 'PASS' : 'MISS',
    measured: results.sizes.map((s) => `${s.models}: ${s.error ? 'failed' : s.output.rules.alerting}`).join(', '),
  });
  return targets;
}

// ---- reporting -------------------------------------------------------------------------------------------

function formatValidate(v) {
  if (v.status === 'not available' || v.status === 'skipped') return v.status;
  return `${formatMs(v.medianMs)}${v.status === 'ok' ? '' : ` (${v.status}${v.exitCode !== undefined ? `, exit ${v.exitCode}` : ''})`}`;
}

function tables(results) {
  const generate = {
    title: 'generate (wall = whole `mlmon generate` process; stages in process, jiti cache warm; medians)',
    header: ['models', 'services', 'teams', 'first run', 'cold', 'warm', 'node+imports', 'load .ts', 'load .json', 'validate', 'normalize', 'render', 'write', 'peak RSS'],
    rows: results.sizes.map((s) => s.error ? failedRow(s, 14) : [
      s.models.toLocaleString('en'), String(s.services), String(s.teams), formatMs(s.generate.firstMs), formatMs(s.generate.coldMs), formatMs(s.generate.warmMs),
      ...['startup', 'load', 'loadJson', 'validate', 'normalize', 'render', 'write'].map((stage) => formatMs(s.stages[stage])), formatBytes(s.generate.peakRssBytes),
    ]),
  };
  const output = {
    title: 'output and validate',
    header: ['models', 'files', 'bytes', 'alerting rules', 'recording rules', 'validate --skip-external', 'validate (external tools)'],
    rows: results.sizes.map((s) => s.error ? failedRow(s, 7) : [
      s.models.toLocaleString('en'), String(s.output.files), formatBytes(s.output.bytes), String(s.output.rules.alerting), String(s.output.rules.recording),
      formatValidate(s.validate.skipExternal), formatValidate(s.validate.external),
    ]),
  };
  const ratio = (value) => (value === undefined ? '–' : `×${value.toFixed(2)}`);
  const cell = (value, text) => (value?.status === 'skipped' ? 'skipped' : value?.status === 'failed' ? 'failed' : `${text()}${value?.status === 'problems' ? ' (problems)' : ''}`);
  const steps = {
    title: 'proofs and validate steps (promtool on each proof file alone; validate in process, against its slowest external check)',
    header: ['models', 'proof files', 'slowest file', 'median file', 'slowest / median', 'validate', 'slowest step', 'validate / slowest step'],
    rows: results.sizes.map((s) => s.error ? [s.models.toLocaleString('en'), 'failed', ...Array(6).fill('–')] : [
      s.models.toLocaleString('en'),
      cell(s.proofs, () => String(s.proofs.files)), cell(s.proofs, () => formatMs(s.proofs.slowest?.ms)), cell(s.proofs, () => formatMs(s.proofs.medianMs)), cell(s.proofs, () => ratio(s.proofs.ratio)),
      cell(s.validateSteps, () => formatMs(s.validateSteps.wallMs)), cell(s.validateSteps, () => `${formatMs(s.validateSteps.slowest.ms)} (${s.validateSteps.slowest.id})`), cell(s.validateSteps, () => ratio(s.validateSteps.ratio)),
    ]),
  };
  return [generate, output, steps];
}

/** The generate tables, then the rule-group section's when it ran. */
function allTables(results) {
  return [...tables(results), ...(results.ruleGroups ? ruleGroupTables(results.ruleGroups) : []), ...(results.operator ? [operatorTable(results.operator)] : [])];
}

/** A size whose generate failed: the row says so, and the message is printed under the tables. */
function failedRow(size, columns) {
  const sizeColumns = columns > 7 ? [String(size.services), String(size.teams)] : [];
  return [size.models.toLocaleString('en'), ...sizeColumns, 'failed', ...Array(columns - sizeColumns.length - 2).fill('–')];
}

function failures(results) {
  return results.sizes.filter((s) => s.error).map((s) => {
    const after = s.failedAfterMs === undefined ? '' : ` after ${formatMs(s.failedAfterMs)} (peak RSS ${formatBytes(s.peakRssBytes)})`;
    return `${s.models.toLocaleString('en')} models failed${after}: ${s.error}`;
  });
}

function plainTable({ title, header, rows }) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable({ title, header, rows }) {
  return [`**${title}**`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---:').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function machineLine(machine) {
  const load = (averages) => averages.map((l) => l.toFixed(2)).join(' ');
  // Other work on the machine slows every number down; the load averages say how much there was.
  return `${machine.cpuModel}, ${machine.nproc} cores (nproc), ${formatBytes(machine.memoryBytes)} RAM, Node ${machine.node}; load average ${load(machine.loadAverage)} at start${machine.loadAverageAtEnd ? `, ${load(machine.loadAverageAtEnd)} at end` : ''}`;
}

function targetLines(targets) {
  return targets.map((t) => `${t.status.padEnd(4)}  ${t.description}: ${t.measured}`);
}

function markdownReport(results) {
  return [
    `Measured ${results.measuredAt.slice(0, 10)} on ${machineLine(results.machine)}; ${results.options.runs} run(s) per cell, median.`,
    '',
    ...allTables(results).flatMap((t) => [markdownTable(t), '']),
    ...failures(results).flatMap((line) => [`> ${line.replace(/\n/g, ' ')}`, '']),
    `\`mlmon --help\`: ${formatMs(results.help.medianMs)} median (bare \`node -e 0\`: ${formatMs(results.help.nodeStartupMedianMs)}; load average ${results.help.loadAverage?.toFixed(2) ?? 'unknown'} when timed).`,
    '',
    '```',
    ...targetLines(results.targets),
    '```',
    '',
    ...(results.slo ? [...sloTables(results.slo).flatMap((t) => [markdownTable(t), '']), '```', ...sloNotes(results.slo), '```', ''] : []),
    ...(results.integrations ? [...integrationTables(results.integrations).flatMap((t) => [markdownTable(t), '']), '```', ...integrationNotes(results.integrations), '```', ''] : []),
  ].join('\n');
}

// ---- main ------------------------------------------------------------------------------------------------

function newestMtime(dir, pattern) {
  return listFiles(dir).filter((f) => pattern.test(f)).reduce((newest, f) => Math.max(newest, statSync(f).mtimeMs), 0);
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(join(repoRoot, 'dist/pipeline.js'))) {
    process.stderr.write('dist/ is not built: run `npm run build` (or `npm run bench`, which builds first).\n');
    process.exit(2);
  }
  const staleDist = newestMtime(join(repoRoot, 'src'), /\.ts$/) > newestMtime(join(repoRoot, 'dist'), /\.js$/);
  if (staleDist) process.stderr.write('warning: src/ has changes newer than dist/; these numbers are for the last build (`npm run bench` builds first).\n');

  const ownScratch = !options.scratch;
  const scratch = options.scratch ?? mkdtempSync(join(tmpdir(), 'mlmon-bench-'));
  const childTmp = join(scratch, 'tmp');
  mkdirSync(childTmp, { recursive: true });
  // Children get their own TMPDIR (jiti's cache lands there unless a node_modules is beside the loader),
  // no colour, and no inherited jiti settings that would change what is measured.
  // mlmon's code cache (src/cli/code-cache.ts) in the scratch folder too, so the first run of each size starts
  // without one and the user's own is never touched.
  const env = { ...process.env, TMPDIR: childTmp, NO_COLOR: '1', MLMON_CODE_CACHE: join(scratch, 'code-cache') };
  for (const key of Object.keys(env)) if (key.startsWith('JITI_')) delete env[key];
  const context = { env, scratch, rssProbe: detectRssProbe() };

  const { mlmonVersion } = await import(new URL('../dist/version.js', import.meta.url).href).catch(() => ({ mlmonVersion: 'unknown' }));
  const results = {
    schemaVersion: 1,
    measuredAt: new Date().toISOString(),
    machine: {
      nproc: Number(spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim()) || cpus().length,
      cpuModel: (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown').trim(),
      memoryBytes: totalmem(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverage: loadavg(),
    },
    mlmon: { version: mlmonVersion, staleDist },
    options: { sizes: options.sizes, runs: options.runs, external: options.external, ruleGroups: options.ruleGroups, rssProbe: context.rssProbe },
    help: undefined,
    validate: undefined,
    sizes: [],
    targets: [],
  };

  try {
    process.stderr.write(`mlmon ${mlmonVersion} bench: sizes ${options.sizes.join(', ')}; ${options.runs} run(s) each; scratch ${scratch}\n`);
    const loadAverage = await waitForQuietMachine(options.settleSeconds * 1000);
    results.help = { ...timeHelp(Math.max(5, options.runs * 3), context), loadAverage };
    results.validate = validateAvailability(context);
    if (!results.validate.available) process.stderr.write(`  mlmon validate is not available (${results.validate.reason}); its columns say so\n`);
    else if (options.external) results.validate.tools = provideExternalTools(context.env);
    for (const models of options.sizes) {
      const start = performance.now();
      process.stderr.write(`  ${models} models (load average ${loadavg()[0].toFixed(2)})… `);
      try {
        results.sizes.push(await measureSize(models, options, context, results.validate));
        process.stderr.write(`${formatMs(performance.now() - start)}\n`);
      } catch (error) {
        // A fleet size mlmon can't generate is a result, not a reason to lose the others.
        results.sizes.push({ models, services: serviceCountOf(models), teams: teamCountOf(models), error: error.message, failedAfterMs: error.failedAfterMs, peakRssBytes: error.peakRssBytes });
        process.stderr.write(`failed after ${formatMs(performance.now() - start)}: ${firstLines(error.message, 1)}\n`);
      }
    }
    if (options.slo) {
      results.slo = measureSlo({ sizes: options.sizes, runs: options.runs, sloth: options.external, scratch, env: context.env, log: (text) => process.stderr.write(text) });
    }
    if (options.integrations) {
      results.integrations = measureIntegrations({ sizes: options.sizes, runs: options.runs, scratch, env: context.env, log: (text) => process.stderr.write(text) });
    }
    results.machine.loadAverageAtEnd = loadavg();
    if (options.ruleGroups.length) {
      process.stderr.write(`  rule groups in a real Prometheus: ${options.ruleGroups.join(', ')} models (load average ${loadavg()[0].toFixed(2)})\n`);
      results.ruleGroups = await measureRuleGroups({ sizes: options.ruleGroups, scratch: context.scratch });
    }
    // The operator target at the sizes of 1,000 models and up (bench/operator.mjs).
    if (options.sizes.some((n) => n >= 1000)) results.operator = measureOperator({ sizes: options.sizes.filter((n) => n >= 1000), scratch, log: (text) => process.stderr.write(text) });
    results.targets = judgeTargets(results);
    if (results.ruleGroups) results.targets.push(judgeRuleGroups(results.ruleGroups));
    if (options.profile) {
      const { profileGenerate, summarizeProfile, formatProfileSummary } = await import('./profile.mjs');
      // The largest size, even if its generate failed: the profile then shows where the time went until then.
      const largest = options.sizes.at(-1);
      const configFile = join(scratch, `n${largest}`, 'monitoring.config.ts');
      const { profile, exitCode, stderr } = profileGenerate(configFile, context.env);
      const summary = summarizeProfile(profile, 25);
      results.profile = { models: largest, exitCode, ...summary };
      const failed = exitCode === 0 ? '' : ` — generate exited ${exitCode} (${firstLines(stderr, 1)}); the profile covers the run up to that point`;
      process.stdout.write(`\nCPU profile of generate, ${largest} models (warm jiti cache)${failed}:\n${formatProfileSummary(summary)}\n`);
    }
  } finally {
    if (ownScratch && !options.keep) rmSync(scratch, { recursive: true, force: true });
  }

  process.stdout.write(`\n${machineLine(results.machine)}\n\n`);
  for (const table of allTables(results)) process.stdout.write(`${plainTable(table)}\n\n`);
  for (const line of failures(results)) process.stdout.write(`${line}\n\n`);
  process.stdout.write(`mlmon --help: ${formatMs(results.help.medianMs)} median of ${results.help.runsMs.length} (bare node: ${formatMs(results.help.nodeStartupMedianMs)})\n\n`);
  process.stdout.write(`${targetLines(results.targets).join('\n')}\n`);
  if (results.slo) {
    process.stdout.write('\n');
    for (const table of sloTables(results.slo)) process.stdout.write(`${plainTable(table)}\n\n`);
    process.stdout.write(`${sloNotes(results.slo).join('\n')}\n`);
  }
  if (results.integrations) {
    process.stdout.write('\n');
    for (const table of integrationTables(results.integrations)) process.stdout.write(`${plainTable(table)}\n\n`);
    process.stdout.write(`${integrationNotes(results.integrations).join('\n')}\n`);
  }

  mkdirSync(dirname(options.results), { recursive: true });
  writeFileSync(options.results, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(options.results.replace(/\.json$/, '') + '.md', markdownReport(results));
  process.stdout.write(`\nresults: ${relative(process.cwd(), options.results) || options.results}\n`);
}

main().catch((error) => {
  process.stderr.write(`\nbench failed: ${error.message}\n`);
  process.exit(1);
});
