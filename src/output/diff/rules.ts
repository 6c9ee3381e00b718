/**
 * Alerts and thresholds, as a reviewer thinks of them: "ModelAccuracyDrop threshold for model
 * fraud-detector: 0.9 → 0.95", not "line 48 of thresholds.yml".
 *
 * Thresholds are series, not rule text: a model's threshold is a constant recording rule
 * (`mlmon:model_min_accuracy:threshold{model, team}`) that one fleet-wide alert joins against. Which alert a
 * series belongs to is read from the alerts themselves: the alert whose expression uses the series (or its
 * default, `defaultSeriesOf`) owns it. So the mapping follows the rules as rendered, custom alerts included,
 * and a series no alert uses says so.
 *
 * Speed: a fleet's thresholds file holds tens of thousands of rules, and parsing all of that YAML takes
 * seconds. Rules are therefore compared as text first, one rule at a time (a rule's lines are found by their
 * indentation, without parsing), and only the rules whose text differs are parsed. A file whose layout the
 * splitter doesn't recognise (a user's template override, say) is parsed whole instead.
 */
import { parse } from 'yaml';
import { defaultSeriesOf, modelInfoSeries, serviceInfoSeries, thresholdSeries } from '../../normalize/alert-rules.js';
import { artifactOf, byText, formatLabels, textSurplus, unionKeys, type Change, type ChangedField } from './change.js';
import type { OutputSide } from './side.js';
import { isRecord, sameValue } from './structure.js';

export interface AlertRule {
  readonly kind: 'alert';
  readonly alert: string;
  readonly expr: string;
  readonly for: string | undefined;
  readonly keepFiringFor: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RecordingRule {
  readonly kind: 'record';
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type Rule = AlertRule | RecordingRule;

interface RuleText {
  /** The rule's own lines (or, for a file read whole, its canonical JSON): equal text, equal rule. */
  readonly text: string;
  /** The rule file it is in (set once the files are read). */
  readonly file?: string;
  readonly kind: 'alert' | 'record';
  /** For recording rules, the series name (read from the first line without parsing). */
  readonly record: string | undefined;
  /** Set when the file had to be parsed whole. */
  readonly parsed?: Rule;
}

interface RuleGroupInfo {
  readonly file: string;
  readonly name: string;
  readonly interval: unknown;
}

/** Parses each distinct rule text once, however many sides and summaries ask for it. */
export class RuleParser {
  private readonly cache = new Map<string, Rule | undefined>();

  rule(item: RuleText): Rule | undefined {
    if (item.parsed) return item.parsed;
    if (!this.cache.has(item.text)) {
      let rule: Rule | undefined = item.kind === 'record' ? readPlainRecordingRule(item.text) : undefined;
      try {
        rule ??= ruleOf(firstOf(parse(dedent(item.text))));
      } catch {
        // A rule a hand edit broke: left out, and diffRules says so.
      }
      this.cache.set(item.text, rule);
    }
    return this.cache.get(item.text);
  }
}

/** Every rule of one side's rule files, parsed only on demand. */
export class RuleSet {
  private alertCache: AlertRule[] | undefined;
  private readonly seriesCache = new Map<string, RecordingRule[]>();
  private byRecord: Map<string | undefined, RuleText[]> | undefined;
  private changedByRecord: Map<string | undefined, RuleText[]> | undefined;

  constructor(
    readonly items: readonly RuleText[],
    readonly groups: readonly RuleGroupInfo[],
    readonly parser: RuleParser,
    /** The items whose text the other side doesn't have: the only rules that can have changed. */
    readonly changedItems: readonly RuleText[],
  ) {}

  /** Every alerting rule (a few dozen even for a large fleet: one rule per alert, not per model). */
  alerts(): AlertRule[] {
    this.alertCache ??= this.items.filter((i) => i.kind === 'alert').map((i) => this.parser.rule(i)).filter((r): r is AlertRule => r?.kind === 'alert');
    return this.alertCache;
  }

  /** The recording rules of one series name, e.g. every model's `mlmon:model_min_accuracy:threshold`. */
  series(record: string): RecordingRule[] {
    let rules = this.seriesCache.get(record);
    if (!rules) {
      this.byRecord ??= indexByRecord(this.items);
      rules = this.recordsOf(this.byRecord, record);
      this.seriesCache.set(record, rules);
    }
    return rules;
  }

  /** Those of `series(record)` whose text changed. */
  changedSeries(record: string): RecordingRule[] {
    this.changedByRecord ??= indexByRecord(this.changedItems);
    return this.recordsOf(this.changedByRecord, record);
  }

  private recordsOf(index: ReadonlyMap<string | undefined, readonly RuleText[]>, record: string): RecordingRule[] {
    // Rules whose name couldn't be read without parsing (a quoted name) may be any series: parse and look.
    const items = [...(index.get(record) ?? []), ...(index.get(undefined) ?? [])];
    return items.map((i) => this.parser.rule(i)).filter((r): r is RecordingRule => r?.kind === 'record' && r.record === record);
  }
}

/** Recording rules by series name (`undefined`: a name that needs the parser). */
function indexByRecord(items: readonly RuleText[]): Map<string | undefined, RuleText[]> {
  const index = new Map<string | undefined, RuleText[]>();
  for (const item of items) {
    if (item.kind !== 'record') continue;
    const list = index.get(item.record);
    if (list) list.push(item);
    else index.set(item.record, [item]);
  }
  return index;
}

/**
 * A recording rule in the plain shape mlmon writes it (`- record: name`, `expr: vector(0.9)`, `labels:` with
 * one `key: value` a line), read without the YAML parser: that costs ~0.1 ms a rule, and a fleet's
 * thresholds are tens of thousands of rules. Only values YAML can read as nothing but that same string are
 * taken (a letter first, then letters, digits and `_.:/()-`, and no YAML keyword); for anything else this
 * returns undefined and the rule goes to the parser. A test checks both read every rule of a real file alike.
 */
export function readPlainRecordingRule(text: string): RecordingRule | undefined {
  const lines = text.split('\n');
  const first = /^( *)- record: (.*)$/.exec(lines[0]!);
  if (!first || !isPlainString(first[2]!)) return undefined;
  const keyIndent = first[1]!.length + 2;
  let expr: string | undefined;
  const labels: Record<string, string> = {};
  let inLabels = false;
  for (const line of lines.slice(1)) {
    const indent = indentOf(line);
    const entry = /^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$/.exec(line.slice(indent));
    if (!entry) return undefined;
    const [, key, value = ''] = entry as unknown as [string, string, string | undefined];
    if (indent === keyIndent) {
      inLabels = false;
      if (key === 'expr' && expr === undefined && isPlainString(value)) expr = value;
      else if (key === 'labels' && value === '' && Object.keys(labels).length === 0) inLabels = true;
      else return undefined;
    } else if (inLabels && indent === keyIndent + 2 && !(key in labels) && isPlainString(value)) labels[key] = value;
    else return undefined;
  }
  return expr === undefined ? undefined : { kind: 'record', record: first[2]!, expr, labels };
}

function isPlainString(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_.:/()-]*$/.test(value) && !/^(?:true|false|null|yes|no|on|off|y|n|nan|inf)$/i.test(value);
}

export interface RuleSets {
  readonly before: RuleSet;
  readonly after: RuleSet;
  /** Rule files one side can't read (not YAML, not rule files): left out of both sides, with a note. */
  readonly unreadable: ReadonlyMap<string, string>;
}

/** Both sides' rules. A file either side can't read is left out of both, so its rules don't show as added or removed. */
export function readRuleSets(before: OutputSide, after: OutputSide): RuleSets {
  const parser = new RuleParser();
  // A file that is the same on both sides is read once.
  const byText = new Map<string, ReturnType<typeof parseRuleFile>>();
  const split = (side: OutputSide) => {
    const files = new Map<string, ReturnType<typeof parseRuleFile>>();
    for (const [path, text] of side.files) {
      if (artifactOf(path) !== 'alert-rules') continue;
      let file = byText.get(text);
      if (!file) byText.set(text, (file = splitRuleFile(text) ?? parseRuleFile(text)));
      files.set(path, file);
    }
    return files;
  };
  const filesBefore = split(before);
  const filesAfter = split(after);
  const unreadable = new Map<string, string>();
  for (const [side, files] of [[before, filesBefore], [after, filesAfter]] as const) {
    for (const [path, file] of files) if ('error' in file) unreadable.set(path, `${side.name === 'before' ? 'the current output' : 'the new output'}: ${file.error}`);
  }
  const read = (files: ReadonlyMap<string, ReturnType<typeof parseRuleFile>>) => {
    const items: RuleText[] = [];
    const groups: RuleGroupInfo[] = [];
    for (const [path, file] of files) {
      if ('error' in file || unreadable.has(path)) continue;
      for (const item of file.items) items.push({ ...item, file: path });
      groups.push(...file.groups.map((g) => ({ ...g, file: path })));
    }
    return { items, groups };
  };
  const old = read(filesBefore);
  const now = read(filesAfter);
  const { onlyBefore, onlyAfter } = textSurplus(old.items, now.items, (item) => item.text);
  return { before: new RuleSet(old.items, old.groups, parser, onlyBefore), after: new RuleSet(now.items, now.groups, parser, onlyAfter), unreadable };
}

/** The threshold series mlmon generates, and their defaults for models the config doesn't list. */
const knownThresholdSeries: readonly string[] = Object.values(thresholdSeries).flatMap((series) => [series, defaultSeriesOf(series)]);
const isDefaultSeries = (record: string) => knownThresholdSeries.includes(record) && record.endsWith(':default_threshold');

/** Which threshold series an alert's expression compares against. */
export function seriesUsedBy(expr: string): string[] {
  return knownThresholdSeries.filter((series) => usesName(expr, series));
}

function usesName(expr: string, name: string): boolean {
  let at = expr.indexOf(name);
  while (at !== -1) {
    const before = expr[at - 1];
    const after = expr[at + name.length];
    if (!(before && /[\w:]/.test(before)) && !(after && /[\w:]/.test(after))) return true;
    at = expr.indexOf(name, at + 1);
  }
  return false;
}

export function diffRules({ before, after, unreadable }: RuleSets): Change[] {
  const changes: Change[] = [];
  for (const [path, error] of unreadable) {
    changes.push({ change: 'changed', subject: `file ${path}`, text: `${path} could not be read as Prometheus rules (${error}); see the text diff` });
  }
  changes.push(...diffGroups(before.groups, after.groups));

  // Rules whose text is on both sides are unchanged; only the rest is parsed and matched.
  const parsedBefore = before.changedItems.map((i) => before.parser.rule(i)).filter((r): r is Rule => r !== undefined);
  const parsedAfter = after.changedItems.map((i) => after.parser.rule(i)).filter((r): r is Rule => r !== undefined);
  for (const [side, set] of [['the current output', before], ['the new output', after]] as const) {
    const broken = new Set(set.changedItems.filter((i) => set.parser.rule(i) === undefined).map((i) => i.file ?? '?'));
    for (const file of broken) changes.push({ change: 'changed', subject: `file ${file}`, text: `a rule in ${file} (${side}) could not be read; see the text diff` });
  }

  const owners = seriesOwners([...before.alerts(), ...after.alerts()]);
  const alerts = pairRules(parsedBefore.filter(isAlert), parsedAfter.filter(isAlert), alertIdentity, (r) => r.alert);
  // Series are matched by identity alone: another model's threshold is not this model's, changed.
  const records = pairRules(parsedBefore.filter(isRecord_), parsedAfter.filter(isRecord_), recordIdentity, recordIdentity);
  const nameOf = alertNamer(before.alerts(), after.alerts());
  for (const pair of alerts) {
    const change = describeAlertChange(pair.before, pair.after, nameOf);
    if (change) changes.push(change);
  }
  for (const pair of records) {
    const change = describeRecordChange(pair.before, pair.after, owners);
    if (change) changes.push(change);
  }
  return changes;
}

// ---- reading rule files ------------------------------------------------------------------------

/**
 * A rule file's rules as text, without parsing the YAML: each rule is the sequence item that starts with
 * `- alert:` or `- record:` and runs until a line indented no deeper than its dash. What is left (the
 * groups' names and intervals) is small and parsed to check that the split understood the file: if any rule
 * was missed, the leftover still holds rules and the file is parsed whole instead. Lines are walked by
 * offset and rules cut out with one `slice` each: this runs over megabytes.
 */
function splitRuleFile(text: string): { items: RuleText[]; groups: Omit<RuleGroupInfo, 'file'>[] } | undefined {
  const starts: number[] = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  const lineEnd = (i: number) => (i + 1 < starts.length ? starts[i + 1]! - 1 : text.length);
  const indentAt = (i: number) => {
    let at = starts[i]!;
    while (text.charCodeAt(at) === 32) at++;
    return at - starts[i]!;
  };
  const isBlank = (i: number) => text.slice(starts[i]!, lineEnd(i)).trim() === '';

  const items: RuleText[] = [];
  const skeleton: string[] = [];
  let groupIndent = -1;
  let i = 0;
  while (i < starts.length) {
    const dash = indentAt(i);
    const at = starts[i]! + dash;
    const kind = text.startsWith('- alert:', at) ? 'alert' : text.startsWith('- record:', at) ? 'record' : undefined;
    const afterKey = at + (kind === 'alert' ? 8 : 9);
    if (!kind || (afterKey < lineEnd(i) && text.charCodeAt(afterKey) !== 32)) {
      if (text.startsWith('- ', at) && (groupIndent === -1 || dash <= groupIndent)) groupIndent = dash;
      skeleton.push(text.slice(starts[i]!, lineEnd(i)));
      i++;
      continue;
    }
    if (dash <= groupIndent) return undefined;
    let end = i + 1;
    let lastContent = i;
    while (end < starts.length) {
      if (isBlank(end)) {
        end++;
        continue;
      }
      if (indentAt(end) <= dash) break;
      lastContent = end;
      end++;
    }
    const name = text.slice(afterKey, lineEnd(i)).trim();
    // A plain name is read as written; anything quoted is left for the parser (record stays unknown).
    const record = kind === 'record' && /^[A-Za-z_:][\w:]*$/.test(name) ? name : undefined;
    items.push({ text: text.slice(starts[i]!, lineEnd(lastContent)), kind, record });
    for (let blank = lastContent + 1; blank < end; blank++) skeleton.push('');
    i = end;
  }
  let groups: unknown;
  try {
    groups = (parse(skeleton.join('\n')) as { groups?: unknown } | null)?.groups;
  } catch {
    return undefined;
  }
  if (groups === undefined || groups === null) return items.length === 0 ? { items, groups: [] } : undefined;
  if (!Array.isArray(groups) || !groups.every((g) => isRecord(g) && (g.rules === null || g.rules === undefined || (Array.isArray(g.rules) && g.rules.length === 0)))) return undefined;
  return { items, groups: groups.map((g: Record<string, unknown>) => ({ name: String(g.name), interval: g.interval })) };
}

function parseRuleFile(text: string): { items: RuleText[]; groups: Omit<RuleGroupInfo, 'file'>[] } | { error: string } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0]! };
  }
  const groups = isRecord(doc) ? doc.groups : undefined;
  if (doc !== null && doc !== undefined && groups !== undefined && !Array.isArray(groups)) return { error: '`groups` is not a list' };
  const items: RuleText[] = [];
  const infos: Omit<RuleGroupInfo, 'file'>[] = [];
  for (const group of Array.isArray(groups) ? groups : []) {
    if (!isRecord(group)) return { error: 'a group is not a mapping' };
    infos.push({ name: String(group.name), interval: group.interval });
    for (const raw of Array.isArray(group.rules) ? group.rules : []) {
      const rule = ruleOf(raw);
      if (!rule) return { error: 'a rule has neither `alert` nor `record`' };
      items.push({ text: JSON.stringify(raw), kind: rule.kind, record: rule.kind === 'record' ? rule.record : undefined, parsed: rule });
    }
  }
  return { items, groups: infos };
}

