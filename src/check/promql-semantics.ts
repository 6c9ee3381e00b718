/**
 * Checks PromQL against the metric catalog: the mistakes that make an alert silently wrong or silently
 * unable to fire, as the seed's alerts were. The expression is parsed with Prometheus' own grammar
 * (formats/promql/parse.ts); on that tree we infer which labels each sub-expression keeps, which is what label
 * references, aggregations and vector matching are checked against.
 *
 * pint does much of this against a live Prometheus; we do it offline against the catalog, which starts from
 * the seed's instrumentation and takes the user's own metrics from the config.
 */
import { shardLabels } from '../normalize/alert-shards.js';
import type { SyntaxNode } from '@lezer/common';
import type { MetricDefinition } from '../normalize/model.js';
import type { Problem } from '../problems.js';
import { minimumWindowIntervals, windowSamplesNeeded } from '../config/semantics.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import { parsePromql } from '../formats/promql/parse.js';

/** An expression to check, with where it came from. */
export interface PromqlSource {
  readonly expr: string;
  readonly artifact: string;
  readonly object: string;
  /** Config path behind the expression, where there is one. */
  readonly path?: string | undefined;
  /** Labels the expression's annotations read through `$labels.<name>`. */
  readonly annotationLabels?: readonly string[];
}

export interface PromqlCheckOptions {
  readonly catalog: readonly MetricDefinition[];
  readonly scrapeIntervalSeconds: number;
}

/** Labels an expression's series carry; `any` when they can't be known (an unknown metric, say). */
type LabelSet = ReadonlySet<string> | 'any';

interface Info {
  readonly type: 'vector' | 'matrix' | 'scalar' | 'string';
  readonly labels: LabelSet;
  /** Labels a positive matcher narrowed (`status=~"5.."`) that are still on the series. */
  readonly narrowed: ReadonlyMap<string, string>;
  /** The catalog type of a bare selector, before any function touched it. */
  readonly metricType?: MetricDefinition['type'] | undefined;
  readonly metricName?: string | undefined;
}

// Labels Prometheus attaches from the target, per origin of the metric (see the scrape jobs). A service job's
// series also carry the shard labels of the signal groups when there are several shards (src/normalize/alert-shards.ts).
const shardLabelNames = Object.values(shardLabels);
const targetLabelsByOrigin: Record<MetricDefinition['origin'], readonly string[] | 'any'> = {
  instrumentation: ['job', 'instance', 'service', 'namespace', 'pod', ...shardLabelNames],
  config: ['job', 'instance', 'service', 'namespace', 'pod', ...shardLabelNames],
  'node-exporter': ['job', 'instance'],
  // The kubernetes-nodes job copies every node label (labelmap), which no catalog can list.
  kubelet: 'any',
  prometheus: ['job', 'instance', 'service', 'namespace', 'pod', 'node'],
  mlmon: [],
  // A model server scraped as a service (src/catalog/integrations/): the service job's labels. dcgm-exporter's job
  // sets instance and node; with pod mapping the exporter itself adds namespace and pod (of the GPU's pod).
  integration: ['job', 'instance', 'node', 'service', 'namespace', 'pod', ...shardLabelNames],
};

