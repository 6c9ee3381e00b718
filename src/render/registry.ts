/**
 * The artifact registry: every kind of file mlmon writes into out/, as one declarative entry each. What used to
 * be spread over the renderer list, diff's path classifier and the re-check filter is read from here:
 *
 * - render/render.ts runs the `renderer`s in the order the entries first name them, and refuses a rendered file
 *   that no entry (of its own renderer) claims, so a new output cannot skip its entry;
 * - render/render.ts re-parses the files whose `parse` is `yaml` when template overrides are in play;
 * - output/compare.ts, the one comparison behind generate, generate --check and diff, tags every difference
 *   with its entry, and output/diff.ts describes it with the entry's `diff` describer (`file` when no entry
 *   claims a path, as for an older mlmon's output).
 *
 * The entries are data, not code: renderers stay in their modules, referred to by name. Adding an artifact is
 * a recipe in docs/architecture.md.
 */

/** How the file is written: what its own-format parse check reads it as. */
export type ArtifactFormat = 'yaml' | 'json' | 'ndjson' | 'logstash-config' | 'csv';

/** The renderers of render/render.ts, by name. `kubernetes` runs last: it packs the other files into ConfigMaps. */
export type RendererName = 'prometheus' | 'alertmanager' | 'grafana' | 'logging' | 'openslo' | 'operator' | 'dcgm' | 'kubernetes';

/**
 * The check that the file parses in its own format, before anyone deploys it:
 * - `yaml`: one YAML document, parsed again (render/yaml-check.ts) when a user's template overrides wrote it;
 *   `mlmon validate` parses every such file regardless (check `render/invalid-output`);
 * - `kubernetes-objects`: a YAML stream of objects, each against the Kubernetes API schemas
 *   (check/kubernetes-objects.ts, check `kubernetes/objects`);
 * - `grafana-dashboard`: JSON against Grafana's dashboard model (check/dashboards.ts, `grafana/dashboards`);
 * - `logstash-grammar`: Logstash's own config grammar (check/logstash-pipelines.ts, `logstash/syntax`);
 * - `openslo`: a YAML stream of OpenSLO v1 documents, written by the yaml library from data (no template), which
 *   OpenSLO's validator oslo accepts and `mlmon import openslo` reads back (test/config/openslo-export.test.ts,
 *   test/render/openslo-artifact.test.ts);
 * - `elastic-api`: JSON (NDJSON: each line) against the Elasticsearch or Kibana API body it is, from the published
 *   API definitions (render/elasticsearch/api-schema.ts), when it is rendered.
 * - `dcgm-counters`: dcgm-exporter's counters-file grammar (render/dcgm.ts `dcgmCountersProblems`, held at render).
 */
export type ParseCheck = 'yaml' | 'kubernetes-objects' | 'grafana-dashboard' | 'logstash-grammar' | 'openslo' | 'elastic-api' | 'dcgm-counters';

/**
 * How `mlmon diff` describes a change to the file, by the describers of output/diff.ts: what a reviewer
 * reads (alerts and thresholds, scrape jobs, receivers, dashboards by uid, Kubernetes objects, Logstash
 * plugins), or `file` for "<path> changed" under "Other files". Every file's unified patch follows anyway.
 */
export type DiffDescriber = 'alert-rules' | 'prometheus' | 'alertmanager' | 'dashboards' | 'kubernetes' | 'logstash' | 'file';

/**
 * Whether and how the file is packed into a ConfigMap by the Kubernetes renderer: the component whose pod
 * mounts it and the volume it is mounted through (render/kubernetes/components.ts). A test holds the
 * renderer to it: the file is in one of that component's ConfigMaps, byte for byte.
 */
export interface ConfigMapPacking {
  readonly component: 'prometheus' | 'alertmanager' | 'grafana' | 'logstash' | 'filebeat';
  readonly volume: string;
}

