/** A fixture integration in the shape of src/catalog/integrations/integration.ts, for the contract's integration paths. */
import type { IntegrationDefinition } from '../../src/catalog/integrations/integration.js';

/** A fake vLLM: 0.6 exports the cache usage as `vllm:gpu_cache_usage_perc`, 0.10 renamed it. */
export const fakeVllm: IntegrationDefinition = {
  name: 'vllm',
  scope: 'service',
  versions: ['0.6', '0.11'],
  metrics: {
    '0.6': [
      { name: 'vllm:num_requests_waiting', type: 'gauge', labels: ['model_name'], help: 'waiting', unit: 'requests', source: 'test' },
      { name: 'vllm:gpu_cache_usage_perc', type: 'gauge', labels: ['model_name'], help: 'cache', unit: 'ratio', source: 'test' },
    ],
    '0.11': [
      { name: 'vllm:num_requests_waiting', type: 'gauge', labels: ['model_name'], help: 'waiting', unit: 'requests', source: 'test' },
      { name: 'vllm:kv_cache_usage_perc', type: 'gauge', labels: ['model_name'], help: 'cache', unit: 'ratio', source: 'test' },
      { name: 'vllm:time_to_first_token_seconds', type: 'histogram', labels: ['model_name'], help: 'ttft', unit: 'seconds', source: 'test', buckets: [0.1, 0.5, 2.5] },
    ],
  },
  renames: [{ from: 'vllm:gpu_cache_usage_perc', to: 'vllm:kv_cache_usage_perc', inVersion: '0.10', source: 'https://example.test/vllm-metrics' }],
  scrape: { port: 8000, path: '/metrics', modelLabels: ['model_name'], modelLabelFrom: 'model_name', modelPresence: 'vllm:num_requests_waiting' },
  alerts: [],
};

