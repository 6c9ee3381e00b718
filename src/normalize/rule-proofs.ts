/**
 * Proofs for every generated alert, as promtool rule unit tests derived from the model — so a user's own
 * thresholds, models and services get their own proofs, not just our example's.
 *
 * For each alert, two tests:
 * - "fires": every target it applies to crosses its own threshold by a small margin. The alert is silent
 *   one evaluation before `for` has passed, then fires for exactly those targets with the expected labels
 *   and annotations. Targets whose threshold is disabled sit far past any threshold and must not fire.
 * - "silent": every target stays the same small margin inside its threshold; the alert never fires.
 * The margin is 0.01% of the threshold, so a threshold nudged by hand in the generated rules breaks a proof.
 *
 * One test covers all targets of an alert (one rule for all of them, fleet-scale), so the number of tests
 * does not grow with the fleet; the input series do. Past one file of threshold series, there is one proof
 * file per threshold file, each loading that file alone (promtool's limit of 10,000 samples per query; see
 * proofLayout).
 */
import { formatNumber } from './alert-rules.js';
import { durationSeconds, secondsDuration } from './duration.js';
import { expandAnnotation } from './go-format.js';
import { balancedProofFiles } from './proof-files.js';
import type { BuiltinAlert, BuiltinAlertName, MonitoringModel, ResolvedModelThresholds, ResolvedServiceThresholds, RuleFile } from './model.js';

export interface RuleTestFile {
  /** File name under out/prometheus/tests/. */
  readonly name: string;
  /** Rule files, relative to the test file (promtool resolves them from the test file's folder). */
  readonly ruleFiles: readonly string[];
  readonly evaluationInterval: string;
  readonly groupEvalOrder: readonly string[];
  readonly tests: readonly RuleTest[];
}

export interface RuleTest {
  readonly name: string;
  readonly interval: string;
  /** Exact values of recording-rule series at a time (promql_expr_test). */
  readonly promqlExprTests?: readonly {
    readonly expr: string;
    readonly evalTime: string;
    readonly expSamples: readonly { readonly labels: string; readonly value: number }[];
  }[];
  readonly inputSeries: readonly { readonly series: string; readonly values: string }[];
  readonly alertRuleTests: readonly {
    readonly evalTime: string;
    readonly alertname: string;
    readonly expAlerts: readonly { readonly expLabels: Readonly<Record<string, string>>; readonly expAnnotations: Readonly<Record<string, string>> }[];
  }[];
}

/**
 * Up to this many models or services, every one is proven through its alert. Past it (a fleet), the alert is
 * proven for one target of each distinct threshold and team, a disabled one and an unlisted one, and every
 * target's threshold series is pinned to its configured value by an exact-value test, so a nudge to any of
 * them still fails a proof. Proving each of 10,000 models through its alert made the proofs most of out/ and
 * took promtool minutes.
 */
export const proofTargetsPerAlert = 20;

/** A model name no config lists, standing for every model that only has the default thresholds. */
export const unlistedModelName = 'mlmon-unlisted-model';

type Side = 'breach' | 'inside' | 'disabled';

/** One target's input series, and the alert labels and $value expected when it fires. */
interface TargetSeries {
  /** The model or service whose threshold series the proof needs (none for infrastructure alerts). */
  readonly target?: ThresholdTarget;
  readonly series: { readonly series: string; readonly values: string }[];
  readonly alertLabels: Record<string, string>;
  readonly value: number;
  readonly fires: boolean;
}

function selector(metric: string, labels: Readonly<Record<string, string>>): string {
  const inner = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return `${metric}{${inner}}`;
}

function counter(perStep: number, steps: number): string {
  return `0+${formatNumber(perStep)}x${steps}`;
}

function gauge(value: number, steps: number): string {
  return `${formatNumber(value)}x${steps}`;
}

// Tight enough that any threshold nudged by hand (by more than 0.01%) in the generated rules breaks a proof,
// loose enough to stay clear of floating-point noise in rate() and histogram_quantile().
function margin(threshold: number): number {
  return Math.max(Math.abs(threshold) * 1e-4, 1e-6);
}

