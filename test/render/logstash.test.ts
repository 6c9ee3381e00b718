import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  parseLogstashConfig,
  type LogstashBranch,
  type LogstashPipeline,
  type LogstashPlugin,
  type LogstashStatement,
  type LogstashValue,
} from '../../src/formats/logstash/parse.js';
import { checkConfigShape } from '../../src/config/schema.js';
import type { MonitoringConfig, ServiceConfig } from '../../src/config/types.js';
import type { MonitoringModel } from '../../src/normalize/model.js';
import { banner, RenderError, type RenderedFile } from '../../src/render/artifact.js';
import { renderLogging } from '../../src/render/logstash.js';
import { createTemplates } from '../../src/render/templating.js';
import { checkTemplatedYaml } from '../../src/render/yaml-check.js';
import { generateExample, modelOf, problemsOf, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

// ---- rendering and reading the output back -----------------------------------------------------

/** Pods of a service, discovered in Kubernetes (a fresh object each time: the model freezes what it keeps). */
const k8s = (): Pick<ServiceConfig, 'discovery'> => ({ discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } });

function renderFiles(model: MonitoringModel): Record<string, string> {
  return Object.fromEntries(renderLogging(model, createTemplates(model.templatesDir)).map((f: RenderedFile) => [f.path, f.content]));
}

function pipelineOf(model: MonitoringModel): LogstashPipeline {
  const content = renderFiles(model)['logstash/pipeline/logstash.conf'];
  if (content === undefined) throw new Error('no logstash/pipeline/logstash.conf rendered');
  return parsedPipeline(content);
}

function parsedPipeline(content: string): LogstashPipeline {
  const result = parseLogstashConfig(content);
  if (!result.ok) throw new Error(`pipeline does not parse: ${result.error.message} at ${result.error.line}:${result.error.column}\n${content}`);
  return result.pipeline;
}

function section(pipeline: LogstashPipeline, name: 'input' | 'filter' | 'output'): LogstashStatement[] {
  const found = pipeline.sections.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name} section, found ${found.length}`);
  return found[0]!.body;
}

/** The plugins directly in `body` (not inside conditionals), by name. */
function pluginsIn(body: LogstashStatement[], name: string): LogstashPlugin[] {
  return body.filter((s): s is LogstashPlugin => s.kind === 'plugin' && s.name === name);
}

function onlyPlugin(body: LogstashStatement[], name: string): LogstashPlugin {
  const found = pluginsIn(body, name);
  if (found.length !== 1) throw new Error(`expected one ${name} plugin, found ${found.length}`);
  return found[0]!;
}

/** Every plugin anywhere in `body`, conditionals included. */
function allPlugins(body: LogstashStatement[]): LogstashPlugin[] {
  return body.flatMap((s) => (s.kind === 'plugin' ? [s] : s.clauses.flatMap((c) => allPlugins(c.body))));
}

function branchesIn(body: LogstashStatement[]): LogstashBranch[] {
  return body.filter((s): s is LogstashBranch => s.kind === 'branch');
}

function attribute(plugin: LogstashPlugin, name: string): LogstashValue {
  const found = plugin.attributes.filter((a) => a.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name} on ${plugin.name}, found ${found.length}`);
  return found[0]!.value;
}

/** A Logstash value as plain JS, for comparisons. */
function plain(value: LogstashValue): unknown {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'bareword':
      return value.value;
    case 'array':
      return value.items.map(plain);
    case 'hash':
      return Object.fromEntries(value.entries.map((e) => [e.key, plain(e.value)]));
    case 'plugin':
      return { plugin: value.plugin.name };
  }
}

/** `[a][b]` → ['a', 'b'], as Logstash's strict field reference parser reads it. */
function segmentsOf(reference: string): string[] {
  const segments = [...reference.matchAll(/\[([^\][,]+)\]/g)].map((m) => m[1]!);
  if (segments.map((s) => `[${s}]`).join('') !== reference) throw new Error(`not a field reference: ${reference}`);
  return segments;
}

type ConditionToken = { kind: 'field'; path: string[] } | { kind: 'string'; value: string } | { kind: 'operator'; value: string };

/**
 * The tokens of a condition's source text. Strings are delimited as Logstash's grammar does (`\"` never
 * closes one) and decoded by parsing them as an attribute value, so the decoding is the parser's own.
 */