function ruleOf(raw: unknown): Rule | undefined {
  if (!isRecord(raw)) return undefined;
  const strings = (value: unknown): Record<string, string> =>
    isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};
  const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));
  if (typeof raw.alert === 'string') {
    return {
      kind: 'alert',
      alert: raw.alert,
      expr: String(raw.expr ?? ''),
      for: text(raw.for),
      keepFiringFor: text(raw.keep_firing_for),
      labels: strings(raw.labels),
      annotations: strings(raw.annotations),
    };
  }
  if (typeof raw.record === 'string') return { kind: 'record', record: raw.record, expr: String(raw.expr ?? ''), labels: strings(raw.labels) };
  return undefined;
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : undefined;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** A rule's lines moved left so the rule is a document of its own (`- alert: …` at column 0). */
function dedent(text: string): string {
  const dash = indentOf(text);
  return text
    .split('\n')
    .map((line) => line.slice(Math.min(dash, indentOf(line))))
    .join('\n');
}

// ---- matching ----------------------------------------------------------------------------------

export interface RulePair<T> {
  readonly before: T | undefined;
  readonly after: T | undefined;
}

/**
 * Matches rules across the sides by identity; what is left is matched by name when the name is unique on
 * both sides (a label change), and the rest is added or removed. Indexed by key, so a fleet's worth of
 * rules is matched in one pass.
 */