/** `R`: the renderer names it may refer to (mlmon's own, or a test's with its throwaway renderer added). */
export interface ArtifactEntry<R extends string = RendererName> {
  /** Stable name, e.g. `rule-files`. */
  readonly id: string;
  /** What it is, for people: `Prometheus rule files`. */
  readonly title: string;
  /**
   * Where it goes in out/, relative and `/`-separated; `*` stands for one or more characters other than `/`
   * (`prometheus/rules/*.yml`). The first entry whose pattern matches a path owns it.
   */
  readonly path: string;
  readonly format: ArtifactFormat;
  readonly renderer: R;
  readonly parse: ParseCheck;
  readonly diff: DiffDescriber;
  /**
   * Absent: not deployed by the Kubernetes manifests (tests and proofs, the manifests themselves). With
   * `prometheus.shards` the shards replace the one server: its prometheus.yml and scrape config files are not
   * deployed, nor the rule files the shards don't load.
   */
  readonly configMap?: ConfigMapPacking;
}

/** Every artifact, in the order their renderers run. */
export const artifacts: readonly ArtifactEntry[] = [
  { id: 'prometheus-config', title: 'Prometheus config', path: 'prometheus/prometheus.yml', format: 'yaml', renderer: 'prometheus', parse: 'yaml', diff: 'prometheus', configMap: { component: 'prometheus', volume: 'config' } },
  { id: 'scrape-config-files', title: 'Prometheus scrape config files (a large fleet\'s service jobs)', path: 'prometheus/scrape-configs/*.yml', format: 'yaml', renderer: 'prometheus', parse: 'yaml', diff: 'file', configMap: { component: 'prometheus', volume: 'config' } },
  { id: 'rule-files', title: 'Prometheus rule files (alerts, thresholds, recording rules)', path: 'prometheus/rules/*.yml', format: 'yaml', renderer: 'prometheus', parse: 'yaml', diff: 'alert-rules', configMap: { component: 'prometheus', volume: 'config' } },
  { id: 'prometheus-shard-configs', title: 'Prometheus shard configs (prometheus.shards) and their scrape config files', path: 'prometheus/shards/*/prometheus.yml', format: 'yaml', renderer: 'prometheus', parse: 'yaml', diff: 'file', configMap: { component: 'prometheus', volume: 'config' } },
  { id: 'prometheus-shard-scrape-config-files', title: 'Prometheus shard scrape config files', path: 'prometheus/shards/*/scrape-configs/*.yml', format: 'yaml', renderer: 'prometheus', parse: 'yaml', diff: 'file', configMap: { component: 'prometheus', volume: 'config' } },
  { id: 'central-ruler-rules', title: 'Central ruler rule files (vmalert, Thanos Ruler, Mimir)', path: 'ruler/*/*.yml', format: 'yaml', renderer: 'prometheus', parse: 'yaml', diff: 'file' },
  { id: 'rule-tests', title: 'promtool rule proofs', path: 'prometheus/tests/*.yml', format: 'yaml', renderer: 'prometheus', parse: 'yaml', diff: 'file' },
  { id: 'alertmanager-config', title: 'Alertmanager config', path: 'alertmanager/alertmanager.yml', format: 'yaml', renderer: 'alertmanager', parse: 'yaml', diff: 'alertmanager', configMap: { component: 'alertmanager', volume: 'config' } },
  { id: 'routing-tests', title: 'amtool routing tests', path: 'alertmanager/routing-tests.yml', format: 'yaml', renderer: 'alertmanager', parse: 'yaml', diff: 'file' },
  { id: 'dashboards', title: 'Grafana dashboards', path: 'grafana/dashboards/*.json', format: 'json', renderer: 'grafana', parse: 'grafana-dashboard', diff: 'dashboards', configMap: { component: 'grafana', volume: 'dashboards' } },
  { id: 'grafana-provisioning', title: 'Grafana provisioning (data sources, dashboard provider)', path: 'grafana/provisioning/*/*.yml', format: 'yaml', renderer: 'grafana', parse: 'yaml', diff: 'file', configMap: { component: 'grafana', volume: 'provisioning' } },
  { id: 'logstash-pipeline', title: 'Logstash pipeline', path: 'logstash/pipeline/*.conf', format: 'logstash-config', renderer: 'logging', parse: 'logstash-grammar', diff: 'logstash', configMap: { component: 'logstash', volume: 'pipeline' } },
  { id: 'logstash-settings', title: 'Logstash pipelines.yml', path: 'logstash/pipelines.yml', format: 'yaml', renderer: 'logging', parse: 'yaml', diff: 'file', configMap: { component: 'logstash', volume: 'settings' } },
  { id: 'filebeat-config', title: 'Filebeat config', path: 'filebeat/filebeat.yml', format: 'yaml', renderer: 'logging', parse: 'yaml', diff: 'file', configMap: { component: 'filebeat', volume: 'config' } },
  { id: 'elasticsearch-index-template', title: 'Elasticsearch index template of the log data stream', path: 'elasticsearch/index-template.json', format: 'json', renderer: 'logging', parse: 'elastic-api', diff: 'file' },
  { id: 'elasticsearch-ilm-policy', title: 'Elasticsearch ILM policy of the logs (rollover, retention)', path: 'elasticsearch/ilm-policy.json', format: 'json', renderer: 'logging', parse: 'elastic-api', diff: 'file' },
  { id: 'kibana-data-view', title: 'Kibana data view of the logs (saved objects)', path: 'kibana/data-view.ndjson', format: 'ndjson', renderer: 'logging', parse: 'elastic-api', diff: 'file' },
  { id: 'openslo', title: 'OpenSLO v1 documents of the SLOs (config `openslo`)', path: 'openslo/slos.yaml', format: 'yaml', renderer: 'openslo', parse: 'openslo', diff: 'file' },
  { id: 'operator-routing-tests', title: 'amtool routing tests for the receivers the Prometheus Operator renders from the AlertmanagerConfig', path: 'operator/routing-tests.yml', format: 'yaml', renderer: 'operator', parse: 'yaml', diff: 'file' },
  { id: 'operator-objects', title: 'Prometheus Operator objects (config `deploy.target`), for kube-prometheus-stack', path: 'operator/*.yaml', format: 'yaml', renderer: 'operator', parse: 'kubernetes-objects', diff: 'kubernetes' },
  { id: 'dcgm-counters', title: 'dcgm-exporter counters file (the DCGM GPU pack)', path: 'dcgm/counters.csv', format: 'csv', renderer: 'dcgm', parse: 'dcgm-counters', diff: 'file' },
  { id: 'dcgm-counters-config-map', title: 'dcgm-exporter counters file as a ConfigMap', path: 'dcgm/*.yaml', format: 'yaml', renderer: 'dcgm', parse: 'yaml', diff: 'file' },
  { id: 'kubernetes-manifests', title: 'Kubernetes manifests and their kustomization', path: 'k8s/*.yaml', format: 'yaml', renderer: 'kubernetes', parse: 'kubernetes-objects', diff: 'kubernetes' },
];