/** The signal value on each side of a threshold, in the direction the alert fires. */
function signalValue(threshold: number, firesWhen: 'above' | 'below', side: Side, extreme: number): number {
  if (side === 'disabled') return extreme;
  const towardsFiring = (side === 'breach' ? 1 : -1) * (firesWhen === 'above' ? 1 : -1);
  const value = threshold + towardsFiring * margin(threshold);
  // Around a tiny threshold (a minimum of 3.4e-48, a maximum error ratio of 3e-323), the margin reaches past
  // zero, where a rate of counters can't go (promtool can't even write a falling counter as `0+-x`). Zero is
  // then on the same side of the threshold and serves instead. A minimum of zero or less can never be breached
  // and is refused in the config (config/unreachable-threshold).
  if (value >= 0) return value;
  const zeroFires = firesWhen === 'above' ? 0 > threshold : 0 < threshold;
  return zeroFires === (side === 'breach') ? 0 : value;
}

export function buildRuleProofs(model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>): RuleTestFile[] {
  const scrape = durationSeconds(model.prometheus.scrapeInterval);
  const group = durationSeconds(model.prometheus.ruleGroupInterval);
  const step = Math.max(1, Math.round(scrape));
  const layout = proofLayout(model);
  // Tests by file: one per alert group, and for a sharded fleet one per group and threshold file.
  const byFile = new Map<string, { group: string; shard: string | undefined; tests: RuleTest[] }>();
  const add = (alertGroup: string, shard: string | undefined, test: RuleTest) => {
    const key = `${alertGroup}\n${shard ?? ''}`;
    const file = byFile.get(key) ?? { group: alertGroup, shard, tests: [] };
    file.tests.push(test);
    byFile.set(key, file);
  };

  for (const alert of model.builtinAlerts) {
    const forSeconds = durationSeconds(alert.for);
    const window = windowOf(alert);
    // Late enough that the rate window lies wholly in the data and `for` has passed since the first
    // evaluation that saw the condition, whichever group ran first; a multiple of the group interval.
    const after = Math.ceil((Math.max(forSeconds, window) + 2 * Math.max(step, group) + group) / group) * group;
    const before = forSeconds - group;
    const steps = Math.ceil((after + window) / step) + 2;
    for (const side of ['breach', 'inside'] as const) {
      for (const [shard, targets] of layout.split(targetsOf(alert, model, side, steps, step), (t) => t.target)) {
        const expected = targets.filter((t) => t.fires);
        if (side === 'breach' && expected.length === 0) continue;
        const expAlerts = expected.map((t) => {
          // Label values are templates too (escaped config values): promtool compares what they render to.
          const ruleLabels = Object.fromEntries(Object.entries(alert.rule.labels).map(([k, v]) => [k, expandAnnotation(v, t.alertLabels, t.value)]));
          const labels = { ...t.alertLabels, ...ruleLabels, alertname: alert.name };
          const annotations = Object.fromEntries(Object.entries(alert.rule.annotations).map(([k, v]) => [k, expandAnnotation(v, t.alertLabels, t.value)]));
          return { expLabels: sortKeys(labels), expAnnotations: annotations };
        });
        add(alert.group, shard, {
          name: `${alert.name} ${(proofWording[alert.name] ?? thresholdWording)[side].replace('{for}', alert.for)}`,
          interval: secondsDuration(step),
          inputSeries: targets.flatMap((t) => t.series),
          alertRuleTests: [
            ...(side === 'breach' && before > 0 ? [{ evalTime: secondsDuration(before), alertname: alert.name, expAlerts: [] }] : []),
            { evalTime: secondsDuration(after), alertname: alert.name, expAlerts: side === 'breach' ? expAlerts : [] },
          ],
        });
      }
    }
    for (const [shard, pinned] of pinnedThresholds(alert, model, layout)) {
      add(alert.group, shard, { ...pinned, interval: secondsDuration(step), inputSeries: [], alertRuleTests: [], promqlExprTests: pinned.promqlExprTests.map((t) => ({ ...t, evalTime: secondsDuration(group) })) });
    }
  }

  const files = [...byFile.values()]
    .filter((file) => file.tests.length > 0)
    .map((file) => {
      const ruleFiles = layout.ruleFilesFor(file.shard);
      return {
        name: file.shard ? `${file.group}-${file.shard.replace(/\.yml$/, '')}.test.yml` : `${file.group}.test.yml`,
        ruleFiles: ruleFiles.map((f) => `../rules/${f.name}`),
        evaluationInterval: model.prometheus.ruleGroupInterval,
        groupEvalOrder: ruleFiles.flatMap((f) => f.groups.map((g) => g.name)),
        tests: file.tests,
      };
    });
  return balancedProofFiles(files, model.ruleFiles).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const thresholdWording = {
  breach: 'fires after {for} for every target past its threshold, and not for disabled ones',
  inside: 'stays silent while every target is just inside its threshold',
};

/** What the two proofs of an alert without a threshold show. */
const proofWording: Partial<Record<BuiltinAlertName, typeof thresholdWording>> = {
  ServiceDown: {
    breach: "fires after {for} for every target that is down, with its service's team or the infrastructure team",
    inside: 'stays silent while every target is up',
  },
  ServiceUnreachable: {
    breach: 'fires after {for} for every service with no target up: none discovered, or every one down',
    inside: 'stays silent while every service has a target up, even beside one that is down',
  },
  ModelMetricsMissing: {
    breach: 'fires after {for} for every listed model that exports no metric',
    inside: 'stays silent while every listed model exports any one of its metrics',
  },
};

interface ThresholdTarget {
  readonly kind: 'model' | 'service';
  readonly name: string;
}

/**
 * Which rule files a proof loads. promtool evaluates every rule of every file a test loads, at every step, in
 * an engine that refuses a query touching more than 10,000 samples (hard-coded in promtool). An alert that
 * joins against a fleet's threshold series touches one per target, so past a few thousand targets no test could
 * load them all. With the thresholds sharded, each proof loads one threshold file (plus the one holding the
 * defaults) and proves the targets whose series are in it; the proofs of infrastructure alerts load none.
 */
interface ProofLayout {
  readonly sharded: boolean;
  /** Targets by the threshold file their proof loads, in file order; everything under undefined when unsharded. */
  split<T>(items: readonly T[], targetOf: (item: T) => ThresholdTarget | undefined): [string | undefined, T[]][];
  ruleFilesFor(shard: string | undefined): readonly RuleFile[];
}

function proofLayout(model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>): ProofLayout {
  const thresholdFiles = model.ruleFiles.filter((f) => /^thresholds(-\d+)?\.yml$/.test(f.name));
  if (thresholdFiles.length <= 1) {
    return { sharded: false, split: (items) => (items.length ? [[undefined, [...items]]] : []), ruleFilesFor: () => model.ruleFiles };
  }
  const fileOf = new Map<string, string>();
  let defaultsFile: string | undefined;
  for (const file of thresholdFiles) {
    for (const rule of file.groups.flatMap((g) => g.rules)) {
      if (rule.kind !== 'record') continue;
      if (rule.labels.model !== undefined) fileOf.set(`model ${rule.labels.model}`, file.name);
      else if (rule.labels.service !== undefined) fileOf.set(`service ${rule.labels.service}`, file.name);
      else defaultsFile = file.name;
    }
  }
  const order = new Map(thresholdFiles.map((f, i) => [f.name, i]));
  const others = model.ruleFiles.filter((f) => !thresholdFiles.includes(f));
  return {
    sharded: true,
    split(items, targetOf) {
      const byShard = new Map<string | undefined, typeof items[number][]>();
      for (const item of items) {
        const target = targetOf(item);
        // A target with no series of its own (the unlisted model) is proven with the defaults.
        const shard = target ? fileOf.get(`${target.kind} ${target.name}`) ?? defaultsFile : undefined;
        const inShard = byShard.get(shard);
        if (inShard) inShard.push(item);
        else byShard.set(shard, [item]);
      }
      return [...byShard.entries()].sort(([a], [b]) => (a === undefined ? -1 : b === undefined ? 1 : order.get(a)! - order.get(b)!));
    },
    ruleFilesFor(shard) {
      const files = thresholdFiles.filter((f) => f.name === shard || (shard !== undefined && f.name === defaultsFile));
      return [...files, ...others];
    },
  };
}

/** All targets for a small config; for a fleet, the first of each distinct (threshold, team). */
function sampled<T>(targets: readonly T[], identity: (target: T) => unknown[]): readonly T[] {
  if (targets.length <= proofTargetsPerAlert) return targets;
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = JSON.stringify(identity(target));
    if (seen.has(key) || seen.size >= proofTargetsPerAlert) return false;
    seen.add(key);
    return true;
  });
}

