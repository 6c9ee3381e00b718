/**
 * What a Logstash pipeline config cannot carry, or would read as something else: the rules both the config
 * check (config/logstash-semantics.ts), which reports a value on its config path before anything is rendered,
 * and the renderer (render/logstash.ts) apply, so a value the check passes is one the renderer can write.
 */

/** Logstash replaces `${NAME}` and `${NAME:default}` with a keystore entry or environment variable, in strings and conditions alike. */
const substitution = /\$\{[a-zA-Z_.][a-zA-Z0-9_.]*(:[^}]*)?\}/;

/** Why `value` can't be a Logstash string that decodes back to itself; undefined when it can. */
export function logstashStringRefusal(value: string): string | undefined {
  const found = substitution.exec(value)?.[0];
  if (found) return `it holds ${found}, which Logstash would replace with a keystore entry or environment variable`;
  // Logstash's grammar reads `\"` as an escaped quote wherever it is, so `"a\\"` never ends: a value ending in
  // a backslash can't be written as a Logstash string at all.
  if (value.endsWith('\\')) return 'it ends with a backslash, which a Logstash string cannot hold';
  return undefined;
}

/** Why `segment` can't be one `[segment]` of a Logstash field reference; undefined when it can. */
export function logstashFieldSegmentRefusal(segment: string): string | undefined {
  const found = substitution.exec(segment)?.[0];
  if (found) return `it holds ${found}, which Logstash would replace with a keystore entry or environment variable`;
  if (segment === '' || /[[\],\u0000-\u001f\u007f]/.test(segment)) return "field names can't be empty or hold [, ], commas or control characters";
  return undefined;
}

/** Why `prefix` can't start the `index` option, which Logstash sprintf's per event; undefined when it can. */
export function logstashIndexPrefixRefusal(prefix: string): string | undefined {
  if (prefix.includes('%{')) return 'it holds %{, which Logstash would replace with a field of each event';
  return logstashStringRefusal(prefix);
}

/** A config `LogField` (`message` or `[http][path]`) as the segments of a field reference. */
export function logFieldSegments(field: string): string[] {
  return /^(\[[^\][,]+\])+$/.test(field) ? field.slice(1, -1).split('][') : [field];
}