/** A registry: its entries and a lookup by path. Made from `artifacts`, or from a test's own list. */
export interface ArtifactRegistry<R extends string = RendererName> {
  readonly entries: readonly ArtifactEntry<R>[];
  /** The renderers, in the order the entries first name them. */
  readonly renderers: readonly R[];
  /** The entry that owns `path` (the first whose pattern matches), or undefined. */
  entryFor(path: string): ArtifactEntry<R> | undefined;
}

/** Builds the lookup once: each pattern compiled to an anchored regular expression. */
export function createRegistry<R extends string = RendererName>(entries: readonly ArtifactEntry<R>[]): ArtifactRegistry<R> {
  const compiled = entries.map((entry) => ({ entry, pattern: patternOf(entry.path) }));
  // Generated paths repeat (every run, every side of a diff): remember each answer.
  const cache = new Map<string, ArtifactEntry<R> | undefined>();
  return {
    entries,
    renderers: [...new Set(entries.map((e) => e.renderer))],
    entryFor(path) {
      if (!cache.has(path)) cache.set(path, compiled.find((c) => c.pattern.test(path))?.entry);
      return cache.get(path);
    },
  };
}

/** mlmon's own registry. */
export const artifactRegistry: ArtifactRegistry = createRegistry(artifacts);

function patternOf(path: string): RegExp {
  const escaped = path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}$`);
}
