/**
 * SLOs that pass the schema but can't work as written: an override with nothing to override, a latency target
 * the histogram has no bucket for (Sloth #506: the `le` must be an existing bucket, and nothing told users), two
 * default SLOs on one indicator, a custom ratio without its window, windows too short for the scrape interval,
 * and tiers that could never fire. Each is reported on its config path.
 */
import { serviceExports } from '../catalog/integrations/index.js';
import { pythonClientBuckets, sliOf } from '../catalog/slo/indicators.js';
import { defaultTiers } from '../catalog/slo/tiers.js';
import { parsePromql } from '../formats/promql/parse.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import { configPath, type Problem } from '../problems.js';
import { configDefaults } from './defaults.js';
import { didYouMean } from './did-you-mean.js';
import { minimumWindowIntervals, windowSamplesNeeded } from './semantics.js';
import type { MonitoringConfig, SloConfig, SloIndicator, SloOverride } from './types.js';

const histogramOf = { model: 'model_inference_duration_seconds', service: 'http_request_duration_seconds' } as const;

/** Every SLO of the config with its config path, scope and the whole spec (a model's override merged onto its default). */
function slosOf(config: MonitoringConfig): { path: (string | number)[]; scope: 'model' | 'service'; name: string; spec: Partial<SloConfig>; isDefault: boolean }[] {
  const found: ReturnType<typeof slosOf> = [];
  const defaults = config.defaults?.modelSlos ?? {};
  for (const [name, spec] of Object.entries(defaults)) found.push({ path: ['defaults', 'modelSlos', name], scope: 'model', name, spec, isDefault: true });
  for (const [service, s] of Object.entries(config.services ?? {})) {
    if (!s?.slos) continue;
    for (const [name, spec] of Object.entries(s.slos)) found.push({ path: ['services', service, 'slos', name], scope: 'service', name, spec, isDefault: false });
  }
  // Keys, not entries: a fleet's models object is large, and entries of it cost several times its keys.
  const models = config.models ?? {};
  for (const model of Object.keys(models)) {
    const m = models[model];
    // Most of a fleet overrides no SLO: nothing to allocate for those.
    if (!m?.slos) continue;
    for (const [name, override] of Object.entries(m.slos) as [string, SloOverride | false][]) {
      if (override === false) continue;
      found.push({ path: ['models', model, 'slos', name], scope: 'model', name, spec: { ...defaults[name], ...override }, isDefault: false });
    }
  }
  return found;
}

