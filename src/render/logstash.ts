/**
 * The log pipeline: Filebeat ships container logs to Logstash, which parses them and writes daily indices
 * to Elasticsearch.
 *
 * Logstash's config language is not YAML, so the templating helpers can't quote values for it. Instead the
 * view handed to the templates holds every user value already written as Logstash syntax (a quoted string
 * or a field reference), and the result is parsed again with our port of Logstash's grammar before it is
 * accepted.
 */
import { parseLogstashConfig } from '../formats/logstash/parse.js';
import { logFieldSegments, logstashFieldSegmentRefusal, logstashIndexPrefixRefusal, logstashStringRefusal } from '../formats/logstash/refusals.js';
import type { LogParsing, MonitoringModel } from '../normalize/model.js';
import { banner, RenderError, type RenderedFile } from './artifact.js';
import { renderLogRetention } from './elasticsearch/log-retention.js';
import type { Templates } from './templating.js';

const pipelinePath = 'logstash/pipeline/logstash.conf';

/**
 * logstash.conf, the pipelines.yml that loads it, the filebeat.yml that feeds it, and the Elasticsearch and
 * Kibana files of the data stream it writes to (render/elasticsearch/).
 */
export function renderLogging(model: MonitoringModel, templates: Templates): RenderedFile[] {
  return [renderLogstashPipeline(model, templates), renderLogstashPipelines(model, templates), renderFilebeatConfig(model, templates), ...renderLogRetention(model)];
}

function renderLogstashPipeline(model: MonitoringModel, templates: Templates): RenderedFile {
  const logging = model.logging;
  const write = new LogstashWriter(pipelinePath);
  const serviceField = write.fieldReference(logging.serviceLabelField);
  const parsingOf = (parsing: LogParsing) => {
    const pathField = write.fieldReference([logging.jsonTarget, ...logFieldSegments(parsing.pathField)]);
    return {
      source: write.string(write.fieldReference(logFieldSegments(parsing.jsonField))),
      target: write.string(write.fieldReference([logging.jsonTarget])),
      timestampField: write.string(write.fieldReference([logging.jsonTarget, ...logFieldSegments(parsing.timestampField)])),
      // `or` of equalities, not `in [..]`: Logstash reads a one-element array `["/x"]` as a field reference.
      dropCondition: parsing.dropPaths.length ? parsing.dropPaths.map((path) => `${pathField} == ${write.string(path)}`).join(' or ') : undefined,
    };
  };
  const { userVariable, passwordVariable } = logging.elasticsearchCredentials;
  const content = templates.render('logstash/logstash.conf.hbs', {
    banner: banner(model),
    beatsPort: write.integer(logging.beatsPort),
    services: model.services.map((service, i) => ({
      keyword: i === 0 ? 'if' : '} else if',
      condition: `${serviceField} == ${write.string(service.name)}`,
      serviceField: write.string(serviceField),
      parsing: parsingOf(service.logging),
    })),
    unattributed: parsingOf(logging.unattributed),
    elasticsearch: {
      hosts: `[${logging.elasticsearchHosts.map((host) => write.string(host)).join(', ')}]`,
      // The data stream itself, not dated index names: ILM rolls it over (render/elasticsearch/).
      index: write.string(write.indexPrefix(logging.retention.dataStream)),
      user: write.variableReference(userVariable),
      password: write.variableReference(passwordVariable),
    },
  });
  const parsed = parseLogstashConfig(content);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    throw new RenderError(pipelinePath, `the output is not a valid Logstash pipeline: ${message} (line ${line}, column ${column})`);
  }
  return { path: pipelinePath, content };
}

function renderLogstashPipelines(model: MonitoringModel, templates: Templates): RenderedFile {
  const path = 'logstash/pipelines.yml';
  const content = templates.render('logstash/pipelines.yml.hbs', { banner: banner(model), pipeline: model.logging.pipeline });
  return { path, content };
}

function renderFilebeatConfig(model: MonitoringModel, templates: Templates): RenderedFile {
  const path = 'filebeat/filebeat.yml';
  const content = templates.render('filebeat/filebeat.yml.hbs', { banner: banner(model), logstashHost: model.logging.logstashHost });
  return { path, content };
}

/**
 * Writes values as Logstash syntax, refusing those Logstash would read differently. The config check
 * (config/logstash-semantics.ts) refuses the same values on their config path first, so a refusal here means a
 * value that check doesn't know reaches the pipeline. It assumes `config.support_escapes: true`, which
 * pipelines.yml sets for this pipeline: without it Logstash keeps backslashes as written and a string can't
 * hold both kinds of quote.
 */
class LogstashWriter {
  constructor(private readonly artifact: string) {}

  /** A double-quoted string that Logstash decodes back to exactly `value`. */
  string(value: string): string {
    this.refuse(value, logstashStringRefusal(value));
    const escaped = value.replace(/[\\"\n\r\t\0]/g, (ch) => ESCAPES[ch]!);
    return `"${escaped}"`;
  }

  /** `[a][b]`: written bare in conditions, or as a string's content in plugin options. */
  fieldReference(path: readonly string[]): string {
    for (const segment of path) this.refuse(segment, logstashFieldSegmentRefusal(segment), 'cannot be part of a Logstash field reference');
    return path.map((segment) => `[${segment}]`).join('');
  }

  /** `"${NAME}"`: Logstash reads the value from its keystore or the environment when the pipeline starts. */
  variableReference(name: string): string {
    if (!/^[a-zA-Z_.][a-zA-Z0-9_.]*$/.test(name)) throw new RenderError(this.artifact, `${JSON.stringify(name)} is not a Logstash variable name`);
    return `"\${${name}}"`;
  }

  /** The index option is sprintf'd: Logstash would fill a `%{...}` in the prefix from each event. */
  indexPrefix(prefix: string): string {
    this.refuse(prefix, logstashIndexPrefixRefusal(prefix), 'cannot start the index name');
    return prefix;
  }

  integer(value: number): string {
    if (!Number.isSafeInteger(value)) throw new RenderError(this.artifact, `${value} is not an integer`);
    return String(value);
  }

  private refuse(value: string, reason: string | undefined, what = 'cannot be a Logstash string'): void {
    if (reason !== undefined) throw new RenderError(this.artifact, `${JSON.stringify(value)} ${what}: ${reason}`);
  }
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };
