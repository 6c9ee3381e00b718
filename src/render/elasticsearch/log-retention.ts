/**
 * Logs that don't grow forever: the Elasticsearch index template and ILM policy behind the data stream Logstash
 * writes to, and the Kibana data view that reads it.
 *
 * - elasticsearch/index-template.json: the body of `PUT _index_template/<name>`. Its `data_stream` makes the
 *   first write of Logstash to `<indexPrefix>` create a data stream, whose backing indices take the ILM policy.
 * - elasticsearch/ilm-policy.json: the body of `PUT _ilm/policy/<name>`: roll the write index over at
 *   `rollover.maxAge` or `rollover.maxPrimaryShardSize`, delete a backing index `deleteAfter` after its rollover.
 * - kibana/data-view.ndjson: one saved object of type `index-pattern`, for Kibana's saved-objects import.
 *
 * Written from data, not templates: JSON.stringify can't produce invalid JSON, and JSON has no comments for a
 * banner, so the banner is the `_meta` both Elasticsearch bodies allow. Every file is checked against the
 * published API definitions (api-schema.ts) before it is accepted: generate never writes one the API refuses.
 */
import type { MonitoringModel } from '../../normalize/model.js';
import { banner, RenderError, type RenderedFile } from '../artifact.js';
import { elasticApiErrors, type ElasticApiBody } from './api-schema.js';

export const indexTemplatePath = 'elasticsearch/index-template.json';
export const ilmPolicyPath = 'elasticsearch/ilm-policy.json';
export const dataViewPath = 'kibana/data-view.ndjson';

/**
 * Kibana's migration versions of a data view saved object: the last index-pattern migration is 8.0.0 (its
 * conversion to a multi-namespace type), and 8.8.0 is the core version Kibana 8.8+ exports write. Stating them
 * tells Kibana the object is already current, so it runs no 6.x/7.x migrations over it; a Kibana older than
 * 8.8 refuses the import (it refuses a coreMigrationVersion above its own).
 */
const dataViewMigration = { coreMigrationVersion: '8.8.0', typeMigrationVersion: '8.0.0' };

/** The three files; a RenderError names the file and the API's objection if one is not a valid body. */
export function renderLogRetention(model: MonitoringModel): RenderedFile[] {
  const retention = model.logging.retention;
  const meta = { managed_by: 'mlmon', description: banner(model, '').trimStart() };
  const indexTemplate = {
    index_patterns: [retention.dataStream],
    data_stream: {},
    priority: retention.templatePriority,
    template: { settings: { index: { lifecycle: { name: retention.ilmPolicyName } } } },
    _meta: meta,
  };
  const ilmPolicy = {
    policy: {
      phases: {
        hot: { min_age: '0ms', actions: { rollover: { max_age: retention.rollover.maxAge, max_primary_shard_size: retention.rollover.maxPrimaryShardSize } } },
        delete: { min_age: retention.deleteAfter, actions: { delete: {} } },
      },
      _meta: meta,
    },
  };
  const dataView = {
    id: retention.dataView.id,
    type: 'index-pattern',
    attributes: {
      title: retention.searchPattern,
      name: retention.dataView.name,
      timeFieldName: retention.dataView.timeField,
      // On day one no log has arrived yet and the data stream doesn't exist: without this Kibana shows an error.
      allowNoIndex: true,
    },
    references: [],
    managed: false,
    ...dataViewMigration,
  };
  return [
    jsonFile(indexTemplatePath, 'IndicesPutIndexTemplateBody', indexTemplate),
    jsonFile(ilmPolicyPath, 'IlmPutLifecycleBody', ilmPolicy),
    ndjsonFile(dataViewPath, 'KibanaDataViewSavedObject', [dataView]),
  ];
}

function jsonFile(path: string, definition: ElasticApiBody, body: unknown): RenderedFile {
  refuseInvalid(path, definition, body);
  return { path, content: `${JSON.stringify(body, null, 2)}\n` };
}

function ndjsonFile(path: string, definition: ElasticApiBody, objects: readonly unknown[]): RenderedFile {
  objects.forEach((object) => refuseInvalid(path, definition, object));
  return { path, content: objects.map((object) => `${JSON.stringify(object)}\n`).join('') };
}

function refuseInvalid(path: string, definition: ElasticApiBody, body: unknown): void {
  const errors = elasticApiErrors(definition, body);
  if (errors.length) throw new RenderError(path, `not a valid ${definition} of the published API: ${errors.join('; ')}`);
}
