/**
 * Config values that reach the Logstash pipeline (and Filebeat's config), judged before anything is rendered: what Logstash's grammar
 * cannot carry, or would read as something else, is reported on the config path that holds it. The renderer
 * (render/logstash.ts) applies the same rules (formats/logstash/refusals.ts), so a value this check passes is one it can write.
 */
import { logFieldSegments, logstashFieldSegmentRefusal, logstashIndexPrefixRefusal, logstashStringRefusal } from '../formats/logstash/refusals.js';
import { configPath, type Problem } from '../problems.js';
import type { MonitoringConfig } from './types.js';

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