export function pairRules<T>(before: readonly T[], after: readonly T[], identity: (rule: T) => string, name: (rule: T) => string): RulePair<T>[] {
  const keys = new Map<T, { identity: string; name: string }>();
  const keyOf = (rule: T) => {
    let key = keys.get(rule);
    if (!key) keys.set(rule, (key = { identity: identity(rule), name: name(rule) }));
    return key;
  };
  const group = (rules: readonly T[], by: 'identity' | 'name') => {
    const map = new Map<string, T[]>();
    for (const rule of rules) {
      const key = keyOf(rule)[by];
      const list = map.get(key);
      if (list) list.push(rule);
      else map.set(key, [rule]);
    }
    return map;
  };

  const pairs: RulePair<T>[] = [];
  const afterByIdentity = group(after, 'identity');
  const unmatchedBefore: T[] = [];
  for (const rule of before) {
    const match = afterByIdentity.get(keyOf(rule).identity)?.shift();
    if (match === undefined) unmatchedBefore.push(rule);
    else pairs.push({ before: rule, after: match });
  }
  const unmatchedAfter = [...afterByIdentity.values()].flat();
  const afterByName = group(unmatchedAfter, 'name');
  const paired = new Set<T>();
  for (const [ruleName, rules] of group(unmatchedBefore, 'name')) {
    const candidates = afterByName.get(ruleName);
    if (rules.length === 1 && candidates?.length === 1) {
      pairs.push({ before: rules[0], after: candidates[0] });
      paired.add(rules[0]!).add(candidates[0]!);
    }
  }
  for (const rule of unmatchedBefore) if (!paired.has(rule)) pairs.push({ before: rule, after: undefined });
  for (const rule of unmatchedAfter) if (!paired.has(rule)) pairs.push({ before: undefined, after: rule });
  const sortKey = (pair: RulePair<T>) => keyOf((pair.after ?? pair.before)!);
  return pairs.sort((a, b) => byText(sortKey(a).name, sortKey(b).name) || byText(sortKey(a).identity, sortKey(b).identity));
}

