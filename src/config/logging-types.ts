/**
 * The config types of the log pipeline's retention: how long Elasticsearch keeps the logs Logstash writes, and
 * when it starts a new backing index. Part of `MonitoringConfig` through `logging.retention` (types.ts); the
 * JSON schema and docs/config-reference.md are generated from these declarations (`npm run schema`).
 *
 * Option names are Elasticsearch's own ILM terms in camelCase (`rollover.max_age` is `rollover.maxAge`), so a
 * reader of Elasticsearch's docs finds each one there.
 */

/**
 * An Elasticsearch duration (a time unit value of its REST API): a whole number greater than 0 and one unit,
 * `d`, `h`, `m`, `s` or `ms`, such as `30d` or `12h`. Elasticsearch has no weeks or months (`1w`, `1M`), and no
 * fractions (`1.5d`): write `7d`, `30d`, `36h`.
 * @pattern ^[1-9][0-9]*(d|h|m|s|ms)$
 */
export type ElasticsearchDuration = string;

/**
 * An Elasticsearch byte size (a byte unit value of its REST API): a whole number greater than 0 and one unit,
 * `b`, `kb`, `mb`, `gb`, `tb` or `pb`, in powers of 1024, such as `50gb`. Not a Kubernetes quantity (`50Gi`).
 * @pattern ^[1-9][0-9]*(b|kb|mb|gb|tb|pb)$
 */
export type ElasticsearchByteSize = string;

/**
 * How long the logs are kept. Logstash writes to a data stream named `logging.indexPrefix`; the index template
 * and ILM policy mlmon generates (out/elasticsearch/) roll its write index over and delete old backing indices.
 */
export interface LogRetentionConfig {
  /**
   * How long after its rollover a backing index is deleted: the ILM delete phase's `min_age`. A log line is
   * kept at least this long, and at most this plus `rollover.maxAge`.
   * @default "30d"
   */
  deleteAfter?: ElasticsearchDuration;
  /** When the data stream's write index is rolled over: whichever condition is met first. */
  rollover?: LogRolloverConfig;
}

/** The ILM rollover action's conditions (`max_age`, `max_primary_shard_size`). */
export interface LogRolloverConfig {
  /**
   * The write index's age at which it is rolled over (`max_age`). The grain of deletion: with `1d`, a day's logs
   * are deleted together, as the daily indices were.
   * @default "1d"
   */
  maxAge?: ElasticsearchDuration;
  /**
   * The size of the write index's largest primary shard at which it is rolled over (`max_primary_shard_size`).
   * @default "50gb"
   */
  maxPrimaryShardSize?: ElasticsearchByteSize;
}