/** For a fleet: every per-target threshold series of the alert, with its exact configured value, by shard. */
function pinnedThresholds(alert: BuiltinAlert, model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, layout: ProofLayout): [string | undefined, Omit<RuleTest, 'interval' | 'inputSeries' | 'alertRuleTests'> & { promqlExprTests: NonNullable<RuleTest['promqlExprTests']> }][] {
  const series = alert.threshold?.series;
  if (!series) return [];
  const key = alert.threshold!.key;
  const targets: { kind: 'model' | 'service'; label: string; name: string; team: string; value: number | false }[] = alert.scope === 'service'
    ? model.services.map((s) => ({ kind: 'service', label: 'service', name: s.name, team: s.team, value: s.thresholds[key as ServiceKey] }))
    : model.models.map((m) => ({ kind: 'model', label: 'model', name: m.name, team: m.team, value: m.thresholds[key as ModelKey] }));
  if (targets.length <= proofTargetsPerAlert) return [];
  return layout.split(targets, (t) => t).map(([shard, inShard]) => {
    const expSamples = inShard
      .filter((t): t is typeof t & { value: number } => t.value !== false)
      .map((t) => ({ labels: selector(series, { [t.label]: t.name, team: t.team }), value: t.value }));
    const scope = layout.sharded ? `${inShard.length} of the ${targets.length} ${alert.scope}s (those in ${shard})` : `${targets.length} ${alert.scope}s`;
    return [shard, { name: `${alert.name} compares every one of ${scope} with its own configured threshold`, promqlExprTests: [{ expr: series, evalTime: '0s', expSamples }] }];
  });
}

