/**
 * Logs that don't grow forever: out/elasticsearch/index-template.json, out/elasticsearch/ilm-policy.json and
 * out/kibana/data-view.ndjson, from `logging.retention` and `logging.indexPrefix`.
 *
 * Neither Elasticsearch nor Kibana runs here, so the files are judged by the published API definitions
 * (schemas/elastic-log-retention.schema.json, from elasticsearch-specification and Kibana's types, pinned),
 * strictly; the Logstash output, Grafana and Kibana must all name the data stream the template creates.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLogstashConfig, type LogstashPlugin, type LogstashValue } from '../../src/formats/logstash/parse.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import type { MonitoringModel } from '../../src/normalize/model.js';
import { banner, RenderError } from '../../src/render/artifact.js';
import { elasticApiErrors } from '../../src/render/elasticsearch/api-schema.js';
import { dataViewPath, ilmPolicyPath, indexTemplatePath, renderLogRetention } from '../../src/render/elasticsearch/log-retention.js';
import { renderAll } from '../../src/render/render.js';
import { artifactRegistry } from '../../src/render/registry.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { generateElasticValidatorText } from '../../scripts/generate-elastic-validator.mjs';
import { modelOf, problemsOf, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

type Json = Record<string, any>;

function filesOf(model: MonitoringModel): Record<string, string> {
  return Object.fromEntries(renderLogRetention(model).map((f) => [f.path, f.content]));
}

/** The three bodies, parsed: the template, the policy and the data view's saved objects (one per NDJSON line). */
function bodiesOf(model: MonitoringModel): { template: Json; policy: Json; dataViews: Json[] } {
  const files = filesOf(model);
  return {
    template: JSON.parse(files[indexTemplatePath]!) as Json,
    policy: JSON.parse(files[ilmPolicyPath]!) as Json,
    dataViews: files[dataViewPath]!.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Json),
  };
}

function elasticsearchOutput(model: MonitoringModel): LogstashPlugin {
  const content = renderAll(model).find((f) => f.path === 'logstash/pipeline/logstash.conf')!.content;
  const parsed = parseLogstashConfig(content);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const output = parsed.pipeline.sections.find((s) => s.name === 'output')!;
  return output.body.find((s): s is LogstashPlugin => s.kind === 'plugin' && s.name === 'elasticsearch')!;
}

function attribute(plugin: LogstashPlugin, name: string): unknown {
  const values = plugin.attributes.filter((a) => a.name === name).map((a) => a.value);
  expect(values, name).toHaveLength(1);
  const value = values[0] as LogstashValue;
  return value.kind === 'string' || value.kind === 'number' || value.kind === 'bareword' ? value.value : value.kind;
}

const custom: MonitoringConfig = {
  logging: { indexPrefix: 'fraud.logs_v2', retention: { deleteAfter: '7d', rollover: { maxAge: '12h', maxPrimaryShardSize: '10gb' } } },
};

