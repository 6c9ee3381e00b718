/**
 * Config values that reach the Logstash pipeline (and Filebeat's config), judged before anything is rendered: what Logstash's grammar
 * cannot carry, or would read as something else, is reported on the config path that holds it. The renderer
 * (render/logstash.ts) applies the same rules, so a value this check passes is one it can write.
 */
import type { MonitoringConfig } from '../../config/types.js';
import { configPath, type Problem } from '../../problems.js';

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

/** Every config value the Logstash pipeline would hold that it cannot carry, on its config path. */
export function checkLogstashValues(config: MonitoringConfig): Problem[] {
  const problems: Problem[] = [];
  const refuse = (segments: (string | number)[], value: string, reason: string | undefined, what: string): void => {
    if (reason === undefined) return;
    const path = configPath(segments);
    problems.push({
      id: 'config/logstash-value', severity: 'error', path, value,
      message: `${path} is ${JSON.stringify(value)}, which cannot be written as ${what} in the Logstash pipeline: ${reason}`,
      allowed: 'text without ${…}, not ending in a backslash',
    });
  };
  for (const [name, service] of Object.entries(config.services ?? {})) {
    // The service's name is compared with the pod label in a Logstash condition.
    refuse(['services', name], name, logstashStringRefusal(name), 'a string');
    const logging = service?.logging;
    for (const key of ['jsonField', 'timestampField', 'pathField'] as const) {
      const field = logging?.[key];
      if (typeof field !== 'string') continue;
      for (const segment of logFieldSegments(field)) refuse(['services', name, 'logging', key], field, logstashFieldSegmentRefusal(segment), 'a field reference');
    }
    (logging?.dropPaths ?? []).forEach((path, i) => {
      if (typeof path === 'string') refuse(['services', name, 'logging', 'dropPaths', i], path, logstashStringRefusal(path), 'a string');
    });
  }
  (config.logging?.elasticsearchHosts ?? []).forEach((host, i) => {
    if (typeof host === 'string') refuse(['logging', 'elasticsearchHosts', i], host, logstashStringRefusal(host), 'a string');
  });
  // filebeat.yml: Filebeat (go-ucfg) replaces ${NAME} in its config from the environment as well.
  const logstashHost = config.logging?.logstashHost;
  if (typeof logstashHost === 'string' && logstashHost.includes('${')) {
    problems.push({
      id: 'config/logstash-value', severity: 'error', path: 'logging.logstashHost', value: logstashHost,
      message: `logging.logstashHost is ${JSON.stringify(logstashHost)}: Filebeat would replace the \${…} in it with an environment variable`,
      allowed: 'host:port without ${…}',
    });
  }
  const prefix = config.logging?.indexPrefix;
  if (typeof prefix === 'string') refuse(['logging', 'indexPrefix'], prefix, logstashIndexPrefixRefusal(prefix), 'an index name');
  return problems;
}
