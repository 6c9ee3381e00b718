/**
 * Scale-out settings of `prometheus`: scrape sharding, remote_write to a central store, and the central ruler
 * that evaluates the rules which need the whole fleet (docs/deploy.md, "Scale-out"). Kept out of types.ts so
 * that the rest of the config reads as it did; `PrometheusSettings` extends `ScaleOutSettings`.
 */
import type { LabelName, Name } from './types.js';

export interface ScaleOutSettings {
  /**
   * How many Prometheus servers split the scrape targets between them. Each target goes to exactly one shard,
   * by `hashmod` of its final address (`__address__`) modulo the shard count; each shard's config is written
   * to out/prometheus/shards/shard-<i>/prometheus.yml. Above 1, `centralRuler` is required: no shard sees the
   * whole fleet, so alerts and SLOs must run on a ruler reading the central store (`remoteWrite`).
   * @default 1
   * @minimum 1
   * @maximum 64
   * @asType integer
   */
  shards?: number;
  /**
   * How many rule groups share the work of the fleet-wide model alerts. Above 1, each built-in model alert
   * (ModelAccuracyDrop, DataDriftDetected, HighInferenceLatency, LowPredictionConfidence, ModelMetricsMissing)
   * is evaluated once per model shard by a recording rule in a group of its own, restricted to the shard's
   * models, which records the models past their threshold; Prometheus evaluates the shards side by side, no
   * group reads every model's series, and the alert reads only the recorded breaches. At 1 the alerts stay
   * inline. A model's shard is Prometheus' own `hashmod` of its `model` label, added to every series of the
   * services' scrape jobs as `model_shard` (only when above 1), and to each listed model's threshold series.
   * Left out, one shard per 250 listed models, rounded up to a power of two (1 up to 250 models, 64 at 10,000),
   * at most 256. Changing it relabels every model series once
   * (new series in Prometheus' head block; the alerts ride it out, each taking a model's worst breach).
   * @default 1
   * @minimum 1
   * @maximum 256
   * @asType integer
   */
  modelShards?: number;
  /**
   * The same for the service alerts (HighLatency, HighErrorRate, LowThroughput): they are evaluated once per
   * service shard, each service's targets labelled `service_shard` by its scrape job (a constant of
   * the job: the same hash of the service's name). Left out, one shard per 50 services, rounded up to a power of
   * two (1 up to 50 services, 32 at 1,000), at most 256.
   * @default 1
   * @minimum 1
   * @maximum 256
   * @asType integer
   */
  serviceShards?: number;
  /**
   * Central stores (Thanos Receive, Mimir, VictoriaMetrics…) every Prometheus sends its samples to.
   * Prometheus' own queue defaults apply unless `queue` overrides them.
   */
  remoteWrite?: RemoteWriteTarget[];
  /**
   * The ruler that evaluates the alert, threshold and SLO rules against the central store. When set, those
   * rules are written for it under out/ruler/<kind>/ and the Prometheus servers (every shard) keep only the
   * per-target rules: recording rules that neither aggregate nor join series nor record constants.
   */
  centralRuler?: CentralRulerConfig;
}

export interface RemoteWriteTarget {
  /**
   * The store's remote write endpoint, e.g. `http://vminsert:8480/insert/0/prometheus/api/v1/write`.
   * @format uri
   */
  url: string;
  /** Name of the queue in Prometheus' own metrics (`remote_name`); unique among `remoteWrite`. */
  name?: Name;
  /**
   * Labels removed from every sample before it is sent (`write_relabel_configs`, `labeldrop`): high-cardinality
   * labels the central store should not index, such as `pod` or `request_id`. Labels mlmon's rules read
   * (`model`, `service`, `team`, `job`, `instance`, `le`…) are refused: the central ruler would lose them.
   */
  dropLabels?: LabelName[];
  /**
   * Metrics not sent at all (`write_relabel_configs`, `drop` on `__name__`): each entry a metric name, or an
   * RE2 regular expression matched against the whole name.
   */
  dropMetrics?: string[];
  /** Basic authentication; the password is read from a file (never written into the config). */
  basicAuth?: { username: string; passwordFile: string };
  /** A bearer token read from this file (`authorization.credentials_file`). */
  bearerTokenFile?: string;
  /**
   * Overrides of Prometheus' queue settings. Left out, Prometheus' own defaults apply (config/config.go
   * `DefaultQueueConfig` in 3.16: capacity 10000, max_shards 50, min_shards 1, max_samples_per_send 2000,
   * batch_send_deadline 5s, min_backoff 30ms, max_backoff 5s), so a Prometheus upgrade brings its new ones.
   */
  queue?: RemoteWriteQueue;
}

export interface RemoteWriteQueue {
  /**
   * Samples buffered per shard.
   * @minimum 1
   * @asType integer
   */
  capacity?: number;
  /**
   * Most concurrent senders.
   * @minimum 1
   * @asType integer
   */
  maxShards?: number;
  /**
   * Samples per request.
   * @minimum 1
   * @asType integer
   */
  maxSamplesPerSend?: number;
  /**
   * Longest a sample waits in a shard before it is sent.
   * @pattern ^(\d+(ms|s|m|h|d|w|y))+$
   */
  batchSendDeadline?: string;
}

/**
 * The central ruler and its rule file layout:
 * - `vmalert`: VictoriaMetrics' vmalert, plain Prometheus rule files (out/ruler/vmalert/*.yml, `-rule=`);
 * - `thanos`: Thanos Ruler, rule files whose groups carry `partial_response_strategy` (out/ruler/thanos/*.yml);
 * - `mimir`: Mimir's ruler, one file per namespace with a `namespace:` key, as `mimirtool rules sync` reads
 *   it (out/ruler/mimir/<namespace>.yml), loaded for `tenant`.
 */
export type CentralRulerConfig = VmalertRuler | ThanosRuler | MimirRuler;

export interface VmalertRuler {
  kind: 'vmalert';
}

export interface ThanosRuler {
  kind: 'thanos';
  /**
   * What a rule evaluation does when some of the stores it queries don't answer: `abort` fails it (an alert
   * never fires on half the fleet), `warn` evaluates on the partial data. Thanos' own default is `abort`.
   * @default "abort"
   */
  partialResponseStrategy?: 'abort' | 'warn';
}

export interface MimirRuler {
  kind: 'mimir';
  /** The tenant (`X-Scope-OrgID`, `mimirtool --id`) the rules are loaded for. */
  tenant: Name;
  /**
   * The rule namespace, the `namespace:` key of the file `mimirtool rules sync` reads.
   * @default "mlmon"
   */
  namespace?: Name;
}
