import { describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { modelOf } from '../support/fixtures.js';

const absence = ['ScrapeJobAbsent', 'NodeExporterMissing', 'DcgmExporterMissing', 'IntegrationMetricsMissing'];

const onKubernetes = {
  infrastructure: {
    nodeExporter: { kubernetes: { namespace: 'monitoring' } },
    gpus: { dcgm: { kubernetes: { namespace: 'gpu-operator' } } },
  },
};
const servers = {
  ks: { discovery: { kubernetesPods: { namespaces: ['kserve'] } }, integration: { kserve: { version: '0.14' } } },
  trit: { discovery: { kubernetesPods: { namespaces: ['triton'] } }, integration: { triton: { version: '25.01' } } },
};

function absenceAlerts(config: Record<string, unknown>): Record<string, string> {
  const model = modelOf({ services: {}, ...config } as unknown as MonitoringConfig);
  return Object.fromEntries(model.builtinAlerts.filter((a) => absence.includes(a.name)).map((a) => [a.name, a.rule.expr]));
}

describe('the absence alerts', () => {
  it('watch every discovered exporter per node, and the whole job, with the kubelets as the list of nodes', () => {
    const rules = absenceAlerts(onKubernetes);
    expect(Object.keys(rules)).toEqual(['ScrapeJobAbsent', 'NodeExporterMissing', 'DcgmExporterMissing']);
    expect(rules.ScrapeJobAbsent).toBe(['node-exporter', 'kubernetes-nodes', 'dcgm-exporter'].map((job) => `absent_over_time(up{job="${job}"}[5m])`).join('\nor\n'));
    expect(rules.NodeExporterMissing).toContain('up{job="kubernetes-nodes"}');
    expect(rules.DcgmExporterMissing).toContain('present_over_time(up{job="dcgm-exporter"}[6h])');
  });

  it('are not generated for what is never discovered: fixed node-exporter targets, no kubelets', () => {
    expect(absenceAlerts({})).toEqual({ ScrapeJobAbsent: 'absent_over_time(up{job="kubernetes-nodes"}[5m])' });
    const noKubelets = absenceAlerts({ infrastructure: { ...onKubernetes.infrastructure, kubernetesNodes: false } });
    // Without the kubelets no one knows which nodes there are: the whole jobs only.
    expect(Object.keys(noKubelets)).toEqual(['ScrapeJobAbsent']);
    expect(noKubelets.ScrapeJobAbsent).not.toContain('kubernetes-nodes');
  });

  it("watch the model servers' service-scoped series, each gated on what makes its absence mean something", () => {
    const rule = absenceAlerts({ services: servers, infrastructure: { kubernetesNodes: false, nodeExporterTargets: [] } }).IntegrationMetricsMissing!;
    for (const series of ['revision_app_request_count', 'revision_app_request_latencies_count', 'nv_gpu_memory_used_bytes', 'nv_gpu_memory_total_bytes']) {
      expect(rule).toContain(`present_over_time(${series}[6h])`);
      expect(rule).toContain(`"metric", "${series}"`);
    }
    // Knative's counters only while KServe serves requests; Triton's GPU gauges while the service is up.
    expect(rule).toContain('sum by (service) (rate(request_predict_seconds_count[5m])) > 0');
    expect(rule).toContain('max by (service) (max_over_time(up{service!=""}[5m])) == 1');
    // vLLM's alerts are all per model: ModelMetricsMissing's.
    const vllmOnly = { llm: { discovery: { kubernetesPods: { namespaces: ['llm'] } }, integration: { vllm: { version: '0.11' } } } };
    expect(absenceAlerts({ services: vllmOnly }).IntegrationMetricsMissing).toBeUndefined();
  });

  it('keep the number of alerting rules flat as the models grow', () => {
    const rulesWith = (count: number) => {
      const models = Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${i}`, { service: i % 2 ? 'ks' : 'trit' }]));
      const model = modelOf({ services: servers, models, ...onKubernetes } as unknown as MonitoringConfig);
      return model.ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r) => r.kind === 'alert').length;
    };
    expect(rulesWith(50)).toBe(rulesWith(2));
  });
});