describe('the published API schemas', () => {
  it.each([
    ['the defaults', {}],
    ['a configured prefix and retention', custom],
    ['only a rollover size', { logging: { retention: { rollover: { maxPrimaryShardSize: '1tb' } } } }],
  ] as [string, MonitoringConfig][])('accept the index template, the ILM policy and every data view line of %s', (_name, config) => {
    const { template, policy, dataViews } = bodiesOf(modelOf(config));
    expect(elasticApiErrors('IndicesPutIndexTemplateBody', template)).toEqual([]);
    expect(elasticApiErrors('IlmPutLifecycleBody', policy)).toEqual([]);
    expect(dataViews).toHaveLength(1);
    for (const dataView of dataViews) expect(elasticApiErrors('KibanaDataViewSavedObject', dataView)).toEqual([]);
  });

  it.each([
    ['a misspelt rollover condition', 'IlmPutLifecycleBody', (b: Json) => { b.policy.phases.hot.actions.rollover.max_agee = '1d'; }, '/policy/phases/hot/actions/rollover/max_agee is not a field of the API'],
    ['an action ILM does not have', 'IlmPutLifecycleBody', (b: Json) => { b.policy.phases.delete.actions.purge = {}; }, '/policy/phases/delete/actions/purge is not a field of the API'],
    ['a phase ILM does not have', 'IlmPutLifecycleBody', (b: Json) => { b.policy.phases.archive = { actions: {} }; }, '/policy/phases/archive is not a field of the API'],
    ['a duration in words', 'IlmPutLifecycleBody', (b: Json) => { b.policy.phases.delete.min_age = '30 days'; }, '/policy/phases/delete/min_age'],
    ['a Kubernetes quantity for a byte size', 'IlmPutLifecycleBody', (b: Json) => { b.policy.phases.hot.actions.rollover.max_primary_shard_size = '50Gi'; }, '/policy/phases/hot/actions/rollover/max_primary_shard_size'],
    ['a policy without phases', 'IlmPutLifecycleBody', (b: Json) => { delete b.policy.phases; }, "must have required property 'phases'"],
    ['a legacy template field', 'IndicesPutIndexTemplateBody', (b: Json) => { b.order = 1; }, '/order is not a field of the API'],
    ['a misspelt data stream option', 'IndicesPutIndexTemplateBody', (b: Json) => { b.data_stream.hiden = true; }, '/data_stream/hiden is not a field of the API'],
    ['a text priority', 'IndicesPutIndexTemplateBody', (b: Json) => { b.priority = '501'; }, '/priority must be integer'],
    ['a misspelt lifecycle setting', 'IndicesPutIndexTemplateBody', (b: Json) => { b.template.settings.index.lifecycle.policy = 'x'; }, '/template/settings/index/lifecycle/policy is not a field of the API'],
    ['a data view without a title', 'KibanaDataViewSavedObject', (b: Json) => { delete b.attributes.title; }, "must have required property 'title'"],
    ['a data view attribute Kibana does not have', 'KibanaDataViewSavedObject', (b: Json) => { b.attributes.timeField = '@timestamp'; }, '/attributes/timeField is not a field of the API'],
    ['another saved-object type', 'KibanaDataViewSavedObject', (b: Json) => { b.type = 'data-view'; }, '/type must be equal to constant'],
    ['a saved object without references', 'KibanaDataViewSavedObject', (b: Json) => { delete b.references; }, "must have required property 'references'"],
  ] as const)('refuse %s', (_name, definition, spoil, expected) => {
    const { template, policy, dataViews } = bodiesOf(modelOf({}));
    const body = { IndicesPutIndexTemplateBody: template, IlmPutLifecycleBody: policy, KibanaDataViewSavedObject: dataViews[0]! }[definition];
    spoil(body);
    const errors = elasticApiErrors(definition, body);
    expect(errors.some((e) => e.includes(expected)), errors.join('\n')).toBe(true);
  });

  it('are compiled ahead of time from the committed schema (`npm run schema` after editing it)', () => {
    const committed = readFileSync(join(repoRoot, 'schemas/elastic-log-retention.validate.cjs'), 'utf8');
    expect(committed).toBe((generateElasticValidatorText as (schemaText?: string) => string)());
  });

  it('state the specification they were derived from, pinned to a commit', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/elastic-log-retention.schema.json'), 'utf8')) as Json;
    expect(schema.$comment).toMatch(/elasticsearch-specification, branch 9\.4 at [0-9a-f]{40}/);
    expect(schema.$comment).toMatch(/elastic\/kibana at [0-9a-f]{40}/);
    // Strict: every object that lists its fields refuses others (the one narrowing is IndexSettings, documented).
    const open: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${at}/${i}`));
      if (node === null || typeof node !== 'object') return;
      const schemaNode = node as Json;
      if (schemaNode.properties && schemaNode.additionalProperties !== false && schemaNode.type === 'object' && !at.includes('allOf')) open.push(at);
      for (const [key, value] of Object.entries(schemaNode)) visit(value, `${at}/${key}`);
    };
    visit(schema.definitions, '#/definitions');
    expect(open).toEqual([]);
  });
});

describe('the bodies', () => {
  it('default to a daily rollover or 50gb primary shard, and deletion 30 days after rollover', () => {
    const { template, policy, dataViews } = bodiesOf(modelOf({}));
    expect(policy.policy.phases).toEqual({
      hot: { min_age: '0ms', actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
      delete: { min_age: '30d', actions: { delete: {} } },
    });
    expect(template).toMatchObject({ index_patterns: ['ml-logs'], data_stream: {}, priority: 501, template: { settings: { index: { lifecycle: { name: 'ml-logs' } } } } });
    expect(dataViews[0]).toMatchObject({ id: 'mlmon-ml-logs', type: 'index-pattern', attributes: { title: 'ml-logs*', timeFieldName: '@timestamp', allowNoIndex: true }, references: [] });
  });

  it('carry the configured prefix, deletion age and rollover conditions', () => {
    const { template, policy, dataViews } = bodiesOf(modelOf(custom));
    expect(policy.policy.phases.hot.actions.rollover).toEqual({ max_age: '12h', max_primary_shard_size: '10gb' });
    expect(policy.policy.phases.delete.min_age).toBe('7d');
    expect(template.index_patterns).toEqual(['fraud.logs_v2']);
    expect(template.template.settings.index.lifecycle.name).toBe('fraud.logs_v2');
    expect(dataViews[0]!.attributes.title).toBe('fraud.logs_v2*');
    expect(dataViews[0]!.id).toBe('mlmon-fraud.logs_v2');
  });

  it('keep a default for each rollover condition the config leaves out', () => {
    const { policy } = bodiesOf(modelOf({ logging: { retention: { rollover: { maxAge: '6h' } } } }));
    expect(policy.policy.phases.hot.actions.rollover).toEqual({ max_age: '6h', max_primary_shard_size: '50gb' });
    expect(policy.policy.phases.delete.min_age).toBe('30d');
  });

  it('carry the generated banner in _meta (JSON has no comments), with nothing that changes between runs', () => {
    const model = modelOf({});
    const { template, policy } = bodiesOf(model);
    const description = banner(model, '').trim();
    expect(template._meta).toEqual({ managed_by: 'mlmon', description });
    expect(policy.policy._meta).toEqual({ managed_by: 'mlmon', description });
    expect(description).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('are byte-identical across two renders, and end each file (and NDJSON line) with a newline', () => {
    const first = filesOf(modelOf(custom));
    expect(filesOf(modelOf(custom))).toEqual(first);
    for (const content of Object.values(first)) expect(content.endsWith('\n')).toBe(true);
    expect(first[dataViewPath]!.split('\n')).toEqual([expect.stringMatching(/^\{.*\}$/), '']);
  });

  it('are refused with a RenderError naming the file when the model holds a value the API would refuse', () => {
    const model = modelOf({});
    const broken = { ...model, logging: { ...model.logging, retention: { ...model.logging.retention, deleteAfter: 'a month' } } } as MonitoringModel;
    expect(() => renderLogRetention(broken)).toThrow(RenderError);
    expect(() => renderLogRetention(broken)).toThrow(/could not render elasticsearch\/ilm-policy\.json: .*\/policy\/phases\/delete\/min_age/);
  });
});

describe('one data stream, named alike by all who write or read it', () => {
  it.each([['the defaults', {}], ['a configured prefix', custom]] as [string, MonitoringConfig][])('%s: Logstash writes the data stream the template creates; Kibana and Grafana read it', (_name, config) => {
    const model = modelOf(config);
    const { template, policy, dataViews } = bodiesOf(model);
    const output = elasticsearchOutput(model);
    const dataStream = template.index_patterns[0] as string;
    expect(attribute(output, 'index')).toBe(dataStream);
    // Data streams take only op_type create; ILM and the template are mlmon's, not Logstash's.
    expect(attribute(output, 'action')).toBe('create');
    expect(attribute(output, 'data_stream')).toBe('false');
    expect(attribute(output, 'manage_template')).toBe('false');
    expect(attribute(output, 'ilm_enabled')).toBe('false');
    expect(template.template.settings.index.lifecycle.name).toBe(model.logging.retention.ilmPolicyName);
    expect(policy.policy.phases.hot.actions.rollover).toBeDefined();
    const searched = dataViews[0]!.attributes.title as string;
    expect(searched).toBe(`${dataStream}*`);
    const datasources = parseYaml(renderAll(model).find((f) => f.path === 'grafana/provisioning/datasources/datasources.yml')!.content) as Json;
    const elasticsearch = (datasources.datasources as Json[]).find((d) => d.type === 'elasticsearch')!;
    expect(elasticsearch.jsonData.index).toBe(searched);
    expect(elasticsearch.jsonData).not.toHaveProperty('interval');
  });
});

describe('the artifact registry', () => {
  it('claims each file for the logging renderer, checked against the API schemas', () => {
    for (const path of [indexTemplatePath, ilmPolicyPath, dataViewPath]) {
      expect(artifactRegistry.entryFor(path), path).toMatchObject({ renderer: 'logging', parse: 'elastic-api', diff: 'file' });
    }
    expect(artifactRegistry.entryFor(dataViewPath)?.format).toBe('ndjson');
  });
});

describe('config validation of logging.retention', () => {
  it.each([
    ['logging.retention.deleteAfter', { deleteAfter: '30 days' }, '30 days'],
    ['logging.retention.deleteAfter', { deleteAfter: '1w' }, '1w'],
    ['logging.retention.deleteAfter', { deleteAfter: '1.5d' }, '1.5d'],
    ['logging.retention.deleteAfter', { deleteAfter: '0d' }, '0d'],
    ['logging.retention.rollover.maxAge', { rollover: { maxAge: '1M' } }, '1M'],
    ['logging.retention.rollover.maxPrimaryShardSize', { rollover: { maxPrimaryShardSize: '50Gi' } }, '50Gi'],
    ['logging.retention.rollover.maxPrimaryShardSize', { rollover: { maxPrimaryShardSize: '50' } }, '50'],
  ])('refuses %s = %j with a Problem on that path that shows what is allowed', async (path, retention, value) => {
    const problems = await problemsOf({ logging: { retention } });
    const problem = problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(problems)).toMatchObject({ id: 'config/invalid-value', severity: 'error', value });
    expect(problem!.message).toContain(path);
    expect(problem!.allowed).toMatch(path.endsWith('Size') ? /`b`, `kb`, `mb`, `gb`, `tb` or `pb`.*`50gb`/ : /`d`, `h`, `m`, `s` or `ms`.*`30d`/);
  });

  it('refuses a misspelt rollover condition with a did-you-mean', async () => {
    const problems = await problemsOf({ logging: { retention: { rollover: { maxage: '1d' } } } });
    expect(problems).toContainEqual(expect.objectContaining({ id: 'config/unknown-key', path: 'logging.retention.rollover.maxage', hint: 'did you mean "maxAge"?' }));
  });

  it('accepts every Elasticsearch unit it documents', async () => {
    for (const deleteAfter of ['90d', '36h', '30m', '45s', '500ms']) expect(await problemsOf({ logging: { retention: { deleteAfter } } }), deleteAfter).toEqual([]);
    for (const maxPrimaryShardSize of ['1b', '10kb', '100mb', '50gb', '1tb', '1pb']) expect(await problemsOf({ logging: { retention: { rollover: { maxPrimaryShardSize } } } }), maxPrimaryShardSize).toEqual([]);
  });
});

describe('mlmon generate', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
  const mlmon = (args: string[], cwd: string) => spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('writes the three files, generate --check holds them, diff shows a retention change, and a bad duration exits 1 naming its path without a stack trace', () => {
    const { dir, cleanup } = scratchDir('mlmon-log-retention-');
    cleanups.push(cleanup);
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(custom));
    const generate = mlmon(['generate'], dir);
    expect(generate.status, generate.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out', ilmPolicyPath), 'utf8')).policy.phases.delete.min_age).toBe('7d');
    expect(readFileSync(join(dir, 'out', dataViewPath), 'utf8')).toContain('"title":"fraud.logs_v2*"');
    expect(JSON.parse(readFileSync(join(dir, 'out', indexTemplatePath), 'utf8')).index_patterns).toEqual(['fraud.logs_v2']);
    const check = mlmon(['generate', '--check'], dir);
    expect(check.status, check.stdout + check.stderr).toBe(0);

    // A retention change is a change of the policy file: diff shows it, generate --check calls out/ stale.
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify({ logging: { ...custom.logging, retention: { ...custom.logging!.retention, deleteAfter: '14d' } } }));
    const diff = mlmon(['diff', '--exit-code'], dir);
    expect(diff.status, diff.stderr).toBe(1);
    expect(diff.stdout).toContain('elasticsearch/ilm-policy.json');
    expect(diff.stdout).toMatch(/^\+\s+"min_age": "14d",?$/m);
    expect(diff.stdout).not.toContain('kibana/data-view.ndjson');
    expect(mlmon(['generate', '--check'], dir).status).toBe(1);

    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify({ logging: { retention: { deleteAfter: '2 weeks' } } }));
    const bad = mlmon(['generate'], dir);
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toContain('logging.retention.deleteAfter');
    expect(bad.stdout + bad.stderr).not.toMatch(/\n\s+at /);
    // Nothing was rewritten: the policy on disk is still the last good one.
    expect(JSON.parse(readFileSync(join(dir, 'out', ilmPolicyPath), 'utf8')).policy.phases.delete.min_age).toBe('7d');
  });
});
