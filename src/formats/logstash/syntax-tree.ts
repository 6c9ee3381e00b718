/**
 * The syntax tree of a Logstash pipeline configuration, as `parseLogstashConfig` (parse.ts) returns it: what
 * the renderer re-parses to prove its output, and what `mlmon diff` compares.
 */

export interface LogstashSyntaxError {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export type LogstashValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bareword'; value: string }
  | { kind: 'array'; items: LogstashValue[] }
  | { kind: 'hash'; entries: { key: string; value: LogstashValue }[] }
  | { kind: 'plugin'; plugin: LogstashPlugin };

export interface LogstashPlugin {
  kind: 'plugin';
  name: string;
  attributes: { name: string; value: LogstashValue }[];
  line: number;
}

export interface LogstashBranch {
  kind: 'branch';
  /** The `if`, any `else if`s and an optional `else`; `condition` is the condition's source text, null for `else`. */
  clauses: { condition: string | null; body: LogstashStatement[] }[];
  line: number;
}

export type LogstashStatement = LogstashPlugin | LogstashBranch;

export interface LogstashSection {
  name: 'input' | 'filter' | 'output';
  body: LogstashStatement[];
  line: number;
}

export interface LogstashPipeline {
  sections: LogstashSection[];
}
