/**
 * Logstash pipelines (.conf under logstash/): per section (input, filter, output), the plugins added,
 * removed or changed, each with the conditional it sits in. Read with mlmon's own Logstash grammar
 * (formats/logstash/parse.ts), the same one `validate` proves the pipeline with.
 */
import { parseLogstashConfig, type LogstashStatement, type LogstashValue } from '../../formats/logstash/parse.js';
import { type Change, unionKeys } from './change.js';
import type { OutputSide } from './side.js';

interface PluginEntry {
  readonly key: string;
  readonly section: string;
  readonly where: string;
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
}

export function diffLogstash(before: OutputSide, after: OutputSide, paths: readonly string[]): Change[] {
  const changes: Change[] = [];
  for (const path of paths) {
    const file = path.replace(/^.*\//, '');
    const read = (side: OutputSide): Map<string, PluginEntry> | undefined => {
      const text = side.files.get(path);
      if (text === undefined) return new Map();
      const parsed = parseLogstashConfig(text);
      if (parsed.ok) return pluginsOf(parsed.pipeline.sections);
      changes.push({
        change: 'changed',
        subject: `file ${path}`,
        text: `${path} (${side.name === 'before' ? 'the current output' : 'the new output'}) is not a valid Logstash pipeline: ${parsed.error.message} at line ${parsed.error.line}; see the text diff`,
      });
      return undefined;
    };
    const old = read(before);
    const now = read(after);
    if (!old || !now) continue;
    if (!before.files.has(path)) changes.push({ change: 'added', subject: `pipeline ${path}`, text: `pipeline ${file} added` });
    else if (!after.files.has(path)) changes.push({ change: 'removed', subject: `pipeline ${path}`, text: `pipeline ${file} removed` });
    for (const key of unionKeys(old, now)) {
      const a = old.get(key);
      const b = now.get(key);
      const entry = (b ?? a)!;
      const where = `${file} ${entry.section}${entry.where ? ` (inside ${entry.where})` : ''}`;
      const subject = `plugin ${path} ${key}`;
      if (!a) changes.push({ change: 'added', subject, text: `${where}: plugin ${entry.name} added` });
      else if (!b) changes.push({ change: 'removed', subject, text: `${where}: plugin ${entry.name} removed` });
      else {
        const fields = [...new Set([...a.attributes.keys(), ...b.attributes.keys()])]
          .filter((name) => a.attributes.get(name) !== b.attributes.get(name))
          .map((name) => ({ field: name, ...(a.attributes.has(name) ? { before: a.attributes.get(name) } : {}), ...(b.attributes.has(name) ? { after: b.attributes.get(name) } : {}) }));
        if (fields.length === 0) continue;
        const described = fields.map((f) => {
          if (!('before' in f)) return `${f.field} added`;
          if (!('after' in f)) return `${f.field} removed`;
          return f.before!.length <= 60 && f.after!.length <= 60 ? `${f.field} ${f.before} → ${f.after}` : `${f.field} changed`;
        });
        changes.push({ change: 'changed', subject, text: `${where}: plugin ${entry.name}: ${described.join('; ')}`, fields });
      }
    }
  }
  return changes;
}

/**
 * Plugins by where they are: section, the conditionals around them, and their `id` or name (numbered when a
 * name repeats in one place, as `mutate` often does).
 */
function pluginsOf(sections: readonly { name: string; body: LogstashStatement[] }[]): Map<string, PluginEntry> {
  const plugins = new Map<string, PluginEntry>();
  const walk = (section: string, body: readonly LogstashStatement[], where: string) => {
    for (const statement of body) {
      if (statement.kind === 'branch') {
        const first = statement.clauses[0]?.condition ?? '';
        statement.clauses.forEach((clause, i) => {
          const label = clause.condition === null ? `else of if ${first}` : i === 0 ? `if ${clause.condition}` : `else if ${clause.condition}`;
          walk(section, clause.body, where ? `${where} › ${label}` : label);
        });
        continue;
      }
      const id = statement.attributes.find((a) => a.name === 'id');
      const base = `${section}|${where}|${id ? `id ${valueText(id.value)}` : statement.name}`;
      let key = base;
      for (let n = 2; plugins.has(key); n++) key = `${base} #${n}`;
      plugins.set(key, {
        key,
        section,
        where,
        name: statement.name,
        attributes: new Map(statement.attributes.map((a) => [a.name, valueText(a.value)])),
      });
    }
  };
  for (const section of sections) walk(section.name, section.body, '');
  return plugins;
}

/** A value as Logstash's own syntax would write it, so equal values compare equal. */
function valueText(value: LogstashValue): string {
  switch (value.kind) {
    case 'string':
      return JSON.stringify(value.value);
    case 'number':
      return String(value.value);
    case 'bareword':
      return value.value;
    case 'array':
      return `[${value.items.map(valueText).join(', ')}]`;
    case 'hash':
      return `{ ${value.entries.map((e) => `${JSON.stringify(e.key)} => ${valueText(e.value)}`).join(' ')} }`;
    case 'plugin':
      return `${value.plugin.name} { ${value.plugin.attributes.map((a) => `${a.name} => ${valueText(a.value)}`).join(' ')} }`;
  }
}
