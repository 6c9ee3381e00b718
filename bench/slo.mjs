/**
 * SLOs at fleet scale, mlmon beside Sloth (github.com/slok/sloth, the pinned build of
 * `scripts/install-tools.sh --with-sloth`). For N models (bench/workload.mjs) with the same two SLOs on every
 * model (availability 99.5% and latency 99% under 0.5 s, both over 28 days), it measures
 *
 *   - `mlmon generate` of the workload with `defaults.modelSlos` set (whole process, cold jiti cache, median),
 *     and the rules it writes: alerting and recording rules, apart from constant series (thresholds, objectives);
 *   - `sloth generate` of the equivalent Sloth spec (`prometheus/v1`, one SLO per model and indicator, one spec
 *     document per service), its rules and output size; and, for reference, the same SLOs written as Sloth's
 *     informal "grouped" form (one SLO per indicator whose queries aggregate `by (model)`), which Sloth's rules
 *     handle but its spec has no notion of (its dashboards break on it, and every model must share one objective).
 *
 *   node bench/slo.mjs [--sizes 10,100,1000,10000] [--runs 3] [--no-sloth] [--results <file.json>] [--scratch <dir>] [--keep]
 *
 * bench/run.mjs runs it as its last section (`--no-slo` leaves it out; `--no-external` leaves Sloth out).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';
import { stringify } from 'yaml';
import { buildWorkload, workloadAsTypeScript } from './workload.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const mlmonBin = join(repoRoot, 'bin/mlmon.js');
/** The Sloth release compared with; scripts/install-tools.sh builds the same one (SLOTH_VERSION). */
export const slothVersion = '0.16.0';
const commandTimeoutMs = 10 * 60_000;

/**
 * The SLOs every model gets, as mlmon config (`defaults.modelSlos`). The Sloth spec below says the same thing;
 * keep the two in step.
 */
export const benchModelSlos = {
  availability: { indicator: { kind: 'availability' }, objective: 99.5, window: '28d' },
  latency: { indicator: { kind: 'latency', thresholdSeconds: 0.5 }, objective: 99, window: '28d' },
};

/** The bench workload for `models` models with `defaults.modelSlos` set: what mlmon generates in this section. */
export function buildSloWorkload(models) {
  const config = buildWorkload(models);
  return { ...config, defaults: { ...config.defaults, modelSlos: structuredClone(benchModelSlos) } };
}

// ---- the Sloth side --------------------------------------------------------------------------------------

/** PromQL selector label matcher, quoted as PromQL wants (model names here are plain, but be exact). */
const quote = (value) => JSON.stringify(value);

/**
 * The SLI queries of one model, in Sloth's template form (`{{.window}}` is the range). Availability: predictions
 * with `status="error"` over all predictions. Latency: inferences slower than 0.5 s (all minus the `le="0.5"`
 * bucket) over all inferences (`_count`) — exactly what mlmon's `latency` indicator means.
 */
export function slothQueries(model) {
  const m = `model=${quote(model)}`;
  return {
    availability: {
      error_query: `sum(rate(predictions_total{${m},status="error"}[{{.window}}]))`,
      total_query: `sum(rate(predictions_total{${m}}[{{.window}}]))`,
    },
    latency: {
      error_query: `(sum(rate(model_inference_duration_seconds_count{${m}}[{{.window}}])) - sum(rate(model_inference_duration_seconds_bucket{${m},le="0.5"}[{{.window}}])))`,
      total_query: `sum(rate(model_inference_duration_seconds_count{${m}}[{{.window}}]))`,
    },
  };
}

const objectives = { availability: benchModelSlos.availability.objective, latency: benchModelSlos.latency.objective };
const alertNames = { availability: 'ModelAvailabilityBudgetBurn', latency: 'ModelLatencyBudgetBurn' };