const isAlert = (rule: Rule): rule is AlertRule => rule.kind === 'alert';
const isRecord_ = (rule: Rule): rule is RecordingRule => rule.kind === 'record';

/** An alert is its name and labels; severity is a setting of the alert, shown as a change, not a new alert. */
export function alertIdentity(rule: AlertRule): string {
  const { severity: _severity, ...labels } = rule.labels;
  return `${rule.alert}${formatLabels(labels)}`;
}

/**
 * How an alert is named to people: by its name, with its labels only where two alerts share the name
 * (a custom alert per team, say). Built-in alerts are one rule each, so they read `HighLatency`.
 */
export function alertNamer(...sides: readonly (readonly AlertRule[])[]): (rule: AlertRule) => string {
  const shared = new Set<string>();
  for (const alerts of sides) {
    const seen = new Set<string>();
    for (const alert of alerts) {
      if (seen.has(alert.alert)) shared.add(alert.alert);
      seen.add(alert.alert);
    }
  }
  return (rule) => (shared.has(rule.alert) ? alertIdentity(rule) : rule.alert);
}

/** A threshold series is its name and target (model or service); its team is a setting of the target. */
function recordIdentity(rule: RecordingRule): string {
  const { team: _team, ...rest } = rule.labels;
  if (rule.record === modelInfoSeries) return `${rule.record}{model=${JSON.stringify(rule.labels.model ?? '')}}`;
  if (rule.record === serviceInfoSeries) return `${rule.record}{service=${JSON.stringify(rule.labels.service ?? '')}}`;
  return knownThresholdSeries.includes(rule.record) ? `${rule.record}${formatLabels(rest)}` : `${rule.record}${formatLabels(rule.labels)}`;
}