const counterFunctions = new Set(['rate', 'irate', 'increase', 'resets']);
// Range functions by the samples they need for a result (Prometheus promql/functions.go: the extrapolating and
// instant-rate functions return nothing below two samples; the *_over_time family, changes and resets, one).
const twoSampleFunctions = new Set(['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'predict_linear', 'holt_winters', 'double_exponential_smoothing']);
const oneSampleFunctions = new Set(['changes', 'resets']);
const presenceFunctions = new Set(['absent', 'absent_over_time', 'present_over_time', 'timestamp', 'changes', 'count_over_time', 'last_over_time']);
const presenceAggregations = new Set(['count', 'group']);
const setOperators = new Set(['And', 'Or', 'Unless']);

const scalarInfo: Info = { type: 'scalar', labels: new Set(), narrowed: new Map() };

class Analyzer {
  readonly problems: Problem[] = [];
  private readonly byName = new Map<string, MetricDefinition>();

  constructor(private readonly source: PromqlSource, private readonly options: PromqlCheckOptions) {
    for (const metric of options.catalog) this.byName.set(metric.name, metric);
  }

  private text(node: SyntaxNode): string {
    return this.source.expr.slice(node.from, node.to);
  }

  report(id: string, message: string, hint?: string, severity: Problem['severity'] = 'error'): void {
    const { artifact, object, path } = this.source;
    if (this.problems.some((p) => p.id === id && p.message === message)) return;
    this.problems.push({ id, severity, message, artifact, object, ...(path ? { path } : {}), ...(hint ? { hint } : {}) });
  }

  private children(node: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
    return out;
  }

  private labelNames(grouping: SyntaxNode | null): string[] {
    return grouping ? this.children(grouping).filter((c) => c.name === 'LabelName').map((c) => this.text(c)) : [];
  }

  private requireLabels(labels: readonly string[], available: LabelSet, where: string): void {
    if (available === 'any') return;
    for (const label of labels) {
      if (!available.has(label)) {
        this.report('promql/unknown-label', `${where} uses label "${label}", which the series there don't have (they have: ${[...available].sort().join(', ') || 'no labels'})`);
      }
    }
  }

  /** Resolves a metric name, including a histogram's or summary's _bucket, _sum and _count series. */
  private resolveMetric(name: string): { labels: LabelSet; type: MetricDefinition['type'] } | undefined {
    const exact = this.byName.get(name);
    const withTargets = (metric: MetricDefinition, extra: readonly string[]): LabelSet => {
      const target = targetLabelsByOrigin[metric.origin];
      return target === 'any' ? 'any' : new Set([...metric.labels, ...target, ...extra]);
    };
    if (exact) {
      if (exact.type === 'histogram' || exact.type === 'summary') {
        this.report('promql/histogram-base-name', `"${name}" is a ${exact.type}: it exports no series of that name, only ${name}_bucket, ${name}_sum and ${name}_count, so this selects nothing`, `for a mean use rate(${name}_sum[…]) / rate(${name}_count[…]); for a quantile, histogram_quantile over ${name}_bucket`);
        return undefined;
      }
      return { labels: withTargets(exact, []), type: exact.type };
    }
    const suffix = /_(bucket|sum|count)$/.exec(name);
    const base = suffix ? this.byName.get(name.slice(0, -suffix[0].length)) : undefined;
    if (base && (base.type === 'histogram' || base.type === 'summary')) {
      const extra = suffix![1] === 'bucket' ? ['le'] : [];
      if (suffix![1] === 'bucket' && base.type === 'summary') return undefined;
      return { labels: withTargets(base, extra), type: 'counter' };
    }
    this.report('promql/unknown-metric', `metric "${name}" is not in the metric catalog, so this can never match anything`, 'declare it under `metrics` in the config if your instrumentation exports it');
    return undefined;
  }

  analyze(node: SyntaxNode, context: { presence: boolean; underRate: boolean } = { presence: false, underRate: false }): Info {
    const kids = this.children(node);
    switch (node.name) {
      case 'PromQL':
      case 'ParenExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr':
        return kids[0] ? this.analyze(kids[0], context) : scalarInfo;
      case 'AtModifierExpr':
      case 'AnchoredExpr':
      case 'SmoothedExpr':
        return kids[0] ? this.analyze(kids[0], context) : scalarInfo;
      case 'UnaryExpr':
        return this.analyze(kids[kids.length - 1]!, context);
      case 'NumberDurationLiteral':
      case 'NumberLiteral':
        return scalarInfo;
      case 'StringLiteral':
        return { type: 'string', labels: new Set(), narrowed: new Map() };
      case 'VectorSelector':
        return this.selector(node, kids, context);
      case 'MatrixSelector': {
        const inner = this.analyze(kids[0]!, { ...context, underRate: true });
        const range = kids.find((k) => k.name === 'DurationExpr' || k.name === 'NumberDurationLiteralInDurationContext');
        return { ...inner, type: 'matrix', ...(range ? { metricName: inner.metricName, range: this.text(range) } : {}) } as Info;
      }
      case 'SubqueryExpr': {
        const inner = this.analyze(kids[0]!, context);
        return { ...inner, type: 'matrix', metricType: undefined };
      }
      case 'FunctionCall':
        return this.functionCall(kids, context);
      case 'AggregateExpr':
        return this.aggregate(kids, context);
      case 'BinaryExpr':
        return this.binary(kids, context);
      default:
        return { type: 'vector', labels: 'any', narrowed: new Map() };
    }
  }

  private selector(node: SyntaxNode, kids: SyntaxNode[], context: { presence: boolean; underRate: boolean }): Info {
    const identifier = kids.find((k) => k.name === 'Identifier');
    const matchers = kids.find((k) => k.name === 'LabelMatchers');
    const name = identifier ? this.text(identifier) : undefined;
    const resolved = name ? this.resolveMetric(name) : undefined;
    const labels: LabelSet = resolved ? resolved.labels : 'any';
    const narrowed = new Map<string, string>();
    for (const matcher of matchers ? this.children(matchers) : []) {
      const [labelNode, opNode] = this.children(matcher);
      if (!labelNode || labelNode.name !== 'LabelName') continue;
      const label = this.text(labelNode);
      if (label === '__name__') continue;
      this.requireLabels([label], labels, `the selector ${this.text(node)}`);
      const op = opNode ? this.text(opNode) : '';
      if (op === '=' || op === '=~') narrowed.set(label, this.text(matcher));
    }
    if (resolved?.type === 'counter' && !context.underRate && !context.presence) {
      this.report('promql/counter-without-rate', `counter "${name}" is used without rate() or increase(): its raw value only ever grows, and resets on restart`, `use rate(${name}[5m])`, 'warning');
    }
    return { type: 'vector', labels, narrowed, metricType: resolved?.type, metricName: name };
  }

  private functionCall(kids: SyntaxNode[], context: { presence: boolean; underRate: boolean }): Info {
    const name = this.text(kids[0]!);
    const body = kids[1];
    const presence = presenceFunctions.has(name);
    const args = body ? this.children(body).map((arg) => ({ node: arg, info: this.analyze(arg, { presence: context.presence || presence, underRate: false }) })) : [];
    const vectorArg = args.find((a) => a.info.type === 'vector' || a.info.type === 'matrix');

    if (counterFunctions.has(name) && vectorArg) {
      if (vectorArg.info.metricType === 'gauge') {
        this.report('promql/rate-on-gauge', `${name}() is applied to gauge "${vectorArg.info.metricName}": ${name} assumes a counter and reads every drop as a reset`, 'use deriv() or delta() for a gauge, or the gauge itself');
      }
    }
    this.checkWindow(name, vectorArg?.info);
    if (name === 'irate' && this.source.annotationLabels !== undefined) {
      this.report('promql/irate-in-alert', 'irate() in an alert looks only at the last two samples, so one busy scrape pages someone', 'use rate() over the window the alert is about', 'warning');
    }
    if (/_over_time$/.test(name) && vectorArg?.info.metricType === 'counter' && !presence) {
      this.report('promql/counter-without-rate', `${name}() averages the raw value of counter "${vectorArg.info.metricName}", which only ever grows`, `use rate(${vectorArg.info.metricName}[…])`, 'warning');
    }
    const labelsOf = (info: Info | undefined): LabelSet => info?.labels ?? new Set<string>();
    const narrowedOf = vectorArg?.info.narrowed ?? new Map<string, string>();
    switch (name) {
      case 'histogram_quantile': {
        const histogram = args[1]?.info;
        if (histogram && histogram.labels !== 'any' && !histogram.labels.has('le')) {
          this.report('promql/histogram-quantile-without-le', `histogram_quantile() gets series without the "le" label: the aggregation inside dropped the buckets' bounds, so there is nothing to interpolate`, 'keep le in the aggregation: sum by (…, le) (rate(x_bucket[5m]))');
        }
        const labels = labelsOf(histogram);
        return { type: 'vector', labels: labels === 'any' ? 'any' : new Set([...labels].filter((l) => l !== 'le')), narrowed: narrowedOf };
      }
      case 'vector':
      case 'time':
        return name === 'vector' ? { type: 'vector', labels: new Set(), narrowed: new Map() } : scalarInfo;
      case 'scalar':
        return scalarInfo;
      case 'label_replace':
      case 'label_join': {
        const target = args[1] ? this.text(args[1].node).slice(1, -1) : undefined;
        const labels = labelsOf(vectorArg?.info);
        return { type: 'vector', labels: labels === 'any' || !target ? labels : new Set([...labels, target]), narrowed: narrowedOf };
      }
      case 'absent':
      case 'absent_over_time':
        return { type: 'vector', labels: 'any', narrowed: new Map() };
      default:
        return { type: 'vector', labels: labelsOf(vectorArg?.info), narrowed: narrowedOf };
    }
  }

  /**
   * rules/rate-window: a range window that one lost scrape can empty. See windowSamplesNeeded in
   * config/semantics.ts for the rule (k samples need k + 1 scrape intervals) and its source. Subquery ranges
   * are not checked: their samples come from rule evaluation, not from scrapes. A range still holding a Grafana
   * variable (`$__rate_interval`) is exempt: Grafana keeps it at four scrape intervals or more.
   */
  private checkWindow(name: string, arg: Info | undefined): void {
    const samples = twoSampleFunctions.has(name) ? windowSamplesNeeded.rate : oneSampleFunctions.has(name) || name.endsWith('_over_time') ? windowSamplesNeeded.overTime : undefined;
    const range = (arg as (Info & { range?: string }) | undefined)?.range;
    if (samples === undefined || !range || range.startsWith('$')) return;
    const scrape = this.options.scrapeIntervalSeconds;
    const seconds = durationSeconds(range);
    const minimum = minimumWindowIntervals(samples) * scrape;
    if (seconds > 0 && seconds < minimum) {
      const held = Math.floor(seconds / scrape);
      this.report('rules/rate-window',
        `${name}() over [${range}] needs ${samples} sample${samples === 1 ? '' : 's'}; at a ${scrape}s scrape interval the window holds ${held}, and one lost scrape leaves ${Math.max(0, held - 1)}, so the result goes empty and the alert goes silent or resolves`,
        `use a window of at least ${minimum}s (${minimumWindowIntervals(samples)} scrape intervals)`);
    }
  }

  private aggregate(kids: SyntaxNode[], context: { presence: boolean; underRate: boolean }): Info {
    const op = this.text(kids.find((k) => k.name === 'AggregateOp')!);
    const modifier = kids.find((k) => k.name === 'AggregateModifier');
    const body = kids.find((k) => k.name === 'FunctionCallBody');
    const args = body ? this.children(body) : [];
    const presence = context.presence || presenceAggregations.has(op);
    const infos = args.map((arg) => this.analyze(arg, { presence, underRate: false }));
    const input = infos[infos.length - 1] ?? scalarInfo;
    // count_values("name", v) writes each value into the label `name` (Prometheus promql/engine.go).
    const valueLabel = op === 'count_values' && args.length > 1 ? [JSON.parse(this.text(args[0]!).replace(/^'(.*)'$/, '"$1"')) as string] : [];
    if (!modifier) return { type: 'vector', labels: new Set(valueLabel), narrowed: new Map() };
    const [keyword, grouping] = this.children(modifier);
    const labels = this.labelNames(grouping ?? null);
    this.requireLabels(labels, input.labels, `${op} ${this.text(modifier)}`);
    const isBy = keyword?.name === 'By';
    const grouped: LabelSet = isBy ? new Set(labels) : input.labels === 'any' ? 'any' : new Set([...input.labels].filter((l) => !labels.includes(l)));
    const output: LabelSet = grouped === 'any' ? 'any' : new Set([...grouped, ...valueLabel]);
    const narrowed = new Map([...input.narrowed].filter(([label]) => output === 'any' || output.has(label)));
    return { type: 'vector', labels: output, narrowed };
  }

  private binary(kids: SyntaxNode[], context: { presence: boolean; underRate: boolean }): Info {
    const [lhsNode, opNode] = kids;
    const rhsNode = kids[kids.length - 1]!;
    const modifier = kids.find((k) => k.name === 'MatchingModifierClause');
    const op = opNode!.name;
    const lhs = this.analyze(lhsNode!, context);
    const rhs = this.analyze(rhsNode, context);
    if (lhs.type === 'scalar') return rhs;
    if (rhs.type === 'scalar') return lhs;

    let on: string[] | undefined;
    let ignoring: string[] | undefined;
    let include: string[] | undefined;
    let side: 'left' | 'right' | undefined;
    if (modifier) {
      const parts = this.children(modifier);
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        const next = parts[i + 1]?.name === 'GroupingLabels' ? parts[i + 1]! : null;
        if (part.name === 'On') on = this.labelNames(next);
        if (part.name === 'Ignoring') ignoring = this.labelNames(next);
        if (part.name === 'GroupLeft' || part.name === 'GroupRight') {
          side = part.name === 'GroupLeft' ? 'left' : 'right';
          include = this.labelNames(next);
        }
      }
    }
    const where = `the ${this.text(opNode!)} ${modifier ? this.text(modifier) : ''}`.trimEnd();
    if (on) {
      this.requireLabels(on, lhs.labels, `${where} (left side)`);
      this.requireLabels(on, rhs.labels, `${where} (right side)`);
    }
    if (include) this.requireLabels(include, side === 'left' ? rhs.labels : lhs.labels, `${where} (labels copied from the "one" side)`);

    if (setOperators.has(op)) {
      const labels: LabelSet = op === 'Or' && lhs.labels !== 'any' && rhs.labels !== 'any' ? new Set([...lhs.labels, ...rhs.labels]) : lhs.labels;
      return { type: 'vector', labels, narrowed: lhs.narrowed };
    }

    // Vector matching on every label (no on/ignoring): both sides must carry the same labels, and a label one
    // side narrowed must not take part in the match, or each narrowed series is matched with itself.
    const [left, right] = [lhs.labels, rhs.labels];
    if (!on && !ignoring && left !== 'any' && right !== 'any') {
      const onlyLeft = [...left].filter((l) => !right.has(l));
      const onlyRight = [...right].filter((l) => !left.has(l));
      if (onlyLeft.length || onlyRight.length) {
        this.report('promql/ratio-label-mismatch', `${where} matches series on all their labels, but the left side keeps [${onlyLeft.join(', ')}] and the right side keeps [${onlyRight.join(', ')}] that the other lacks, so no series ever match`, 'aggregate both sides to the same labels (sum by (…)) or say on (…) which labels to match on');
      } else if (op === 'Div') {
        for (const [label, matcher] of lhs.narrowed) {
          if (!rhs.narrowed.has(label)) {
            this.report('promql/ratio-label-mismatch', `the left side of ${where} selects ${matcher} but both sides keep "${label}", so each selected series is divided by itself and the ratio is always 1`, `sum both sides without "${label}" first, e.g. sum by (service) (…) / sum by (service) (…)`);
          }
        }
      }
    }
    let labels: LabelSet;
    if (side && include) {
      const many = side === 'left' ? lhs.labels : rhs.labels;
      labels = many === 'any' ? 'any' : new Set([...many, ...include]);
    } else if (on) {
      labels = new Set(on);
    } else if (ignoring) {
      labels = lhs.labels === 'any' ? 'any' : new Set([...lhs.labels].filter((l) => !ignoring!.includes(l)));
    } else {
      labels = lhs.labels;
    }
    const narrowed = new Map([...lhs.narrowed].filter(([label]) => labels === 'any' || labels.has(label)));
    return { type: 'vector', labels, narrowed };
  }
}

/** `vector(<decimal number>)`, the form every threshold and info series is written in (formatNumber, normalize/alert-rules.ts). */
const constantVector = /^vector\([-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?\)$/i;

/** Parses and checks one expression; returns every problem found in it. */
export async function checkPromql(source: PromqlSource, options: PromqlCheckOptions): Promise<Problem[]> {
  // A fleet's threshold and info series are tens of thousands of `vector(0.87)` rules: a number literal in
  // vector() parses, selects no metric and has no labels, so nothing below can find fault with it (and an
  // annotation reading a label would). Parsing them all took 0.9 s of `validate` at 10,000 models.
  if (!source.annotationLabels?.length && constantVector.test(source.expr)) return [];
  const { tree, errors } = await parsePromql(source.expr);
  if (errors.length > 0) {
    return [{
      id: 'promql/syntax', severity: 'error', artifact: source.artifact, object: source.object,
      ...(source.path ? { path: source.path } : {}),
      message: `the expression does not parse: ${errors[0]!.message}`, value: source.expr,
    }];
  }
  const analyzer = new Analyzer(source, options);
  const result = analyzer.analyze(tree.topNode);
  if (source.annotationLabels?.length && result.labels !== 'any') {
    for (const label of source.annotationLabels) {
      if (!result.labels.has(label)) {
        analyzer.report('promql/unknown-label', `an annotation reads $labels.${label}, but the alert's series have no "${label}" label (they have: ${[...result.labels].sort().join(', ') || 'none'}), so it always renders empty`);
      }
    }
  }
  return analyzer.problems;
}
