/**
 * Reading rule files for `mlmon diff`, fast: a fleet's thresholds file holds tens of thousands of rules, and
 * parsing all of that YAML takes seconds. Rules are therefore compared as text first, one rule at a time (a
 * rule's lines are found by their indentation, without parsing), and only the rules whose text differs are
 * parsed. A file whose layout the splitter doesn't recognise (a user's template override, say) is parsed
 * whole instead.
 */
import { parse } from 'yaml';
import { artifactOf, textSurplus } from './change.js';
import type { OutputSide } from './side.js';
import { isRecord } from './structure.js';

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

/** One rule of a rule file, as its text. */
export interface RuleText {
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

/** A rule group of a rule file: where it is, its name and its `interval` as written. */
export interface RuleGroupInfo {
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
export function readRuleSets(before: OutputSide, after: OutputSide, isRuleFile: (path: string) => boolean = (path) => artifactOf(path) === 'alert-rules'): RuleSets {
  const parser = new RuleParser();
  // A file that is the same on both sides is read once.
  const byText = new Map<string, ReturnType<typeof parseRuleFile>>();
  const split = (side: OutputSide) => {
    const files = new Map<string, ReturnType<typeof parseRuleFile>>();
    for (const [path, text] of side.files) {
      if (!isRuleFile(path)) continue;
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