/** Threshold series → the alerts that compare against them. */
function seriesOwners(alerts: readonly AlertRule[]): Map<string, string[]> {
  const owners = new Map<string, Set<string>>();
  for (const alert of alerts) {
    for (const series of seriesUsedBy(alert.expr)) {
      const set = owners.get(series) ?? new Set<string>();
      set.add(alert.alert);
      owners.set(series, set);
    }
  }
  return new Map([...owners].map(([series, names]) => [series, [...names].sort(byText)]));
}

// ---- describing --------------------------------------------------------------------------------

function diffGroups(before: readonly RuleGroupInfo[], after: readonly RuleGroupInfo[]): Change[] {
  const key = (g: RuleGroupInfo) => `${g.file}\u0000${g.name}`;
  const afterByKey = new Map(after.map((g) => [key(g), g]));
  const beforeByKey = new Map(before.map((g) => [key(g), g]));
  const changes: Change[] = [];
  const where = (g: RuleGroupInfo) => `rule group ${g.name} (${g.file.replace(/^prometheus\/rules\//, '')})`;
  for (const [k, g] of beforeByKey) {
    const now = afterByKey.get(k);
    if (!now) changes.push({ change: 'removed', subject: `group ${g.file}#${g.name}`, text: `${where(g)} removed` });
    else if (!sameValue(g.interval, now.interval)) {
      changes.push({
        change: 'changed',
        subject: `group ${g.file}#${g.name}`,
        text: `${where(g)}: interval ${String(g.interval ?? 'global')} → ${String(now.interval ?? 'global')}`,
        fields: [{ field: 'interval', before: g.interval, after: now.interval }],
      });
    }
  }
  for (const [k, g] of afterByKey) if (!beforeByKey.has(k)) changes.push({ change: 'added', subject: `group ${g.file}#${g.name}`, text: `${where(g)} added` });
  return changes;
}

