/**
 * Fleet-scale workloads for the benchmarks: a config with N models, N/10 services and a handful of teams,
 * each team with its own receivers and routes. Everything is derived from N and a fixed seed, so the same N
 * always gives byte-for-byte the same config (a benchmark that changes its input between runs measures noise).
 *
 *   node bench/workload.mjs 1000 /tmp/fleet   # writes monitoring.config.ts and monitoring.config.json there
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const families = ['fraud', 'churn', 'recsys', 'vision', 'nlp', 'forecast', 'ranking', 'pricing'];

/**
 * mulberry32: a tiny seeded PRNG. Math.random can't be seeded, and pulling a dependency in for ten lines of
 * arithmetic isn't worth it; the workload only needs "varied but reproducible", not statistical quality.
 */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How many teams a fleet of `models` has: grows slowly with the fleet (3 for 10 models, 50 for 10,000). */
export function teamCountOf(models) {
  return Math.min(50, Math.max(3, Math.ceil(Math.sqrt(models) / 2)));
}

/** How many services serve a fleet of `models`: one per ten models, at least one. */
export function serviceCountOf(models) {
  return Math.max(1, Math.floor(models / 10));
}

/**
 * The config object (what `defineConfig` receives) for a fleet of `models` models. `minServices` raises the
 * service count for small fleets (bench/integrations.mjs needs a service per model server even at 10 models).
 */
export function buildWorkload(models, seed = 20240601, { minServices = 1 } = {}) {
  const random = seededRandom(seed + models);
  const between = (low, high, decimals = 2) => Number((low + random() * (high - low)).toFixed(decimals));
  const width = String(models).length;
  const pad = (i, w = width) => String(i).padStart(w, '0');

  const teams = Array.from({ length: teamCountOf(models) }, (_, t) => `team-${pad(t, 2)}`);
  const serviceCount = Math.max(minServices, serviceCountOf(models));

  const services = {};
  const serviceNames = [];
  for (let s = 0; s < serviceCount; s++) {
    const family = families[s % families.length];
    const name = `${family}-api-${pad(s)}`;
    const team = teams[s % teams.length];
    serviceNames.push(name);
    const service = {
      team,
      // One in five services runs outside Kubernetes, to exercise static targets as well as pod discovery.
      discovery: s % 5 === 4 ? { staticTargets: [`${name}.internal:8080`, `${name}-replica.internal:8080`] } : { kubernetesPods: { namespaces: [`${team}-serving`] } },
    };
    const roll = random();
    if (roll < 0.05) service.thresholds = { minThroughputRps: false };
    else if (roll < 0.4) service.thresholds = { maxErrorRatio: between(0.01, 0.1, 3), maxLatencyP95Seconds: between(0.1, 2) };
    if (s % 7 === 0) service.logging = { dropPaths: ['/healthz', '/metrics'] };
    services[name] = service;
  }

  const thresholdRanges = {
    minAccuracy: [0.7, 0.98],
    maxDriftScore: [0.1, 0.5],
    maxInferenceLatencyP95Seconds: [0.05, 2],
    minMeanConfidence: [0.5, 0.9],
  };
  const thresholdKeys = Object.keys(thresholdRanges);
  const modelsConfig = {};
  for (let m = 0; m < models; m++) {
    const service = serviceNames[m % serviceCount];
    const family = service.split('-')[0];
    const model = { service };
    // Most models name their team; the rest fall back to defaults.team.
    if (random() < 0.8) model.team = teams[(m * 7) % teams.length];
    const roll = random();
    if (roll >= 0.3) {
      // 70% override some thresholds; about 3% of models switch one alert off entirely.
      const thresholds = {};
      for (const key of thresholdKeys) if (random() < 0.5) thresholds[key] = between(...thresholdRanges[key]);
      if (roll > 0.97) thresholds[thresholdKeys[m % thresholdKeys.length]] = false;
      if (Object.keys(thresholds).length > 0) model.thresholds = thresholds;
    }
    modelsConfig[`${family}-model-${pad(m)}`] = model;
  }

  const receivers = {
    default: { webhook: [{ url: 'https://alerts.example.com/mlmon/default' }] },
    'ml-oncall': { webhook: [{ urlFile: '/etc/alertmanager/secrets/ml-oncall-url' }] },
  };
  const routes = [
    { match: { severity: 'critical', alertname: ['ModelAccuracyDrop', 'DataDriftDetected'] }, receiver: 'ml-oncall', continue: true },
  ];
  teams.forEach((team, t) => {
    // Half the teams read email, half a chat webhook; every team has its own pager for critical alerts.
    receivers[team] = t % 2 === 0 ? { webhook: [{ url: `https://chat.example.com/hooks/${team}` }] } : { email: [{ to: `${team}@example.com` }] };
    receivers[`${team}-pager`] = { webhook: [{ urlFile: `/etc/alertmanager/secrets/${team}-pager-url`, sendResolved: true }] };
    routes.push({ match: { team }, receiver: team, routes: [{ match: { severity: 'critical' }, receiver: `${team}-pager` }] });
  });

  return {
    cluster: 'bench-cluster',
    environment: 'production',
    runbookBaseUrl: 'https://runbooks.example.com/ml',
    infrastructure: { team: 'platform', nodeExporterTargets: ['node-exporter:9100'] },
    services,
    defaults: {
      team: teams[0],
      modelThresholds: { minAccuracy: 0.85, maxDriftScore: 0.3, maxInferenceLatencyP95Seconds: 1, minMeanConfidence: 0.7 },
    },
    models: modelsConfig,
    alerts: { LowThroughput: { for: '15m' } },
    alerting: {
      defaultReceiver: 'default',
      smtp: { smarthost: 'smtp.example.com:587', from: 'alertmanager@example.com' },
      receivers,
      routes,
    },
  };
}

/** The config as a `monitoring.config.ts` file, so the benchmark measures the jiti loader path users take. */
export function workloadAsTypeScript(config, nonce) {
  return [
    `// Benchmark workload: ${Object.keys(config.models).length} models. Generated by bench/workload.mjs; do not edit.`,
    // A different nonce gives the file different content, and jiti keys its transpile cache by content:
    // that is how the runner gets a cold cache without knowing where jiti keeps it.
    ...(nonce === undefined ? [] : [`// nonce: ${nonce}`]),
    `import { defineConfig } from 'mlmon';`,
    ``,
    `export default defineConfig(${JSON.stringify(config, null, 2)});`,
    ``,
  ].join('\n');
}

/** Writes `monitoring.config.ts` and `monitoring.config.json` for `models` models into `dir`. */
export function writeWorkload(dir, models) {
  const config = buildWorkload(models);
  mkdirSync(dir, { recursive: true });
  const typescript = join(dir, 'monitoring.config.ts');
  const json = join(dir, 'monitoring.config.json');
  writeFileSync(typescript, workloadAsTypeScript(config));
  writeFileSync(json, `${JSON.stringify(config, null, 2)}\n`);
  return { config, typescript, json };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [count, dir] = process.argv.slice(2);
  const models = Number(count);
  if (!Number.isInteger(models) || models < 1 || !dir) {
    process.stderr.write('usage: node bench/workload.mjs <models> <dir>\n');
    process.exit(2);
  }
  const { typescript, json } = writeWorkload(resolve(dir), models);
  process.stdout.write(`${typescript}\n${json}\n`);
}