/** The problems of the config's SLOs (checkConfigMeaning calls this). */
export async function sloProblems(config: MonitoringConfig): Promise<Problem[]> {
  const problems: Problem[] = [];
  const scrape = durationSeconds(config.prometheus?.scrapeInterval ?? '15s');
  const buckets = (metric: string): readonly number[] => config.metrics?.find((m) => m.name === metric && m.buckets)?.buckets ?? pythonClientBuckets;
  const defaultsBySli = new Map<string, string>();
  for (const { path, scope, name, spec, isDefault } of slosOf(config)) {
    const at = configPath(path);
    if (!spec.indicator || spec.objective === undefined) {
      const missing = [!spec.indicator && 'indicator', spec.objective === undefined && 'objective'].filter(Boolean).join(' and ');
      const defaults = Object.keys(config.defaults?.modelSlos ?? {});
      problems.push({
        id: 'config/incomplete-slo', severity: 'error', path: at, value: spec,
        message: `${at} has no ${missing}, and defaults.modelSlos has no SLO ${JSON.stringify(name)} to take it from`,
        allowed: 'an SLO with indicator and objective, or an override of a default SLO of the same name',
        ...(didYouMean(name, defaults) ? { hint: `did you mean ${didYouMean(name, defaults)}?` } : {}),
      });
      continue;
    }
    const indicator = spec.indicator;
    if (indicator.kind === 'latency') {
      const metric = histogramOf[scope];
      const known = buckets(metric);
      if (!known.includes(indicator.thresholdSeconds)) {
        const nearest = [...known].sort((a, b) => Math.abs(a - indicator.thresholdSeconds) - Math.abs(b - indicator.thresholdSeconds))[0];
        problems.push({
          id: 'config/slo-latency-bucket', severity: 'error', path: configPath([...path, 'indicator', 'thresholdSeconds']), value: indicator.thresholdSeconds,
          message: `${at} counts ${metric} faster than ${indicator.thresholdSeconds}s as good, but the histogram has no bucket at le="${indicator.thresholdSeconds}", so the SLO would have no indicator`,
          allowed: `one of the buckets ${known.join(', ')} (give a metrics entry for ${metric} with its buckets if yours differ)`,
          ...(nearest !== undefined ? { hint: `did you mean ${nearest}?` } : {}),
        });
      }
    }
    if (indicator.kind === 'ratio') {
      for (const key of ['errors', 'total'] as const) {
        const query = indicator[key];
        const where = configPath([...path, 'indicator', key]);
        if (!query.includes('{{window}}')) {
          problems.push({ id: 'config/slo-ratio-query', severity: 'error', path: where, value: query, message: `${where} has no {{window}}: each burn-rate window needs the rate over itself`, allowed: `PromQL with {{window}} as the range, e.g. sum by (${scope}) (rate(my_failures_total[{{window}}]))` });
          continue;
        }
        const { errors } = await parsePromql(query.replaceAll('{{window}}', '5m'));
        if (errors.length > 0) problems.push({ id: 'config/slo-ratio-query', severity: 'error', path: where, value: query, message: `${where} is not PromQL: ${errors[0]}`, allowed: 'a PromQL expression' });
        else if (!new RegExp(`\\bby\\s*\\([^)]*\\b${scope}\\b`).test(query)) problems.push({ id: 'config/slo-ratio-query', severity: 'error', path: where, value: query, message: `${where} doesn't keep the ${scope} label, so its burn rate can't be told apart per ${scope}`, allowed: `an aggregation by (${scope}), e.g. sum by (${scope}) (…)` });
      }
    }
    if (isDefault) {
      const sli = sliOf(scope, indicator, name).id;
      const other = defaultsBySli.get(sli);
      if (other !== undefined) problems.push({ id: 'config/slo-same-indicator', severity: 'error', path: at, value: name, message: `${at} measures the same indicator (${sli}) as defaults.modelSlos.${other}: for a model the config doesn't list, the two can't be told apart`, allowed: 'one default SLO per indicator; give the second to the models that need it' });
      defaultsBySli.set(sli, name);
    }
    if (scope === 'model' && !isDefault) {
      const problem = notExportedProblem(config, path, name, indicator);
      if (problem) problems.push(problem);
    }
    const window = spec.window ?? configDefaults['defaults.modelSlos.*.window'];
    const objective = spec.objective;
    for (const tier of defaultTiers(spec.tiers ?? configDefaults['defaults.modelSlos.*.tiers'], window)) {
      if (spec.tierSettings?.[tier.name] === false) continue;
      // The short window is a rate over raw samples: the window rule (semantics.ts) asks for 3 scrape intervals.
      const needed = minimumWindowIntervals(windowSamplesNeeded.rate) * scrape;
      if (durationSeconds(tier.shortWindow) < needed) {
        problems.push({ id: 'config/slo-window', severity: 'error', path: configPath([...path, 'window']), value: window, message: `the ${tier.name} tier of ${at} takes a rate over ${tier.shortWindow}, shorter than ${minimumWindowIntervals(windowSamplesNeeded.rate)} scrape intervals (${needed}s): one lost scrape empties it`, hint: `a longer window, or tierSettings.${tier.name}: false` });
      }
      if (tier.factor * (1 - objective / 100) > 1) {
        problems.push({ id: 'config/slo-unreachable-tier', severity: 'warning', path: configPath([...path, 'objective']), value: objective, message: `the ${tier.name} tier of ${at} fires at ${tier.factor}× the error budget, ${Number((tier.factor * (100 - objective)).toPrecision(12))}% errors: more than every event failing, so it can never fire`, hint: `a higher objective, or tierSettings.${tier.name}: false` });
      }
    }
  }
  problems.push(...defaultsNotExported(config));
  return problems;
}

