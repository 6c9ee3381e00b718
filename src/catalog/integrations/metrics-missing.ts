import { defineAlert } from '../alert-definition.js';
import { seenLookback, seenWithin } from '../absence.js';
import { counter, gauge, sampled, selector, type TargetSeries } from '../proof-series.js';
import { serviceInfoSeries } from '../series.js';
import { kserve } from './kserve/index.js';
import { triton } from './triton/index.js';
import { vllm } from './vllm/index.js';
import type { IntegrationDefinition } from './integration.js';

// The service integrations, as integrations/index.ts lists them (it can't be imported here: it lists this alert).
const servers: readonly IntegrationDefinition[] = [vllm, triton, kserve];

/** One series a service-scoped alert of a model server reads, and how its absence is told from idleness. */
interface ServiceInput {
  readonly series: string;
  /** Counted per request (a counter, or a histogram's `_count`): a new pod has none until it serves one. */
  readonly perRequest: boolean;
  /** The server's series of every model it serves (ScrapeConvention.modelPresence), a counter of requests. */
  readonly traffic: string;
}

/**
 * The series the service-scoped alerts of `integration` read (KServe's Knative revision series, Triton's GPU
 * memory gauges), each once: ModelMetricsMissing watches the per-model ones, ServiceUnreachable `up`.
 */
export function serviceInputsOf(integration: IntegrationDefinition): ServiceInput[] {
  const known = new Map(Object.values(integration.metrics).flat().map((m) => [m.name, m]));
  const inputs = new Map<string, ServiceInput>();
  for (const alert of integration.alerts) {
    if (alert.scope !== 'service') continue;
    for (const name of alert.metrics) {
      const metric = known.get(name);
      if (!metric || !integration.scrape.modelPresence) continue;
      const histogram = metric.type === 'histogram' || metric.type === 'summary';
      const series = histogram ? `${name}_count` : name;
      inputs.set(series, { series, perRequest: histogram || metric.type === 'counter', traffic: integration.scrape.modelPresence });
    }
  }
  return [...inputs.values()];
}

function inputsOf(names: readonly string[]): ServiceInput[] {
  return servers.filter((s) => names.includes(s.name)).flatMap(serviceInputsOf);
}

/**
 * A service that still answers but no longer exports a series its model server's service-scoped alerts read
 * (KnativeRevisionErrorRatioHigh's revision_app_request_count, TritonGpuMemoryPressure's nv_gpu_memory_*): the
 * queue-proxy's metrics no longer aggregated, GPU metrics switched off, a port moved. Those alerts say nothing
 * then, while `up` and the per-model series stay (ServiceUnreachable and ModelMetricsMissing see nothing amiss).
 *
 * Only a series the service exported within `seenLookback` can be missing: a KServe RawDeployment has no
 * Knative revisions, a CPU-only Triton no GPU memory, and neither is a fault. A series counted per request
 * exists only once a request was counted, so its absence counts only while the server serves requests (its
 * per-model request counter grows); a gauge's, while the service is up. One rule for every service and series,
 * labelled with the `metric` gone and the service's team.
 */
export const integrationMetricsMissing = defineAlert({
  name: 'IntegrationMetricsMissing',
  scope: 'service',
  about: `A service that is up (for a per-request series: serving requests) no longer exported, within the window, a series its model server's service-scoped alerts read and that it exported within the last ${seenLookback} (KServe's Knative revision series, Triton's GPU memory): those alerts are blind.`,
  defaults: { severity: 'critical', for: '10m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['up', 'revision_app_request_count', 'revision_app_request_latencies', 'nv_gpu_memory_used_bytes', 'nv_gpu_memory_total_bytes', 'request_predict_seconds'],
  // Finer than the service: a critical about one missing series must not mute the service's other warnings.
  identity: ['service', 'metric'],
  labelSets: [['service', 'metric', 'team']],
  runbook: 'IntegrationMetricsMissing',
  watches: (fleet) => inputsOf(fleet.scraped.integrations).length > 0,
  rule: ({ window, scraped }) => {
    // The gate first: the proofs read the window from the first range of the expression.
    const term = (input: ServiceInput) => [
      `label_replace(`,
      `  ${input.perRequest ? `sum by (service) (rate(${input.traffic}[${window}])) > 0` : `max by (service) (max_over_time(up{service!=""}[${window}])) == 1`}`,
      `    and on (service)`,
      `  ${seenWithin(input.series, seenLookback, 'service')}`,
      `    unless on (service)`,
      `  ${seenWithin(input.series, window, 'service')},`,
      `  "metric", ${JSON.stringify(input.series)}, "", ""`,
      `)`,
    ].join('\n');
    return {
      expr: `(\n${inputsOf(scraped.integrations).map(term).join('\nor\n')}\n)\n  * on (service) group_left (team)\n${serviceInfoSeries}`,
      summary: 'Service {{ $labels.service }} no longer exports {{ $labels.metric }}',
      description: `{{ $labels.service }} exported {{ $labels.metric }} within ${seenLookback} but none for ${window} and more, while it is up and serving: the alerts that read it can't see it.`,
    };
  },
  proof: {
    kind: 'custom',
    settlesAfterWindow: true,
    wording: {
      breach: 'fires after {for} for every series a serving service exported once and no longer does',
      inside: 'stays silent while every service exports the series it exported',
    },
    // Each proven service is up and serving; past it, every series of its server's service-scoped alerts is
    // scraped once and then gone, inside it they stay.
    targets: (fleet, side, { steps, step }) => sampled(fleet.services.filter((s) => s.integration && inputsOf([s.integration.name]).length > 0), (s) => [s.team]).flatMap((service): TargetSeries[] => {
      const labels = { instance: `${service.name}-0:8080`, job: service.name, service: service.name };
      const target = { kind: 'service', name: service.name } as const;
      const inputs = inputsOf([service.integration!.name]);
      const serving: TargetSeries = {
        series: [{ series: selector('up', labels), values: gauge(1, steps) }, { series: selector(inputs[0]!.traffic, { ...labels, model: 'm' }), values: counter(step, steps) }],
        alertLabels: {}, value: 1, fires: false, target,
      };
      return [serving, ...inputs.map((input): TargetSeries => ({
        series: [{ series: selector(input.series, labels), values: side === 'breach' ? '1' : gauge(1, steps) }],
        alertLabels: { service: service.name, metric: input.series, team: service.team }, value: 1, fires: side === 'breach', target,
      }))];
    }),
  },
});