/** One Sloth SLO (`prometheus/v1` `slos[]` item). */
function slothSlo(name, indicator, events, labels) {
  return {
    name,
    objective: objectives[indicator],
    description: `${indicator} of ${labels.model ?? 'every model'}`,
    ...(Object.keys(labels).length ? { labels } : {}),
    sli: { events },
    alerting: {
      name: alertNames[indicator],
      labels: { category: indicator },
      page_alert: { labels: { severity: 'critical' } },
      ticket_alert: { labels: { severity: 'warning' } },
    },
  };
}

/**
 * The Sloth spec (`prometheus/v1`) for the config's models: one document per mlmon service, holding one SLO per
 * model and indicator, as Sloth's docs write SLOs (its spec has no per-label SLOs). The period (28d) is not part
 * of a `prometheus/v1` spec: Sloth takes it from `--default-slo-period`. Returns the documents (objects).
 */
export function slothSpecPerModel(config) {
  const byService = new Map();
  for (const [model, { service, team }] of Object.entries(config.models)) {
    if (!byService.has(service)) byService.set(service, []);
    const queries = slothQueries(model);
    const labels = { model, team: team ?? config.defaults.team };
    for (const indicator of ['availability', 'latency']) byService.get(service).push(slothSlo(`${model}-${indicator}`, indicator, queries[indicator], labels));
  }
  return [...byService].map(([service, slos]) => ({ version: 'prometheus/v1', service, slos }));
}

/**
 * The same SLOs as one SLO per indicator whose queries keep the `model` label (`sum by (model)`): Sloth's rules
 * then carry one series per model. Only possible because every model here has the same objective.
 */
export function slothSpecGrouped() {
  const events = {
    availability: {
      error_query: 'sum by (model) (rate(predictions_total{status="error"}[{{.window}}]))',
      total_query: 'sum by (model) (rate(predictions_total[{{.window}}]))',
    },
    latency: {
      error_query: '(sum by (model) (rate(model_inference_duration_seconds_count[{{.window}}])) - sum by (model) (rate(model_inference_duration_seconds_bucket{le="0.5"}[{{.window}}])))',
      total_query: 'sum by (model) (rate(model_inference_duration_seconds_count[{{.window}}]))',
    },
  };
  return [{ version: 'prometheus/v1', service: 'models', slos: ['availability', 'latency'].map((indicator) => slothSlo(indicator, indicator, events[indicator], {})) }];
}

/** Documents as multi-document YAML, as a user would write them (Sloth splits its input at lines starting `---`). */
const asYamlDocuments = (documents) => documents.map((document) => `---\n${stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('');

/**
 * The pinned Sloth: `$MLMON_SLOTH`, else the build `scripts/install-tools.sh --with-sloth` keeps in the tools
 * cache (it builds it when missing, a few minutes on two cores). Never `sloth` from PATH: another version would
 * make other rules. Returns `{ path, version }` or `{ error }`.
 */
export function provideSloth(env = process.env) {
  let path = env.MLMON_SLOTH;
  if (!path) {
    const install = spawnSync('bash', [join(repoRoot, 'scripts/install-tools.sh'), '--with-sloth'], { encoding: 'utf8', timeout: 30 * 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
    const dir = install.status === 0 ? install.stdout.trim().split('\n').pop() : undefined;
    if (!dir) return { error: `scripts/install-tools.sh --with-sloth exited ${install.status ?? install.signal}` };
    path = join(dir, 'sloth');
  }
  if (!existsSync(path)) return { error: `no sloth at ${path}` };
  const version = spawnSync(path, ['version'], { encoding: 'utf8' });
  return { path, version: (version.stdout || version.stderr).trim() };
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

/**
 * Runs a command to completion: its wall time and, where GNU time is there, its CPU time (user + system, ms).
 * On a shared machine the wall time grows with everyone else's load; the CPU time much less, so both are kept.
 */
function timed(command, args, options) {
  const cpuFile = join(tmpdir(), `mlmon-bench-slo-cpu-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [file, fileArgs] = gnuTime ? ['/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, command, ...args]] : [command, args];
  const start = performance.now();
  const child = spawnSync(file, fileArgs, { encoding: 'utf8', timeout: commandTimeoutMs, maxBuffer: 64 * 1024 * 1024, ...options });
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
    throw new Error(`${basename(command)} ${args.slice(0, 2).join(' ')} exited ${child.status ?? child.signal}: ${said}`);
  }
  return { wallMs, cpuMs };
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])).sort();
}

