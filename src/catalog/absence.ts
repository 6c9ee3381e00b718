/**
 * What the absence alerts share: the names of the jobs whose targets can vanish from discovery, how long a
 * thing seen once is remembered, and the nodes that exist.
 *
 * A vanished target leaves no `up == 0` behind (ServiceDown can't see it), and every alert over its series
 * returns nothing: an evicted exporter pod, one stuck Pending (scrapablePods drops Pending pods), a DaemonSet
 * that no longer matches a node. Each absence alert pages for that, in the way kube-prometheus does:
 * - a whole job with no target, as kubernetes-mixin's `KubeletDown` (`absent(up{job="kubelet"} == 1)`) and
 *   kube-prometheus' `NodeExporterDown` do (https://github.com/prometheus-operator/kube-prometheus,
 *   https://github.com/kubernetes-monitoring/kubernetes-mixin alerts/system_alerts.libsonnet), with a `for`;
 *   here `absent_over_time` of the bare selector, so a job whose targets are all there but down is
 *   ServiceDown's alone, not paged twice;
 * - a node without its exporter, where the kubelets say which nodes there are (every node runs a kubelet; a
 *   node-exporter DaemonSet is meant for each of them, as node-mixin assumes);
 * - for a thing not every node or service has (a GPU node's dcgm-exporter, a KServe service's Knative
 *   revision series), one seen within `seenLookback` that is gone now: never seen is never configured.
 *
 * Every window is an `*_over_time` over at least two scrape intervals (`config/alert-window`), so one lost
 * scrape, or two rule groups evaluating at their own offsets in the interval, never empties it.
 */

/** The scrape jobs the absence alerts select (src/normalize/scrape-jobs.ts and dcgm.ts name them so). */
export const scrapeJobNames = { nodeExporter: 'node-exporter', kubelets: 'kubernetes-nodes', dcgm: 'dcgm-exporter' } as const;

/**
 * How long a node's dcgm-exporter or a service's integration series are remembered after they were last seen.
 * Past it, the alert resolves though nothing came back: a bound on the cost of the range (one `up` sample per
 * 15 s scrape and node, 1,440 per node) that a day of paging is expected to beat.
 */
export const seenLookback = '6h';

/** The nodes whose kubelet was scraped successfully within `window`: the nodes there are, labelled `node`. */
export function kubeletNodes(window: string): string {
  return `group by (node) (max_over_time(up{job="${scrapeJobNames.kubelets}"}[${window}]) == 1)`;
}

/** `group by (<by>) (present_over_time(<series>[<range>]))`: what had a series of `series` within `range`. */
export function seenWithin(series: string, range: string, by = 'node'): string {
  return `group by (${by}) (present_over_time(${series}[${range}]))`;
}