function windowOf(alert: BuiltinAlert): number {
  const match = /\[(\w+)\]/.exec(alert.rule.expr);
  return match ? durationSeconds(match[1]!) : 0;
}

function sortKeys(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type ModelKey = keyof ResolvedModelThresholds;
type ServiceKey = keyof ResolvedServiceThresholds;

function targetsOf(alert: BuiltinAlert, model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, side: 'breach' | 'inside', steps: number, step: number): TargetSeries[] {
  if (alert.name === 'ServiceUnreachable') return unreachableServices(model, side, steps);
  if (alert.name === 'ModelMetricsMissing') return missingModels(model, side, steps, step);
  const threshold = alert.threshold;
  const direction = threshold?.firesWhen ?? 'above';
  const infra = model.infrastructure;
  const instance = 'node-1:9100';

  switch (alert.scope) {
    case 'infrastructure': {
      if (alert.name === 'ServiceDown') {
        // A target of no configured service is the infrastructure team's; a service's target its team's.
        const up = gauge(side === 'breach' ? 0 : 1, steps);
        const labels = { instance: 'target-1:8080', job: 'scraped-job' };
        const unowned: TargetSeries = { series: [{ series: selector('up', labels), values: up }], alertLabels: { ...labels, team: infra.team }, value: 0, fires: side === 'breach' };
        return [unowned, ...sampled(model.services, (service) => [service.team]).map((service): TargetSeries => {
          const target = { instance: `${service.name}-0:8080`, job: service.name, service: service.name };
          return { series: [{ series: selector('up', target), values: up }], alertLabels: { ...target, team: service.team }, value: 0, fires: side === 'breach', target: { kind: 'service', name: service.name } };
        })];
      }
      const t = infra.thresholds[threshold!.key as keyof typeof infra.thresholds];
      const percent = signalValue(t, direction, side, 0);
      if (percent <= 0 || percent > 100) return [];
      return [infraTarget(alert.name, percent, instance, steps, step, side === 'breach')];
    }
    case 'service': {
      const key = threshold!.key as ServiceKey;
      return sampled(model.services, (service) => [service.thresholds[key], service.team]).map((service) => {
        const t = service.thresholds[key];
        const s: Side = t === false ? 'disabled' : side;
        const extreme = direction === 'below' ? 0 : key === 'maxErrorRatio' ? 1 : 1000;
        const value = signalValue(t === false ? 0 : t, direction, s, extreme);
        return { ...serviceTarget(alert.name, service.name, service.team, value, steps, step, s === 'breach'), target: { kind: 'service', name: service.name } };
      });
    }
    case 'model': {
      const key = threshold!.key as ModelKey;
      const entries = [
        ...model.models.map((m) => ({ name: m.name, team: m.team, service: m.service, t: m.thresholds[key] })),
        { name: unlistedModelName, team: model.defaults.team, service: model.services[0]?.name ?? 'model-api', t: model.defaults.modelThresholds[key] },
      ];
      // The unlisted model is always proven: it is how the default thresholds are.
      const unlisted = entries.at(-1)!;
      return [...sampled(entries.slice(0, -1), (m) => [m.t, m.team]), unlisted].map((m) => {
        const s: Side = m.t === false ? 'disabled' : side;
        const value = signalValue(m.t === false ? 0 : m.t, direction, s, direction === 'above' ? 1000 : 0);
        return { ...modelTarget(alert.name, m, value, steps, step, s === 'breach'), target: { kind: 'model', name: m.name } };
      });
    }
  }
}

/**
 * ServiceUnreachable: past it, the first service has no target at all (scaled to zero) and every other one
 * only targets that are down; inside it, every service has one target up beside one that is down, which is
 * ServiceDown's business, not the service being unreachable.
 */
function unreachableServices(model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, side: 'breach' | 'inside', steps: number): TargetSeries[] {
  // Every service is in the rule's view (mlmon:service_info), so a fleet's services outside the sample keep a
  // target up on both sides: only the sample becomes unreachable.
  const proven = sampled(model.services, (service) => [service.team]);
  const first = proven[0];
  const inSample = new Set(proven);
  return model.services.map((service): TargetSeries => {
    const replica = (n: number) => ({ instance: `${service.name}-${n}:8080`, job: service.name, service: service.name });
    const fires = side === 'breach' && inSample.has(service);
    const series = !fires
      ? [{ series: selector('up', replica(0)), values: gauge(1, steps) }, ...(inSample.has(service) ? [{ series: selector('up', replica(1)), values: gauge(0, steps) }] : [])]
      : service === first ? [] : [0, 1].map((n) => ({ series: selector('up', replica(n)), values: gauge(0, steps) }));
    return { series, alertLabels: { service: service.name, team: service.team }, value: 1, fires, target: { kind: 'service', name: service.name } };
  });
}

/**
 * ModelMetricsMissing: past it, no listed model exports anything (while a model no config lists does);
 * inside it, each listed model exports just one of the model metrics, a different one in turn: any one is
 * enough to be seen.
 */
function missingModels(model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, side: 'breach' | 'inside', steps: number, step: number): TargetSeries[] {
  const signals = [
    (labels: Record<string, string>) => ({ series: selector('model_accuracy', labels), values: gauge(0.9, steps) }),
    (labels: Record<string, string>) => ({ series: selector('data_drift_score', labels), values: gauge(0.1, steps) }),
    (labels: Record<string, string>) => ({ series: selector('model_inference_duration_seconds_count', labels), values: counter(step, steps) }),
    (labels: Record<string, string>) => ({ series: selector('prediction_confidence_count', labels), values: counter(step, steps) }),
    (labels: Record<string, string>) => ({ series: selector('predictions_total', { ...labels, status: 'success' }), values: counter(step, steps) }),
  ];
  const at = (name: string, service: string) => ({ instance: `${service}-0:8080`, job: service, service, model: name });
  const unlisted: TargetSeries = { series: [signals[0]!(at(unlistedModelName, model.services[0]?.name ?? 'model-api'))], alertLabels: {}, value: 1, fires: false, target: { kind: 'model', name: unlistedModelName } };
  // Every listed model is in the rule's view (mlmon:model_info), so a fleet's models outside the sample export a
  // metric on both sides: only the sample goes missing.
  const proven = new Set(sampled(model.models, (m) => [m.team, m.service]));
  return [
    ...model.models.map((m, i): TargetSeries => {
      const fires = side === 'breach' && proven.has(m);
      return {
        series: fires ? [] : [signals[i % signals.length]!(at(m.name, m.service))],
        alertLabels: { model: m.name, service: m.service, team: m.team }, value: 1, fires, target: { kind: 'model', name: m.name },
      };
    }),
    unlisted,
  ];
}

function infraTarget(name: BuiltinAlertName, percent: number, instance: string, steps: number, step: number, fires: boolean): TargetSeries {
  const job = { instance, job: 'node-exporter' };
  switch (name) {
    case 'HighCPUUsage':
      // The idle counter grows by (1 - usage) CPU-seconds per second.
      return { series: [{ series: selector('node_cpu_seconds_total', { cpu: '0', mode: 'idle', ...job }), values: counter(step * (1 - percent / 100), steps) }], alertLabels: { instance }, value: percent, fires };
    case 'HighMemoryUsage':
      return {
        series: [
          { series: selector('node_memory_MemTotal_bytes', job), values: gauge(1e9, steps) },
          { series: selector('node_memory_MemAvailable_bytes', job), values: gauge(1e9 * (1 - percent / 100), steps) },
        ],
        alertLabels: job, value: percent, fires,
      };
    default: {
      const fs = { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/', ...job };
      return {
        series: [
          { series: selector('node_filesystem_size_bytes', fs), values: gauge(1e9, steps) },
          { series: selector('node_filesystem_avail_bytes', fs), values: gauge(1e7 * percent, steps) },
          // tmpfs is never "full" in a way anyone can act on: an empty one must not fire.
          { series: selector('node_filesystem_size_bytes', { ...fs, device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run' }), values: gauge(1e9, steps) },
          { series: selector('node_filesystem_avail_bytes', { ...fs, device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run' }), values: gauge(0, steps) },
        ],
        alertLabels: fs, value: percent, fires,
      };
    }
  }
}

function histogramAt(metric: string, labels: Record<string, string>, quantileValue: number, steps: number, perStep: number): { series: string; values: string }[] {
  // All observations in one bucket [0, le]: histogram_quantile(0.95) interpolates to 0.95 × le.
  const le = formatNumber(quantileValue / 0.95);
  return [
    { series: selector(`${metric}_bucket`, { ...labels, le }), values: counter(perStep, steps) },
    { series: selector(`${metric}_bucket`, { ...labels, le: '+Inf' }), values: counter(perStep, steps) },
    { series: selector(`${metric}_count`, labels), values: counter(perStep, steps) },
  ];
}

function serviceTarget(name: BuiltinAlertName, service: string, team: string, value: number, steps: number, step: number, fires: boolean): TargetSeries {
  const target = { instance: `${service}-0:8080`, job: service, service };
  const alertLabels = { service, team };
  switch (name) {
    case 'HighErrorRate':
      return {
        series: [
          { series: selector('http_requests_total', { endpoint: '/predict', method: 'POST', status: '500', ...target }), values: counter(100 * value * step, steps) },
          { series: selector('http_requests_total', { endpoint: '/predict', method: 'POST', status: '200', ...target }), values: counter(100 * (1 - value) * step, steps) },
        ],
        alertLabels, value, fires,
      };
    case 'HighLatency':
      return { series: histogramAt('http_request_duration_seconds', { endpoint: '/predict', method: 'POST', ...target }, value, steps, 10 * step), alertLabels, value: quantileOf(value), fires };
    default:
      return { series: [{ series: selector('http_requests_total', { endpoint: '/predict', method: 'POST', status: '200', ...target }), values: counter(value * step, steps) }], alertLabels, value, fires };
  }
}

function modelTarget(name: BuiltinAlertName, m: { name: string; team: string; service: string }, value: number, steps: number, step: number, fires: boolean): TargetSeries {
  const target = { instance: `${m.service}-0:8080`, job: m.service, service: m.service, model: m.name };
  switch (name) {
    // Model alerts are about the model: the pod it was scraped from is not among the alert's labels.
    case 'ModelAccuracyDrop':
      return { series: [{ series: selector('model_accuracy', target), values: gauge(value, steps) }], alertLabels: { model: m.name, team: m.team }, value, fires };
    case 'DataDriftDetected':
      return { series: [{ series: selector('data_drift_score', target), values: gauge(value, steps) }], alertLabels: { model: m.name, team: m.team }, value, fires };
    case 'HighInferenceLatency':
      return { series: histogramAt('model_inference_duration_seconds', target, value, steps, 10 * step), alertLabels: { model: m.name, team: m.team }, value: quantileOf(value), fires };
    default:
      return {
        series: [
          { series: selector('prediction_confidence_sum', target), values: counter(10 * value * step, steps) },
          { series: selector('prediction_confidence_count', target), values: counter(10 * step, steps) },
        ],
        alertLabels: { model: m.name, team: m.team }, value, fires,
      };
  }
}

/** What histogram_quantile(0.95) computes from the single-bucket histogram made for `value`. */
function quantileOf(value: number): number {
  return Number(formatNumber(value / 0.95)) * 0.95;
}