/**
 * A recording rule whose value is a number (`vector(0.995)`, `1`, Sloth's `vector(1-0.995)`): a series that holds
 * a setting, not a computation. Only digits, a decimal point or exponent, arithmetic and parentheses, optionally in
 * `vector(…)`.
 */
const isConstantSeries = (rule) => typeof rule?.record === 'string' && /^\s*(vector\s*\()?[\d.eE+\-*/()\s]+\)?\s*$/.test(String(rule.expr));

/**
 * Whether a rule is about an SLO: its name has `slo` as a word (`mlmon:slo_objective:ratio`, `slo:sli_error:…`) or
 * `SLO` (`ModelSLOBurn`), or a label of it starts with `slo` (`slo_tier`). Not a bare /slo/i: "slow" has it.
 */
const namesAnSlo = (rule) => {
  const name = String(rule?.record ?? rule?.alert ?? '');
  return /(^|[^a-z])slo([^a-z]|$)/.test(name) || /SLO/.test(name) || Object.keys(rule?.labels ?? {}).some((key) => /^slo/i.test(key));
};

/**
 * Counts the rules of every Prometheus rule file in `files` (any number of YAML documents each):
 * `rules` = alerting + recording rules that compute something, `series` = the constant series (every rule of a
 * `thresholds*.yml` file, and any recording rule whose expression is a number) — mlmon's per-model thresholds and
 * objectives, which grow with the fleet by design, as data rather than as evaluation work. `sloRules`: how many
 * rules (of either kind) are about an SLO.
 */
export function countRuleFiles(files, root) {
  const total = { alerting: 0, recording: 0, series: 0, sloRules: 0, perFile: {} };
  for (const file of files) {
    const seriesFile = /^thresholds.*\.ya?ml$/.test(basename(file));
    const counts = { alerting: 0, recording: 0, series: 0 };
    // js-yaml: Sloth writes 200 MB for 10,000 models, which the yaml library's document model parses in minutes.
    for (const document of jsYaml.loadAll(readFileSync(file, 'utf8'))) {
      const groups = document?.groups;
      for (const group of Array.isArray(groups) ? groups : []) {
        for (const rule of group?.rules ?? []) {
          if (namesAnSlo(rule)) total.sloRules++;
          if (seriesFile || isConstantSeries(rule)) counts.series++;
          else if (typeof rule?.alert === 'string') counts.alerting++;
          else if (typeof rule?.record === 'string') counts.recording++;
        }
      }
    }
    total.perFile[root ? relative(root, file) : file] = counts;
    for (const key of ['alerting', 'recording', 'series']) total[key] += counts[key];
  }
  return { ...total, rules: total.alerting + total.recording };
}