function conditionTokens(condition: string): ConditionToken[] {
  const tokens: ConditionToken[] = [];
  let at = 0;
  while (at < condition.length) {
    const ch = condition[at]!;
    if (ch === ' ') {
      at++;
    } else if (ch === '[') {
      const selector = /(\[[^\][,]+\])+/y;
      selector.lastIndex = at;
      const text = selector.exec(condition)![0];
      tokens.push({ kind: 'field', path: segmentsOf(text) });
      at += text.length;
    } else if (ch === '"') {
      let end = at + 1;
      while (condition[end] !== '"') end += condition[end] === '\\' && condition[end + 1] === '"' ? 2 : 1;
      tokens.push({ kind: 'string', value: decodeString(condition.slice(at, end + 1)) });
      at = end + 1;
    } else {
      const operator = /==|!=|or|and/y;
      operator.lastIndex = at;
      const text = operator.exec(condition)?.[0];
      if (!text) throw new Error(`unexpected ${JSON.stringify(condition.slice(at))} in condition ${condition}`);
      tokens.push({ kind: 'operator', value: text });
      at += text.length;
    }
  }
  return tokens;
}

function decodeString(literal: string): string {
  const value = attribute(onlyPlugin(section(parsedPipeline(`filter { probe { value => ${literal} } }`), 'filter'), 'probe'), 'value');
  if (value.kind !== 'string') throw new Error(`${literal} is not a string`);
  return value.value;
}

/** `field == "value"`, decoded. */
function equality(condition: string): { field: string[]; value: string } {
  const tokens = conditionTokens(condition);
  const [field, operator, value] = tokens;
  if (tokens.length !== 3 || field?.kind !== 'field' || operator?.kind !== 'operator' || operator.value !== '==' || value?.kind !== 'string') {
    throw new Error(`not an equality: ${condition}`);
  }
  return { field: field.path, value: value.value };
}

/** `f == "a" or f == "b" …` → the field and the values. */
function equalities(condition: string): { field: string[]; values: string[] } {
  const tokens = conditionTokens(condition);
  const parts: ConditionToken[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'operator' && token.value === 'or') parts.push([]);
    else parts.at(-1)!.push(token);
  }
  const decoded = parts.map((part) => {
    const [field, operator, value] = part;
    if (part.length !== 3 || field?.kind !== 'field' || operator?.kind !== 'operator' || operator.value !== '==' || value?.kind !== 'string') {
      throw new Error(`not an or of equalities: ${condition}`);
    }
    return { field: field.path, value: value.value };
  });
  const fields = new Set(decoded.map((d) => JSON.stringify(d.field)));
  if (fields.size !== 1) throw new Error(`equalities on different fields: ${condition}`);
  return { field: decoded[0]!.field, values: decoded.map((d) => d.value) };
}

/** The parsing a branch body (or the filter section itself) applies: json source/target, dropped paths, date field. */
function parsingIn(body: LogstashStatement[]) {
  const json = onlyPlugin(body, 'json');
  const date = onlyPlugin(body, 'date');
  const drops = branchesIn(body).filter((b) => b.clauses.length === 1 && b.clauses[0]!.body.some((s) => s.kind === 'plugin' && s.name === 'drop'));
  return {
    source: segmentsOf(plain(attribute(json, 'source')) as string),
    target: segmentsOf(plain(attribute(json, 'target')) as string),
    dateMatch: plain(attribute(date, 'match')) as string[],
    dateTarget: plain(attribute(date, 'target')),
    drop: drops.length === 1 ? equalities(drops[0]!.clauses[0]!.condition!) : undefined,
    dropBranches: drops.length,
  };
}

// ---- a tiny event model: what the json, date and mutate filters do to one event ---------------------

type Event = Record<string, unknown>;