/** What serves a model's metrics when its service has integrations: the integrations' names, and their metrics. */
// Per config and service, worked out once: a fleet asks for each of its models and default SLOs.
const exportsByConfig = new WeakMap<MonitoringConfig, Map<string, { names: string; exported: ReadonlySet<string>; service: string } | undefined>>();
function integrationExportsOf(config: MonitoringConfig, model: string): { names: string; exported: ReadonlySet<string>; service: string } | undefined {
  const service = config.models?.[model]?.service;
  if (service === undefined) return undefined;
  let byService = exportsByConfig.get(config);
  if (!byService) exportsByConfig.set(config, (byService = new Map()));
  if (!byService.has(service)) {
    const integration = config.services?.[service]?.integration;
    const exported = serviceExports(integration);
    byService.set(service, exported ? { names: Object.keys(integration ?? {}).join(' and '), exported, service } : undefined);
  }
  return byService.get(service);
}

/** The metrics of `indicator` a model's service doesn't export (it is served by an integration), if any. */
function missingMetrics(config: MonitoringConfig, model: string, name: string, indicator: SloIndicator): { metrics: string[]; names: string; service: string } | undefined {
  const served = integrationExportsOf(config, model);
  if (!served) return undefined;
  const metrics = sliOf('model', indicator, name).metrics.filter((m) => !served.exported.has(m));
  return metrics.length ? { metrics, names: served.names, service: served.service } : undefined;
}

const ratioExample = 'a ratio indicator over the server\'s own metrics, e.g. errors: sum by (model) (rate(nv_inference_request_failure[{{window}}])), total: sum by (model) (rate(nv_inference_request_success[{{window}}]) + rate(nv_inference_request_failure[{{window}}])) for Triton';

/**
 * A model's own SLO (`models.<name>.slos.<slo>`) whose indicator reads metrics its service's server doesn't export
 * (a vLLM, Triton or KServe service is scraped on the server's port for its metrics only): the SLO would never see
 * an event, and SLOIndicatorMissing would page for it for ever.
 */
function notExportedProblem(config: MonitoringConfig, path: (string | number)[], name: string, indicator: SloIndicator): Problem | undefined {
  const model = String(path[1]);
  const missing = missingMetrics(config, model, name, indicator);
  if (!missing) return undefined;
  const at = configPath([...path, 'indicator']);
  return {
    id: 'config/slo-indicator-not-exported', severity: 'error', path: at, value: indicator,
    message: `${at} reads ${missing.metrics.join(' and ')}, which ${model}'s service ${missing.service} doesn't export: it is scraped for ${missing.names}'s metrics only, so the SLO would never see an event`,
    allowed: `${ratioExample}; or slos.${name}: false`,
  };
}

/**
 * A default model SLO (`defaults.modelSlos`) doesn't apply to the listed models whose service's server doesn't
 * export its indicator's metrics (normalize leaves them out, src/normalize/slos.ts): one warning per default
 * SLO, naming them, unless each of those models drops it (`slos.<slo>: false`) or gives its own.
 */
function defaultsNotExported(config: MonitoringConfig): Problem[] {
  const problems: Problem[] = [];
  const models = config.models ?? {};
  for (const [name, spec] of Object.entries(config.defaults?.modelSlos ?? {})) {
    if (!spec?.indicator) continue;
    const skipped: string[] = [];
    let metrics: string[] = [];
    for (const model of Object.keys(models)) {
      const own = models[model]?.slos?.[name];
      if (own === false || (own && own.indicator)) continue;
      const missing = missingMetrics(config, model, name, spec.indicator);
      if (!missing) continue;
      skipped.push(`${model} (${missing.service}, ${missing.names})`);
      metrics = missing.metrics;
    }
    if (skipped.length === 0) continue;
    const at = configPath(['defaults', 'modelSlos', name]);
    problems.push({
      id: 'config/slo-default-not-exported', severity: 'warning', path: at, value: name,
      message: `${at} reads ${metrics.join(' and ')}, which the servers of ${skipped.length} model(s) don't export, so it doesn't apply to them: ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? `, and ${skipped.length - 5} more` : ''}`,
      hint: `give each its own SLO (${ratioExample}), or slos: { ${name}: false } to say it has none`,
    });
  }
  return problems;
}