/** mlmon's side for one size: generate's cold wall time (median) and what it wrote. */
function measureMlmon(models, dir, runs, env) {
  const config = buildSloWorkload(models);
  const typescript = join(dir, 'monitoring.config.ts');
  const outDir = join(dir, 'out');
  // The same config as JSON, for a look (and for the test, which reads the fleet's models from it).
  writeFileSync(join(dir, 'monitoring.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const timings = [];
  for (let run = 0; run < runs; run++) {
    // A fresh nonce makes jiti's transpile cache miss (it keys by content), as in bench/run.mjs's cold runs.
    writeFileSync(typescript, workloadAsTypeScript(config, `slo-${models}-${run}-${process.pid}-${Date.now()}`));
    rmSync(outDir, { recursive: true, force: true });
    timings.push(timed(process.execPath, [mlmonBin, 'generate', '-c', typescript, '-o', outDir], { cwd: dir, env }));
  }
  const ruleFiles = listFiles(join(outDir, 'prometheus')).filter((file) => /\.ya?ml$/.test(file) && /(^|\n)groups:/.test(readFileSync(file, 'utf8')));
  const files = listFiles(outDir);
  const rules = countRuleFiles(ruleFiles, outDir);
  return {
    coldMs: median(timings.map((r) => r.wallMs)),
    runsMs: timings.map((r) => r.wallMs),
    cpuMs: median(timings.map((r) => r.cpuMs).filter((ms) => ms !== undefined)),
    rules,
    bytes: files.reduce((sum, file) => sum + statSync(file).size, 0),
    // Whether this build of mlmon read the SLOs at all: a rule or series that names an SLO.
    slosGenerated: rules.sloRules > 0,
  };
}

/** Writes a Sloth spec as `<name>.sloth.yml` in `dir` (also when Sloth is left out: the file shows what it would read). */
function writeSlothSpec(documents, dir, name) {
  const spec = join(dir, `${name}.sloth.yml`);
  writeFileSync(spec, asYamlDocuments(documents));
  return spec;
}

/** Sloth's side for one spec file: `sloth generate` wall time (median) and its output. */
function measureSloth(sloth, documents, spec, runs) {
  const dir = dirname(spec);
  const out = spec.replace(/\.sloth\.yml$/, '.rules.yml');
  const timings = [];
  for (let run = 0; run < runs; run++) {
    rmSync(out, { force: true });
    timings.push(timed(sloth.path, ['generate', '--input', spec, '--out', out, '--default-slo-period', '28d'], { cwd: dir }));
  }
  const rules = countRuleFiles([out], dir);
  const cpuMs = median(timings.map((r) => r.cpuMs).filter((ms) => ms !== undefined));
  return { wallMs: median(timings.map((r) => r.wallMs)), runsMs: timings.map((r) => r.wallMs), cpuMs, slos: documents.reduce((sum, d) => sum + d.slos.length, 0), rules, bytes: statSync(out).size, specBytes: statSync(spec).size };
}

/**
 * Measures every size: `{ sizes: [{ models, mlmon, sloth?, slothGrouped? }], sloth: { path, version } | { error } | 'skipped', targets }`.
 * `options`: `{ sizes, runs, sloth (false to leave Sloth out), scratch, env }`.
 */
export function measureSlo({ sizes, runs, sloth: withSloth = true, scratch, env = process.env, log = () => {} }) {
  const sloth = withSloth ? provideSloth(env) : 'skipped';
  if (sloth.error) log(`  sloth unavailable: ${sloth.error}\n`);
  const results = { slothVersion, sloth, loadAverage: loadavg(), sizes: [] };
  for (const models of sizes) {
    const dir = join(scratch, `slo-n${models}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const size = { models };
    const start = performance.now();
    log(`  SLOs, ${models} models… `);
    try {
      size.mlmon = measureMlmon(models, dir, runs, env);
    } catch (error) {
      size.mlmon = { error: error.message };
    }
    const specs = { sloth: slothSpecPerModel(buildWorkload(models)), slothGrouped: slothSpecGrouped() };
    for (const [side, documents] of Object.entries(specs)) {
      const spec = writeSlothSpec(documents, dir, side === 'sloth' ? 'per-model' : 'grouped');
      if (!sloth.path) continue;
      try {
        size[side] = measureSloth(sloth, documents, spec, runs);
      } catch (error) {
        size[side] = { error: error.message };
      }
    }
    log(`${formatMs(performance.now() - start)}\n`);
    results.sizes.push(size);
  }
  results.loadAverageAtEnd = loadavg();
  results.targets = judgeSloTargets(results);
  return results;
}

// ---- targets and reporting -------------------------------------------------------------------------------

function judgeSloTargets(results) {
  const targets = [];
  const measured = results.sizes.filter((s) => !s.mlmon.error);
  // Until mlmon reads `defaults.modelSlos`, the numbers are those of a generate without SLOs: say so on every line.
  const ignored = measured.length > 0 && !measured.some((s) => s.mlmon.slosGenerated);
  const caveat = ignored ? ' (no SLO rules in the output: this build ignores defaults.modelSlos)' : '';
  const thousand = results.sizes.find((s) => s.models === 1000);
  const id = 'slo-generate-1000';
  const description = 'generate 1,000 models with SLOs in under 1 s wall (cold jiti cache)';
  if (!thousand) targets.push({ id, description, status: 'n/a', measured: 'size 1000 not run' });
  else if (thousand.mlmon.error) targets.push({ id, description, status: 'MISS', measured: `generate failed: ${thousand.mlmon.error}` });
  else targets.push({ id, description, status: thousand.mlmon.coldMs < 1000 ? 'PASS' : 'MISS', measured: `${formatMs(thousand.mlmon.coldMs)} (CPU ${formatMs(thousand.mlmon.cpuMs)})${caveat}`, value: thousand.mlmon.coldMs, limit: 1000 });

  const counts = measured.map((s) => s.mlmon.rules.rules);
  targets.push({
    id: 'slo-rules-constant',
    description: 'the SLO rule count (alerting + recording, constant series apart) is the same at every fleet size',
    status: measured.length < 2 || ignored ? 'n/a' : counts.every((c) => c === counts[0]) ? 'PASS' : 'MISS',
    measured: `${results.sizes.map((s) => `${s.models}: ${s.mlmon.error ? 'failed' : s.mlmon.rules.rules}`).join(', ')}${caveat}`,
  });
  return targets;
}

export function formatMs(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function formatBytes(bytes) {
  if (bytes === undefined) return '–';
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** `a / b` as a ratio for the table: "0.01×"; a dash when either side is missing. */
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '–' : `${(a / b).toPrecision(2)}×`);

/** The section's tables: mlmon beside Sloth (per-model spec), and Sloth's own output in detail. */
export function sloTables(results) {
  const ok = (side) => side && !side.error;
  const comparison = {
    title: `SLOs: mlmon vs Sloth ${results.slothVersion} (2 SLOs per model; rules = alerting + recording, constant series apart; time = wall, mlmon's with a cold jiti cache; CPU = user + system; ratios mlmon/Sloth; medians)`,
    header: ['models', 'mlmon rules', 'mlmon series', 'Sloth rules', 'rule ratio', 'mlmon time', 'Sloth time', 'time ratio', 'mlmon CPU', 'Sloth CPU', 'CPU ratio', 'Sloth grouped rules', 'Sloth grouped time'],
    rows: results.sizes.map((s) => {
      const m = ok(s.mlmon) ? s.mlmon : undefined;
      const sl = ok(s.sloth) ? s.sloth : undefined;
      const g = ok(s.slothGrouped) ? s.slothGrouped : undefined;
      const missing = (side) => (side?.error ? 'failed' : results.sloth === 'skipped' ? 'skipped' : '–');
      return [
        s.models.toLocaleString('en'),
        m ? String(m.rules.rules) : 'failed', m ? String(m.rules.series) : '–',
        sl ? String(sl.rules.rules) : missing(s.sloth), ratio(m?.rules.rules, sl?.rules.rules),
        m ? formatMs(m.coldMs) : '–', sl ? formatMs(sl.wallMs) : missing(s.sloth), ratio(m?.coldMs, sl?.wallMs),
        formatMs(m?.cpuMs), sl ? formatMs(sl.cpuMs) : missing(s.sloth), ratio(m?.cpuMs, sl?.cpuMs),
        g ? String(g.rules.rules) : missing(s.slothGrouped), g ? formatMs(g.wallMs) : missing(s.slothGrouped),
      ];
    }),
  };
  const slothDetail = {
    title: 'Sloth per-model spec in detail (`sloth generate --default-slo-period 28d`; constant series = its `vector(…)` rules: objective, error budget, period, info)',
    header: ['models', 'SLOs', 'recording', 'alerting', 'constant series', 'all rules', 'spec bytes', 'output bytes'],
    rows: results.sizes.filter((s) => ok(s.sloth)).map((s) => [
      s.models.toLocaleString('en'), String(s.sloth.slos), String(s.sloth.rules.recording), String(s.sloth.rules.alerting), String(s.sloth.rules.series),
      String(s.sloth.rules.rules + s.sloth.rules.series), formatBytes(s.sloth.specBytes), formatBytes(s.sloth.bytes),
    ]),
  };
  return slothDetail.rows.length ? [comparison, slothDetail] : [comparison];
}

/** Lines under the tables: what Sloth was, why a column is empty, and the targets. */
export function sloNotes(results) {
  const lines = [];
  if (results.sloth === 'skipped') lines.push('Sloth: skipped (--no-sloth / --no-external).');
  else if (results.sloth.error) lines.push(`Sloth: unavailable (${results.sloth.error}).`);
  else lines.push(`Sloth: ${results.sloth.path} (${results.sloth.version.split('\n')[0]}).`);
  // Wall times on a busy machine mostly measure the others' load: say how much there was.
  const load = (averages) => averages.map((l) => l.toFixed(2)).join(' ');
  lines.push(`Load average ${load(results.loadAverage)} at the start of the section, ${load(results.loadAverageAtEnd)} at its end.`);
  for (const s of results.sizes) {
    for (const [side, value] of [['mlmon', s.mlmon], ['Sloth', s.sloth], ['Sloth grouped', s.slothGrouped]]) if (value?.error) lines.push(`${s.models} models, ${side} failed: ${value.error}`);
  }
  lines.push(...results.targets.map((t) => `${t.status.padEnd(4)}  ${t.description}: ${t.measured}`));
  return lines;
}

export function plainTable({ title, header, rows }) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable({ title, header, rows }) {
  return [`**${title}**`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---:').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---- main ------------------------------------------------------------------------------------------------

function parseOptions(argv) {
  const options = { sizes: [10, 100, 1000, 10000], runs: 3, sloth: true, results: join(repoRoot, 'bench/results/slo.json'), scratch: undefined, keep: false };
  const usage = (problem) => {
    process.stderr.write(`${problem ? `${problem}\n` : ''}usage: node bench/slo.mjs [--sizes 10,100,1000,10000] [--runs 3] [--no-sloth] [--results <file.json>] [--scratch <dir>] [--keep]\n`);
    process.exit(problem ? 2 : 0);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === '--sizes') options.sizes = value().split(',').map((s) => Number(s.trim().replace(/_/g, '')));
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--no-sloth') options.sloth = false;
    else if (arg === '--results') options.results = resolve(value());
    else if (arg === '--scratch') options.scratch = resolve(value());
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown option ${arg}`);
  }
  if (!options.sizes.every((n) => Number.isInteger(n) && n >= 1)) usage('--sizes takes positive whole numbers, e.g. --sizes 10,100');
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
  const scratch = options.scratch ?? mkdtempSync(join(tmpdir(), 'mlmon-bench-slo-'));
  const childTmp = join(scratch, 'tmp');
  mkdirSync(childTmp, { recursive: true });
  const env = { ...process.env, TMPDIR: childTmp, NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('JITI_')) delete env[key];
  let results;
  try {
    results = measureSlo({ sizes: options.sizes, runs: options.runs, sloth: options.sloth, scratch, env, log: (text) => process.stderr.write(text) });
  } finally {
    if (!options.scratch && !options.keep) rmSync(scratch, { recursive: true, force: true });
  }
  results.measuredAt = new Date().toISOString();
  process.stdout.write('\n');
  for (const table of sloTables(results)) process.stdout.write(`${plainTable(table)}\n\n`);
  process.stdout.write(`${sloNotes(results).join('\n')}\n`);
  mkdirSync(dirname(options.results), { recursive: true });
  writeFileSync(options.results, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(options.results.replace(/\.json$/, '') + '.md', [...sloTables(results).flatMap((t) => [markdownTable(t), '']), '```', ...sloNotes(results), '```', ''].join('\n'));
  process.stdout.write(`\nresults: ${relative(process.cwd(), options.results) || options.results}\n`);
}