function getField(event: Event, path: readonly string[]): unknown {
  let node: unknown = event;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function setField(event: Event, path: readonly string[], value: unknown): void {
  let node = event;
  for (const segment of path.slice(0, -1)) {
    if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = {};
    node = node[segment] as Event;
  }
  node[path.at(-1)!] = value;
}

/** The event field a plugin option names: a field reference, or a bare name for a top-level field. */
function eventPath(field: string): string[] {
  return field.startsWith('[') ? segmentsOf(field) : [field];
}

/** The json filter: parses `source` and puts the document at `target`, replacing what was there. */
function applyJson(event: Event, json: LogstashPlugin): void {
  const source = getField(event, eventPath(plain(attribute(json, 'source')) as string));
  setField(event, eventPath(plain(attribute(json, 'target')) as string), JSON.parse(source as string));
}

/** The value the date filter would parse: the event field its `match` names. */
function dateInput(event: Event, date: LogstashPlugin): unknown {
  return getField(event, eventPath((plain(attribute(date, 'match')) as string[])[0]!));
}

/** A container log line as Filebeat ships it: its own log.* fields, the line in `message`. */
function filebeatEvent(line: object): Event {
  return {
    message: JSON.stringify(line),
    log: { offset: 4096, file: { path: '/var/log/containers/model-api-7d9f_ml-serving_api-0123.log' } },
    kubernetes: { namespace: 'ml-serving', pod: { name: 'model-api-7d9f' }, labels: { app: 'model-api' } },
  };
}

/** The seed guide's pipeline, verbatim: the control that shows the tests below can fail. */
const seedPipeline = readFileSync(join(repoRoot, 'test/fixtures/seed/logstash.conf'), 'utf8');

/** Runs a line through the unattributed json and date filters of a pipeline's filter section. */
function throughTopLevelParsing(pipeline: LogstashPipeline, event: Event): { event: Event; dateInput: unknown } {
  const filter = section(pipeline, 'filter');
  applyJson(event, onlyPlugin(filter, 'json'));
  return { event, dateInput: dateInput(event, onlyPlugin(filter, 'date')) };
}

// ---- tests ------------------------------------------------------------------------------------------

describe('renderLogging on the example config', () => {
  it('renders logstash.conf, pipelines.yml and filebeat.yml', async () => {
    const { model } = await generateExample();
    expect(Object.keys(renderFiles(model)).sort()).toEqual([
      'elasticsearch/ilm-policy.json', 'elasticsearch/index-template.json', 'filebeat/filebeat.yml', 'kibana/data-view.ndjson', 'logstash/pipeline/logstash.conf', 'logstash/pipelines.yml',
    ]);
  });

  it('renders a pipeline whose input, filters and output carry the configured values', async () => {
    const { model } = await generateExample();
    const pipeline = pipelineOf(model);
    expect(pipeline.sections.map((s) => s.name)).toEqual(['input', 'filter', 'output']);

    const beats = onlyPlugin(section(pipeline, 'input'), 'beats');
    expect(plain(attribute(beats, 'port'))).toBe(5044);

    const filter = section(pipeline, 'filter');
    expect(plain(attribute(onlyPlugin(filter, 'mutate'), 'copy'))).toEqual({ '[kubernetes][pod][name]': 'pod_name', '[kubernetes][namespace]': 'namespace' });
    const [services] = branchesIn(filter);
    // One clause per service of the example (model-api, then llm), and the unattributed rest.
    expect(services!.clauses).toHaveLength(model.services.length + 1);
    const [modelApi] = services!.clauses;
    const unattributed = services!.clauses.at(-1);
    expect(equality(modelApi!.condition!)).toEqual({ field: ['kubernetes', 'labels', 'app'], value: 'model-api' });
    expect(plain(attribute(onlyPlugin(modelApi!.body, 'mutate'), 'copy'))).toEqual({ '[kubernetes][labels][app]': '[service][name]' });
    expect(parsingIn(modelApi!.body)).toEqual({
      source: ['message'],
      target: ['app'],
      dateMatch: ['[app][timestamp]', 'ISO8601'],
      dateTarget: '@timestamp',
      drop: { field: ['app', 'path'], values: ['/healthz', '/metrics'] },
      dropBranches: 1,
    });
    expect(unattributed!.condition).toBeNull();
    expect(parsingIn(unattributed!.body)).toMatchObject({ source: ['message'], target: ['app'], dateMatch: ['[app][timestamp]', 'ISO8601'], dropBranches: 0 });

    const elasticsearch = onlyPlugin(section(pipeline, 'output'), 'elasticsearch');
    expect(plain(attribute(elasticsearch, 'hosts'))).toEqual(['http://elasticsearch:9200']);
    expect(plain(attribute(elasticsearch, 'index'))).toBe('ml-logs');
    expect(plain(attribute(elasticsearch, 'data_stream'))).toBe('false');
  });
});

describe('the logging model', () => {
  it.each([
    {
      name: 'defaults reproduce the seed and derive the Filebeat target from the beats port',
      logging: {},
      expected: { beatsPort: 5044, serviceLabel: 'app', serviceLabelField: ['kubernetes', 'labels', 'app'], logstashHost: 'logstash:5044' },
    },
    {
      name: 'a label key with dots is looked up where Filebeat puts it, dots turned into underscores',
      logging: { beatsPort: 6044, serviceLabel: 'app.kubernetes.io/name' },
      expected: { beatsPort: 6044, serviceLabel: 'app.kubernetes.io/name', serviceLabelField: ['kubernetes', 'labels', 'app_kubernetes_io/name'], logstashHost: 'logstash:6044' },
    },
    {
      name: 'an explicit logstashHost wins over the derived one',
      logging: { beatsPort: 6044, logstashHost: 'logstash.logging.svc:5045' },
      expected: { beatsPort: 6044, serviceLabel: 'app', serviceLabelField: ['kubernetes', 'labels', 'app'], logstashHost: 'logstash.logging.svc:5045' },
    },
  ])('$name', ({ logging, expected }) => {
    expect(modelOf({ logging }).logging).toMatchObject(expected);
  });

  it('gives every service the seed parsing unless it overrides it', () => {
    const model = modelOf({ services: { plain: { ...k8s() }, custom: { ...k8s(), logging: { jsonField: 'payload', timestampField: 'ts', pathField: '[http][path]', dropPaths: ['/ping'] } } } });
    expect(model.services.map((s) => [s.name, s.logging])).toEqual([
      ['plain', { jsonField: 'message', timestampField: 'timestamp', pathField: 'path', dropPaths: [] }],
      ['custom', { jsonField: 'payload', timestampField: 'ts', pathField: '[http][path]', dropPaths: ['/ping'] }],
    ]);
  });
});

describe('the pipeline carries the configured logging settings', () => {
  it.each([
    { name: 'the defaults', logging: {}, port: 5044, hosts: ['http://elasticsearch:9200'], index: 'ml-logs' },
    {
      name: 'another port, two hosts and another prefix',
      logging: { beatsPort: 6000, elasticsearchHosts: ['https://es-0.search:9200', 'https://es-1.search:9200'], indexPrefix: 'fraud.logs_v2' },
      port: 6000,
      hosts: ['https://es-0.search:9200', 'https://es-1.search:9200'],
      index: 'fraud.logs_v2',
    },
  ])('$name', ({ logging, port, hosts, index }) => {
    const pipeline = pipelineOf(modelOf({ logging }));
    expect(plain(attribute(onlyPlugin(section(pipeline, 'input'), 'beats'), 'port'))).toBe(port);
    const elasticsearch = onlyPlugin(section(pipeline, 'output'), 'elasticsearch');
    expect(plain(attribute(elasticsearch, 'hosts'))).toEqual(hosts);
    expect(plain(attribute(elasticsearch, 'index'))).toBe(index);
  });
});

describe("fixes to the seed's pipeline", () => {
  const line = { timestamp: '2024-05-01T12:34:56.789Z', level: 'INFO', path: '/predict', message: 'scored' };

  it('the seed control: its date filter reads a top-level "timestamp" the json filter never writes', () => {
    const { dateInput: input } = throughTopLevelParsing(parsedPipeline(seedPipeline), filebeatEvent(line));
    expect(input).toBeUndefined();
  });

  it.each([
    { name: 'a service with the default parsing', services: { 'model-api': { ...k8s() } }, line },
    {
      name: 'a service whose JSON is in another field and keeps its time in another key',
      services: { 'model-api': { ...k8s(), logging: { jsonField: '[container][json]', timestampField: '[meta][ts]' } } },
      line: { meta: { ts: '2024-05-01T12:34:56.789Z' }, path: '/predict' },
    },
  ])("the date filter reads the time from the field the json filter wrote, for $name", ({ services, line: logged }) => {
    const filter = section(pipelineOf(modelOf({ services })), 'filter');
    const body = branchesIn(filter)[0]!.clauses[0]!.body;
    const json = onlyPlugin(body, 'json');
    const event: Event = { kubernetes: { labels: { app: 'model-api' } } };
    setField(event, segmentsOf(plain(attribute(json, 'source')) as string), JSON.stringify(logged));
    applyJson(event, json);
    expect(dateInput(event, onlyPlugin(body, 'date'))).toBe('2024-05-01T12:34:56.789Z');
  });

  it('the date filter of lines from no configured service reads the parsed time too', () => {
    const { dateInput: input } = throughTopLevelParsing(pipelineOf(modelOf({})), filebeatEvent(line));
    expect(input).toBe('2024-05-01T12:34:56.789Z');
  });

  it("parsed JSON no longer replaces Filebeat's own log.file.path and log.offset (the seed's target was \"log\")", () => {
    const seed = throughTopLevelParsing(parsedPipeline(seedPipeline), filebeatEvent(line)).event;
    expect(getField(seed, ['log', 'file', 'path'])).toBeUndefined();
    const ours = throughTopLevelParsing(pipelineOf(modelOf({})), filebeatEvent(line)).event;
    expect(getField(ours, ['log', 'file', 'path'])).toBe('/var/log/containers/model-api-7d9f_ml-serving_api-0123.log');
    expect(getField(ours, ['log', 'offset'])).toBe(4096);
    expect(getField(ours, ['app', 'level'])).toBe('INFO');
  });

  it('pod and namespace are copied from the Kubernetes metadata, never built with "%{...}" that stays literal when a field is missing', () => {
    const seedAddFields = allPlugins(section(parsedPipeline(seedPipeline), 'filter')).flatMap((p) => p.attributes.filter((a) => a.name === 'add_field'));
    expect(JSON.stringify(seedAddFields.map((a) => plain(a.value)))).toContain('%{[kubernetes][pod][name]}');

    const filter = section(pipelineOf(modelOf({ services: { 'model-api': { ...k8s() } } })), 'filter');
    expect(allPlugins(filter).flatMap((p) => p.attributes.filter((a) => a.name === 'add_field'))).toEqual([]);
    expect(plain(attribute(onlyPlugin(filter, 'mutate'), 'copy'))).toEqual({ '[kubernetes][pod][name]': 'pod_name', '[kubernetes][namespace]': 'namespace' });
  });

  it('the Elasticsearch credentials are keystore or environment references, never values', () => {
    const seedOutput = onlyPlugin(section(parsedPipeline(seedPipeline), 'output'), 'elasticsearch');
    expect(seedOutput.attributes.map((a) => a.name)).not.toContain('user');

    const model = modelOf({ logging: { elasticsearchHosts: ['https://elasticsearch.search:9200'] } });
    const elasticsearch = onlyPlugin(section(pipelineOf(model), 'output'), 'elasticsearch');
    expect(plain(attribute(elasticsearch, 'user'))).toBe('${ES_USER}');
    expect(plain(attribute(elasticsearch, 'password'))).toBe('${ES_PASSWORD}');
    expect(model.logging.elasticsearchCredentials).toEqual({ userVariable: 'ES_USER', passwordVariable: 'ES_PASSWORD' });
    // Nothing else that could carry a credential: no api_key, cloud_auth, ssl key or password in a URL.
    expect(elasticsearch.attributes.map((a) => a.name).sort()).toEqual(['action', 'data_stream', 'hosts', 'ilm_enabled', 'index', 'manage_template', 'password', 'user']);
    expect((plain(attribute(elasticsearch, 'hosts')) as string[]).some((h) => h.includes('@'))).toBe(false);
  });

  it('writes the data stream with the prefix itself rather than through an @metadata field', () => {
    const index = plain(attribute(onlyPlugin(section(pipelineOf(modelOf({ logging: { indexPrefix: 'ml-logs' } })), 'output'), 'elasticsearch'), 'index'));
    expect(index).toBe('ml-logs');
  });
});

describe('per-service parsing', () => {
  const services: MonitoringConfig['services'] = {
    'model-api': { ...k8s(), logging: { dropPaths: ['/healthz', '/ready'] } },
    'feature-store': { ...k8s(), logging: { jsonField: 'payload', timestampField: 'ts', pathField: '[http][path]', dropPaths: ['/ping'] } },
    'batch-scorer': { ...k8s() },
  };

  it('renders one if / else if clause per service, then an else for every other pod', () => {
    const [branch, ...others] = branchesIn(section(pipelineOf(modelOf({ services })), 'filter'));
    expect(others).toEqual([]);
    expect(branch!.clauses.map((c) => (c.condition === null ? null : equality(c.condition)))).toEqual([
      { field: ['kubernetes', 'labels', 'app'], value: 'model-api' },
      { field: ['kubernetes', 'labels', 'app'], value: 'feature-store' },
      { field: ['kubernetes', 'labels', 'app'], value: 'batch-scorer' },
      null,
    ]);
  });

  it.each([
    { service: 0, expected: { source: ['message'], dateMatch: ['[app][timestamp]', 'ISO8601'], drop: { field: ['app', 'path'], values: ['/healthz', '/ready'] }, dropBranches: 1 } },
    // One dropped path is an equality: `in ["/ping"]` would be read by Logstash as the field reference [/ping].
    { service: 1, expected: { source: ['payload'], dateMatch: ['[app][ts]', 'ISO8601'], drop: { field: ['app', 'http', 'path'], values: ['/ping'] }, dropBranches: 1 } },
    { service: 2, expected: { source: ['message'], dateMatch: ['[app][timestamp]', 'ISO8601'], drop: undefined, dropBranches: 0 } },
    { service: 3, expected: { source: ['message'], dateMatch: ['[app][timestamp]', 'ISO8601'], drop: undefined, dropBranches: 0 } },
  ])('clause $service parses its own JSON field and drops its own paths', ({ service, expected }) => {
    const [branch] = branchesIn(section(pipelineOf(modelOf({ services })), 'filter'));
    expect(parsingIn(branch!.clauses[service]!.body)).toMatchObject({ ...expected, target: ['app'], dateTarget: '@timestamp' });
  });

  it('drops a line before its date is parsed, so health checks cost no date parsing', () => {
    const [branch] = branchesIn(section(pipelineOf(modelOf({ services })), 'filter'));
    const kinds = branch!.clauses[0]!.body.map((s) => (s.kind === 'plugin' ? s.name : 'if'));
    expect(kinds).toEqual(['mutate', 'json', 'if', 'date']);
  });

  it('attributes lines by the configured pod label', () => {
    const [branch] = branchesIn(section(pipelineOf(modelOf({ services, logging: { serviceLabel: 'app.kubernetes.io/name' } })), 'filter'));
    expect(equality(branch!.clauses[0]!.condition!).field).toEqual(['kubernetes', 'labels', 'app_kubernetes_io/name']);
    expect(plain(attribute(onlyPlugin(branch!.clauses[0]!.body, 'mutate'), 'copy'))).toEqual({ '[kubernetes][labels][app_kubernetes_io/name]': '[service][name]' });
  });

  it('without services, parses every line with the seed parsing and no conditionals', () => {
    const filter = section(pipelineOf(modelOf({})), 'filter');
    expect(branchesIn(filter)).toEqual([]);
    expect(parsingIn(filter)).toEqual({ source: ['message'], target: ['app'], dateMatch: ['[app][timestamp]', 'ISO8601'], dateTarget: '@timestamp', drop: undefined, dropBranches: 0 });
  });
});

describe('hostile names and fields', () => {
  const hostile = [
    'say "hi"',
    'back\\slash',
    'it\'s',
    '#not-a-comment',
    '}{ ]',
    'ünïcødé ✓ 🚀',
    'a\\"b \\\\ "c',
    '%{[kubernetes][pod][name]}',
    '=> [x] or [y] ==',
  ];
  const hostileFields = ['fi"eld', 'back\\slash', 'it\'s', '#hash', '}brace{', 'ünï ✓ 🚀', 'a\\"b'];

  it.each(hostile)('the service name %j round-trips through the condition exactly', (name) => {
    const [branch] = branchesIn(section(pipelineOf(modelOf({ services: { [name]: { ...k8s() } } })), 'filter'));
    expect(equality(branch!.clauses[0]!.condition!)).toEqual({ field: ['kubernetes', 'labels', 'app'], value: name });
  });

  it.each(hostileFields)('the field %j round-trips as JSON source, time field and bare path field in a condition', (field) => {
    const services = { api: { ...k8s(), logging: { jsonField: field, timestampField: `[${field}][t]`, pathField: field, dropPaths: [`/${field}`] } } };
    const [branch] = branchesIn(section(pipelineOf(modelOf({ services })), 'filter'));
    expect(parsingIn(branch!.clauses[0]!.body)).toMatchObject({
      source: [field],
      dateMatch: [`[app][${field}][t]`, 'ISO8601'],
      drop: { field: ['app', field], values: [`/${field}`] },
    });
  });

  it('hostile values in hosts and drop paths come back exactly', () => {
    const hosts = ['http://es"0:9200', 'http://es\\1:9200', "http://es'2#}:9200"];
    const paths = ['/a"b', '/c\\d', "/e'f", '/#g', '/}h', '/ü ✓'];
    const pipeline = pipelineOf(modelOf({ logging: { elasticsearchHosts: hosts }, services: { api: { ...k8s(), logging: { dropPaths: paths } } } }));
    expect(plain(attribute(onlyPlugin(section(pipeline, 'output'), 'elasticsearch'), 'hosts'))).toEqual(hosts);
    const [branch] = branchesIn(section(pipeline, 'filter'));
    expect(parsingIn(branch!.clauses[0]!.body).drop).toEqual({ field: ['app', 'path'], values: paths });
  });

  it.each([
    { name: 'a service name ending in a backslash (Logstash reads \\" as an escaped quote, so the string never ends)', config: { services: { 'api\\': { ...k8s() } } }, message: /ends with a backslash/ },
    { name: 'a ${VAR} reference in a service name, which Logstash would replace', config: { services: { '${HOME}': { ...k8s() } } }, message: /\$\{HOME\}/ },
    { name: 'a ${VAR:default} reference in a drop path', config: { services: { api: { ...k8s(), logging: { dropPaths: ['/${X:y}'] } } } }, message: /\$\{X:y\}/ },
    { name: 'a field name with a bracket, which no field reference can hold', config: { services: { api: { ...k8s(), logging: { pathField: 'a]b' } } } }, message: /field reference/ },
    { name: 'a %{ in the index prefix, which Logstash would fill from the event', config: { logging: { indexPrefix: 'logs-%{[x]}' } }, message: /%\{/ },
  ])('refuses $name with a RenderError rather than writing something Logstash reads differently', ({ config, message }) => {
    const render = () => renderLogging(modelOf(config as MonitoringConfig), createTemplates(undefined));
    expect(render).toThrow(RenderError);
    expect(render).toThrow(message);
  });
});

describe('values the Logstash grammar cannot carry are refused on their config path, before rendering', () => {
  it.each([
    { name: 'a service name ending in a backslash', config: { services: { 'api\\': { ...k8s() } } }, path: 'services["api\\\\"]', message: /ends with a backslash/ },
    { name: 'a drop path ending in a backslash', config: { services: { api: { ...k8s(), logging: { dropPaths: ['/ok', '/x\\'] } } } }, path: 'services.api.logging.dropPaths[1]', message: /ends with a backslash/ },
    { name: 'a ${VAR} in a service name', config: { services: { '${HOME}': { ...k8s() } } }, path: 'services["${HOME}"]', message: /\$\{HOME\}/ },
    { name: 'a ${VAR:default} in a drop path', config: { services: { api: { ...k8s(), logging: { dropPaths: ['/${X:y}'] } } } }, path: 'services.api.logging.dropPaths[0]', message: /\$\{X:y\}/ },
    { name: 'a ${VAR} in a nested json field', config: { services: { api: { ...k8s(), logging: { jsonField: '[log][${F}]' } } } }, path: 'services.api.logging.jsonField', message: /\$\{F\}/ },
    { name: 'a ${VAR} in the Logstash host Filebeat sends to', config: { logging: { logstashHost: '${LS}:5044' } }, path: 'logging.logstashHost', message: /Filebeat would replace/ },
    { name: 'a ${VAR} in an Elasticsearch host', config: { logging: { elasticsearchHosts: ['http://${ES}:9200'] } }, path: 'logging.elasticsearchHosts[0]', message: /\$\{ES\}/ },
  ])('$name', async ({ config, path, message }) => {
    const problems = await problemsOf(config);
    expect(problems).toEqual([expect.objectContaining({ id: 'config/logstash-value', path, severity: 'error', message: expect.stringMatching(message) })]);
  });
});

describe('the config schema guards the logging fields', () => {
  it.each([
    { name: 'a nested field reference as jsonField', logging: { jsonField: '[log][msg]' }, valid: true },
    { name: 'a plain field with quotes and unicode', logging: { jsonField: 'ü"x' }, valid: true },
    { name: 'a field with an unbalanced bracket', logging: { jsonField: 'a]b' }, valid: false },
    { name: 'a field with a comma', logging: { pathField: 'a,b' }, valid: false },
    { name: 'a drop path without a leading slash', logging: { dropPaths: ['healthz'] }, valid: false },
  ])('service logging: $name is valid: $valid', async ({ logging, valid }) => {
    const problems = await checkConfigShape({ services: { api: { ...k8s(), logging } } });
    expect(problems.length === 0).toBe(valid);
  });

  it.each([
    { name: 'a label key with a prefix', logging: { serviceLabel: 'app.kubernetes.io/name' }, valid: true },
    { name: 'a label key with a space', logging: { serviceLabel: 'my app' }, valid: false },
    { name: 'an uppercase index prefix', logging: { indexPrefix: 'ML-logs' }, valid: false },
    { name: 'an index prefix with sprintf', logging: { indexPrefix: 'logs-%{x}' }, valid: false },
    { name: 'a fractional beats port', logging: { beatsPort: 5044.5 }, valid: false },
    { name: 'a logstash host without a port', logging: { logstashHost: 'logstash' }, valid: false },
  ])('logging: $name is valid: $valid', async ({ logging, valid }) => {
    const problems = await checkConfigShape({ logging });
    expect(problems.length === 0).toBe(valid);
  });
});

describe('pipelines.yml and filebeat.yml', () => {
  it('pipelines.yml loads logstash.conf from where the manifests mount it, with escapes on', () => {
    const parsed = parseYaml(renderFiles(modelOf({}))['logstash/pipelines.yml']!);
    expect(parsed).toEqual([{ 'pipeline.id': 'ml-logs', 'path.config': '/usr/share/logstash/pipeline/logstash.conf', 'config.support_escapes': true }]);
  });

  it.each([
    { name: 'the default port', logging: {}, host: 'logstash:5044' },
    { name: 'another beats port', logging: { beatsPort: 6000 }, host: 'logstash:6000' },
    { name: 'an explicit host', logging: { logstashHost: 'logstash.logging.svc:5044' }, host: 'logstash.logging.svc:5044' },
  ])('filebeat.yml ships container logs with Kubernetes metadata to Logstash, for $name', ({ logging, host }) => {
    const parsed = parseYaml(renderFiles(modelOf({ logging }))['filebeat/filebeat.yml']!);
    expect(parsed['output.logstash']).toEqual({ hosts: [host] });
    expect(parsed['filebeat.inputs']).toHaveLength(1);
    const [input] = parsed['filebeat.inputs'];
    expect(input).toMatchObject({ type: 'filestream', id: 'kubernetes-container-logs', paths: ['/var/log/containers/*.log'], parsers: [{ container: null }], 'prospector.scanner.symlinks': true });
    expect(input.processors).toEqual([
      { add_kubernetes_metadata: { host: '${NODE_NAME}', 'labels.dedot': true, matchers: [{ logs_path: { logs_path: '/var/log/containers/' } }] } },
    ]);
  });
});

describe('every logging file', () => {
  it('begins with the banner, where its format has comments (JSON carries it in _meta: test/render/log-retention.test.ts)', () => {
    const model = modelOf({ services: { api: { ...k8s() } } });
    const withComments = Object.entries(renderFiles(model)).filter(([path]) => !/\.(json|ndjson)$/.test(path));
    expect(withComments).toHaveLength(3);
    for (const [path, content] of withComments) expect([path, content.split('\n')[0]]).toEqual([path, banner(model)]);
  });

  it('is byte-identical across two renders', () => {
    const config: MonitoringConfig = { services: { b: { ...k8s(), logging: { dropPaths: ['/x', '/y'] } }, a: { ...k8s() } }, logging: { beatsPort: 6000 } };
    expect(renderFiles(modelOf(config))).toEqual(renderFiles(modelOf(config)));
  });
});

describe('template overrides', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it.each([
    { file: 'logstash/logstash.conf.hbs', template: '{{banner}}\nfilter {\n  mutate {\n', artifact: 'logstash/pipeline/logstash.conf' },
    { file: 'logstash/pipelines.yml.hbs', template: '{{banner}}\n- pipeline.id: [unclosed\n', artifact: 'logstash/pipelines.yml' },
    { file: 'filebeat/filebeat.yml.hbs', template: '{{banner}}\na: 1\na: 2\n', artifact: 'filebeat/filebeat.yml' },
  ])('a user template producing an invalid $file is refused with a RenderError naming the file', ({ file, template, artifact }) => {
    const scratch = scratchDir();
    cleanup = scratch.cleanup;
    mkdirSync(join(scratch.dir, file, '..'), { recursive: true });
    writeFileSync(join(scratch.dir, file), template);
    // The Logstash pipeline is checked as it is rendered; YAML files by the check every render goes through.
    const render = () => checkTemplatedYaml(renderLogging(modelOf({}), createTemplates(scratch.dir)));
    expect(render).toThrow(RenderError);
    expect(render).toThrow(`could not render ${artifact}`);
  });

  it('a valid user template replaces the built-in one', () => {
    const scratch = scratchDir();
    cleanup = scratch.cleanup;
    mkdirSync(join(scratch.dir, 'logstash'), { recursive: true });
    writeFileSync(join(scratch.dir, 'logstash/logstash.conf.hbs'), '{{banner}}\ninput {\n  beats {\n    port => {{beatsPort}}\n  }\n}\n');
    const files = Object.fromEntries(renderLogging(modelOf({}), createTemplates(scratch.dir)).map((f) => [f.path, f.content]));
    expect(files['logstash/pipeline/logstash.conf']!.split('\n').slice(1).join('\n')).toBe('input {\n  beats {\n    port => 5044\n  }\n}\n');
  });
});
