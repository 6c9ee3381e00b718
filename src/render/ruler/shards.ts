/**
 * The Prometheus shards' configs and the remote_write section every Prometheus config carries.
 *
 * Layout: one folder per shard, out/prometheus/shards/shard-<i>/, holding the shard's prometheus.yml and, for
 * a large fleet, its own scrape-configs/ files. One config per shard, not one config with the shard index
 * injected: Prometheus expands environment variables only in external label values (config/config.go,
 * os.Expand over GlobalConfig.ExternalLabels), never in a relabel rule's regex, so the `keep` of a shard's
 * hash must be written into its own file. The shards share prometheus/rules/ (`../../rules/…`): the rule files
 * they load are the per-target ones, the same for every shard.
 */
import type { MonitoringModel } from '../../normalize/model.js';
import type { RemoteWriteModel } from '../../normalize/sharding.js';
import type { RenderedFile } from '../artifact.js';
import { renderPrometheusConfig } from '../prometheus.js';
import type { Templates } from '../templating.js';

/** The folder of shard `index` under out/. */
export const shardDir = (index: number): string => `prometheus/shards/shard-${index}`;

/** `remote_write` entries in Prometheus' field names (undefined: no section), for prometheus.yml.hbs. */
export function remoteWriteView(targets: readonly RemoteWriteModel[]): Record<string, unknown>[] | undefined {
  if (!targets.length) return undefined;
  return targets.map((t) => ({
    url: t.url,
    ...(t.name ? { name: t.name } : {}),
    ...(t.basicAuth ? { basic_auth: t.basicAuth } : {}),
    ...(t.authorization ? { authorization: t.authorization } : {}),
    ...(t.writeRelabelConfigs.length ? { write_relabel_configs: t.writeRelabelConfigs } : {}),
    // Only what the config overrides: the rest are Prometheus' own defaults, whatever its version.
    ...(t.queueConfig ? { queue_config: t.queueConfig } : {}),
  }));
}

/** Every shard's prometheus.yml (and scrape config files), or nothing for an unsharded Prometheus. */
export function renderShardConfigs(model: MonitoringModel, templates: Templates): RenderedFile[] {
  return model.scaleOut.shards.flatMap((shard) => {
    const dir = shardDir(shard.index);
    const shardModel: MonitoringModel = {
      ...model,
      scrapeJobs: shard.scrapeJobs,
      prometheus: { ...model.prometheus, ruleFilePaths: model.prometheus.ruleFilePaths.map((path) => `../../${path}`) },
    };
    return renderPrometheusConfig(shardModel, templates).map((file) => ({ ...file, path: `${dir}/${file.path.slice('prometheus/'.length)}` }));
  });
}
