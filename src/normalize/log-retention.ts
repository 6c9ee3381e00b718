/**
 * The log data stream's lifecycle for the model: `logging.retention` with its defaults, and the names of what
 * carries it in Elasticsearch and Kibana. The renderer (render/elasticsearch/) only lays this out.
 */
import { configDefaults } from '../config/defaults.js';
import type { LogRetentionConfig } from '../config/logging-types.js';

/**
 * The log data stream's lifecycle, in Elasticsearch's units (durations `30d`, byte sizes `50gb`): the names of
 * the index template and ILM policy that carry it, and the index pattern readers search.
 */
export interface LogRetentionModel {
  /** The data stream's name (`logging.indexPrefix`); the index template matches exactly it. */
  readonly dataStream: string;
  /** What Kibana's data view and Grafana search: the data stream and the daily indices of earlier versions. */
  readonly searchPattern: string;
  /** Name of the index template (`PUT _index_template/<name>`) and of the ILM policy (`PUT _ilm/policy/<name>`). */
  readonly indexTemplateName: string;
  readonly ilmPolicyName: string;
  /**
   * The index template's priority: 501, above Elasticsearch's built-in templates (100) and Fleet's (up to 200),
   * as Elasticsearch's docs ask of a template whose pattern may overlap theirs ("Avoid index pattern collisions").
   */
  readonly templatePriority: number;
  /** The ILM delete phase's `min_age`. */
  readonly deleteAfter: string;
  /** The ILM hot phase's rollover conditions. */
  readonly rollover: { readonly maxAge: string; readonly maxPrimaryShardSize: string };
  /** The Kibana data view: its saved-object id, display name and time field. */
  readonly dataView: { readonly id: string; readonly name: string; readonly timeField: string };
}

/** `dataStream` is `logging.indexPrefix`, already defaulted. */
export function buildLogRetention(dataStream: string, retention: LogRetentionConfig): LogRetentionModel {
  return {
    dataStream,
    // The `*` also covers the daily `<prefix>-YYYY.MM.dd` indices earlier versions wrote, until they are deleted.
    searchPattern: `${dataStream}*`,
    indexTemplateName: dataStream,
    ilmPolicyName: dataStream,
    templatePriority: 501,
    deleteAfter: retention.deleteAfter ?? configDefaults['logging.retention.deleteAfter'],
    rollover: {
      maxAge: retention.rollover?.maxAge ?? configDefaults['logging.retention.rollover.maxAge'],
      maxPrimaryShardSize: retention.rollover?.maxPrimaryShardSize ?? configDefaults['logging.retention.rollover.maxPrimaryShardSize'],
    },
    dataView: { id: `mlmon-${dataStream}`, name: `mlmon logs (${dataStream})`, timeField: '@timestamp' },
  };
}
