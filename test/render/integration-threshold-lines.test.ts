/**
 * The threshold lines of the model servers' dashboard rows list only the models and services that run the
 * server: the others have no series on those panels, so hiding their line (their server threshold is `false`)
 * only made the row grow with the whole fleet. Found by bench/integrations.mjs: at 3,000 models the ML-models
 * dashboard was 1.1 MB, over the 1 MiB of the ConfigMap it ships in, and `generate` refused it.
 */
import { describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { renderAll } from '../../src/render/render.js';
import { modelOf } from '../support/fixtures.js';

type Json = Record<string, any>;

/** A fleet of `plain` models on a service without a model server, beside one vLLM, one Triton and one KServe service. */
function fleet(plain: number): MonitoringConfig {
  const models: Record<string, object> = {
    chat: { service: 'llm', thresholds: { maxVllmWaitingRequests: 5, maxVllmKvCacheUsage: 0.8 } },
    resnet: { service: 'vision', thresholds: { maxTritonFailureRatio: 0.01 } },
    ranker: { service: 'predict', thresholds: { maxKservePredictP95Seconds: 0.3 } },
  };
  // Each plain model with its own accuracy threshold, so the built-in rows must list them all.
  for (let i = 0; i < plain; i++) models[`plain-${i}`] = { service: 'api', thresholds: { minAccuracy: 0.5 + i / (2 * plain + 2) } };
  return {
    services: {
      api: { discovery: { staticTargets: ['api:8080'] } },
      llm: { discovery: { staticTargets: ['llm:8000'] }, integration: { vllm: { version: '0.11' } } },
      vision: { discovery: { staticTargets: ['vision:8002'] }, integration: { triton: { version: '25.01' } } },
      predict: { discovery: { staticTargets: ['predict:8080'] }, integration: { kserve: { version: '0.14' } } },
    },
    models,
  } as MonitoringConfig;
}

/** The ML-models dashboard's panels, split into the model servers' rows and the built-in ones. */
function panels(config: MonitoringConfig): { servers: Json[]; builtin: Json[] } {
  const file = renderAll(modelOf(config)).find((f) => f.path === 'grafana/dashboards/ml-models.json')!;
  const all = (JSON.parse(file.content).panels as Json[]).filter((p) => p.type !== 'row');
  const isServer = (p: Json) => /^(vLLM|Triton|KServe) /.test(p.title as string);
  return { servers: all.filter(isServer), builtin: all.filter((p) => !isServer(p)) };
}

describe('the model servers\' threshold lines on the ML-models dashboard', () => {
  it('name no model of a service that runs another server, or none', () => {
    const { servers, builtin } = panels(fleet(20));
    expect(servers.map((p) => p.title)).toEqual(expect.arrayContaining(['vLLM requests waiting', 'Triton failed requests ratio', 'KServe predict latency P50 / P95 / P99']));
    for (const p of servers) {
      const overrides = JSON.stringify(p.fieldConfig.overrides);
      expect(overrides, p.title).not.toMatch(/plain-\d+/);
      // vLLM's rows name no Triton or KServe model, and so on.
      if (/^vLLM/.test(p.title)) expect(overrides, p.title).not.toMatch(/resnet|ranker/);
      if (/^Triton/.test(p.title)) expect(overrides, p.title).not.toMatch(/chat|ranker/);
      if (/^KServe/.test(p.title)) expect(overrides, p.title).not.toMatch(/chat|resnet/);
    }
    // The built-in rows still draw every listed model's own line.
    expect(JSON.stringify(builtin.find((p) => p.title === 'Accuracy')!.fieldConfig.overrides)).toContain('plain-19');
  });

  it('still draw the own threshold of a model its server serves', () => {
    const { servers } = panels(fleet(2));
    const overridesOf = (title: string) => JSON.stringify(servers.find((p) => p.title === title)!.fieldConfig.overrides);
    expect(overridesOf('vLLM requests waiting')).toContain('chat');
    expect(overridesOf('Triton failed requests ratio')).toContain('resnet');
    expect(overridesOf('KServe predict latency P50 / P95 / P99')).toContain('ranker');
  });

  it('stay the same size however many models the other services serve', () => {
    const small = panels(fleet(5)).servers;
    const large = panels(fleet(500)).servers;
    expect(large.map((p) => JSON.stringify(p.fieldConfig))).toEqual(small.map((p) => JSON.stringify(p.fieldConfig)));
  });
});