function describeAlertChange(before: AlertRule | undefined, after: AlertRule | undefined, nameOf: (rule: AlertRule) => string): Change | undefined {
  const rule = (after ?? before)!;
  const subject = `alert ${alertIdentity(rule)}`;
  if (!before) return { change: 'added', subject, text: `alert ${nameOf(rule)} added (severity ${rule.labels.severity ?? 'none'}, for ${rule.for ?? '0s'})` };
  if (!after) return { change: 'removed', subject, text: `alert ${nameOf(rule)} removed` };

  const fields: ChangedField[] = [];
  const parts: string[] = [];
  const field = (name: string, from: string | undefined, to: string | undefined, text: string) => {
    if (from === to) return;
    fields.push({ field: name, ...(from !== undefined ? { before: from } : {}), ...(to !== undefined ? { after: to } : {}) });
    parts.push(text);
  };
  if (before.expr !== after.expr) {
    const threshold = thresholdChange(before.expr, after.expr);
    if (threshold) {
      fields.push({ field: 'threshold', before: threshold.before, after: threshold.after });
      parts.push(`threshold ${threshold.before} → ${threshold.after}`);
    } else {
      fields.push({ field: 'expr', before: before.expr, after: after.expr });
      parts.push(isShort(before.expr) && isShort(after.expr) ? `expression ${before.expr} → ${after.expr}` : 'expression changed');
    }
  }
  field('for', before.for, after.for, `for ${before.for ?? '0s'} → ${after.for ?? '0s'}`);
  field('keep_firing_for', before.keepFiringFor, after.keepFiringFor, `keep_firing_for ${before.keepFiringFor ?? 'none'} → ${after.keepFiringFor ?? 'none'}`);
  field('severity', before.labels.severity, after.labels.severity, `severity ${before.labels.severity ?? 'none'} → ${after.labels.severity ?? 'none'}`);
  const { severity: _a, ...labelsBefore } = before.labels;
  const { severity: _b, ...labelsAfter } = after.labels;
  if (!sameValue(labelsBefore, labelsAfter)) {
    fields.push({ field: 'labels', before: labelsBefore, after: labelsAfter });
    parts.push(`labels ${formatLabels(labelsBefore) || '{}'} → ${formatLabels(labelsAfter) || '{}'}`);
  }
  for (const name of unionKeys(before.annotations, after.annotations)) {
    const from = before.annotations[name];
    const to = after.annotations[name];
    if (from === to) continue;
    fields.push({ field: `annotations.${name}`, ...(from !== undefined ? { before: from } : {}), ...(to !== undefined ? { after: to } : {}) });
    if (from === undefined) parts.push(`annotation ${name} added`);
    else if (to === undefined) parts.push(`annotation ${name} removed`);
    else parts.push(isShort(from) && isShort(to) ? `annotation ${name}: ${from} → ${to}` : `annotation ${name} changed`);
  }
  if (parts.length === 0) return undefined;
  return { change: 'changed', subject, text: `alert ${nameOf(after)}: ${parts.join('; ')}`, fields };
}

/**
 * When two expressions differ only in the numbers they compare against (`… > 80` → `… > 90`), the change is
 * a threshold change, and says so with the numbers.
 */
function thresholdChange(before: string, after: string): { before: string; after: string } | undefined {
  const comparison = /((?:>=|<=|==|!=|>|<)\s*(?:bool\s+)?)(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?![\w.])/g;
  const numbers = (expr: string) => [...expr.matchAll(comparison)].map((m) => m[2]!);
  const shape = (expr: string) => expr.replace(comparison, '$1#');
  if (shape(before) !== shape(after)) return undefined;
  const from = numbers(before);
  const to = numbers(after);
  const changed = from.map((n, i) => [n, to[i]!] as const).filter(([a, b]) => a !== b);
  if (changed.length === 0) return undefined;
  return { before: changed.map(([a]) => a).join(', '), after: changed.map(([, b]) => b).join(', ') };
}

function describeRecordChange(before: RecordingRule | undefined, after: RecordingRule | undefined, owners: ReadonlyMap<string, readonly string[]>): Change | undefined {
  const rule = (after ?? before)!;
  if (rule.record === modelInfoSeries) return describeModelListChange(before, after);
  if (rule.record === serviceInfoSeries) return describeServiceListChange(before, after);
  if (!knownThresholdSeries.includes(rule.record)) return describeOtherRecordChange(before, after);

  const subject = `threshold ${recordIdentity(rule)}`;
  const owner = owners.get(rule.record)?.join('/') ?? `${rule.record} (no alert uses it)`;
  const { team: _team, ...target } = rule.labels;
  const what = isDefaultSeries(rule.record) ? `${owner} default threshold (for ${targetKindOf(rule.record)} the config doesn't list)` : `${owner} threshold for ${describeTarget(target)}`;
  if (!before) return { change: 'added', subject, text: `${what} added: ${constantOf(after!.expr)}` };
  if (!after) return { change: 'removed', subject, text: `${what} removed (was ${constantOf(before.expr)})` };
  const fields: ChangedField[] = [];
  const parts: string[] = [];
  if (before.expr !== after.expr) {
    fields.push({ field: 'value', before: constantOf(before.expr), after: constantOf(after.expr) });
    parts.push(`${constantOf(before.expr)} → ${constantOf(after.expr)}`);
  }
  if (before.labels.team !== after.labels.team) {
    fields.push({ field: 'team', before: before.labels.team, after: after.labels.team });
    parts.push(`team ${before.labels.team ?? 'none'} → ${after.labels.team ?? 'none'}`);
  }
  if (parts.length === 0) return undefined;
  return { change: 'changed', subject, text: `${what}: ${parts.join(', ')}`, fields };
}

function describeModelListChange(before: RecordingRule | undefined, after: RecordingRule | undefined): Change | undefined {
  const rule = (after ?? before)!;
  const model = rule.labels.model ?? '?';
  const subject = `model ${model}`;
  if (!before) return { change: 'added', subject, text: `model ${model} added (service ${rule.labels.service ?? 'none'}, team ${rule.labels.team ?? 'none'})` };
  if (!after) return { change: 'removed', subject, text: `model ${model} removed: the default thresholds apply to it again` };
  const fields: ChangedField[] = [];
  for (const label of ['service', 'team']) {
    if (before.labels[label] !== after.labels[label]) fields.push({ field: label, before: before.labels[label], after: after.labels[label] });
  }
  if (fields.length === 0) return undefined;
  return { change: 'changed', subject, text: `model ${model}: ${fields.map((f) => `${f.field} ${String(f.before ?? 'none')} → ${String(f.after ?? 'none')}`).join(', ')}`, fields };
}

/** mlmon:service_info: the services ServiceUnreachable expects to see, and the team their targets' ServiceDown goes to. */
function describeServiceListChange(before: RecordingRule | undefined, after: RecordingRule | undefined): Change | undefined {
  const service = (after ?? before)!.labels.service ?? '?';
  if (!before) return { change: 'added', subject: `service ${service}`, text: `service ${service} added (team ${after!.labels.team ?? 'none'})` };
  if (!after) return { change: 'removed', subject: `service ${service}`, text: `service ${service} removed` };
  if (before.labels.team === after.labels.team) return undefined;
  return { change: 'changed', subject: `service ${service}`, text: `service ${service}: team ${before.labels.team ?? 'none'} → ${after.labels.team ?? 'none'}`, fields: [{ field: 'team', before: before.labels.team, after: after.labels.team }] };
}

function describeOtherRecordChange(before: RecordingRule | undefined, after: RecordingRule | undefined): Change | undefined {
  const rule = (after ?? before)!;
  const name = `${rule.record}${formatLabels(rule.labels)}`;
  const subject = `recording rule ${name}`;
  if (!before) return { change: 'added', subject, text: `recording rule ${name} added` };
  if (!after) return { change: 'removed', subject, text: `recording rule ${name} removed` };
  if (before.expr === after.expr && sameValue(before.labels, after.labels)) return undefined;
  const text = isShort(before.expr) && isShort(after.expr) ? `expression ${before.expr} → ${after.expr}` : 'expression changed';
  return { change: 'changed', subject, text: `recording rule ${name}: ${text}`, fields: [{ field: 'expr', before: before.expr, after: after.expr }] };
}

/** `model fraud-detector`, `service model-api`, or the labels as written. */
export function describeTarget(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels);
  if (keys.length === 1 && (keys[0] === 'model' || keys[0] === 'service')) return `${keys[0]} ${labels[keys[0]]}`;
  return formatLabels(labels) || 'every target';
}

function targetKindOf(record: string): string {
  return record.startsWith('mlmon:service_') ? 'services' : 'models';
}

/** `vector(0.9)` → `0.9`; any other expression as written. */
function constantOf(expr: string): string {
  return /^\s*vector\(\s*([^()]+?)\s*\)\s*$/.exec(expr)?.[1] ?? expr;
}

/** Short enough to show as `before → after` within one summary line. */
function isShort(text: string): boolean {
  return !text.includes('\n') && text.length <= 60;
}

