// The seed solution's monitoring stack, as one mlmon config. `mlmon generate` turns it into out/.
import { defineConfig } from 'mlmon';

export default defineConfig({
  cluster: 'ml-cluster',
  environment: 'production',
  runbookBaseUrl: 'https://runbooks.example.com/ml-platform',

  prometheus: {
    scrapeInterval: '15s',
    evaluationInterval: '15s',
    alertmanagers: ['alertmanager:9093'],
  },

  infrastructure: {
    team: 'platform',
    // One target per node, found through the pods of the node-exporter DaemonSet; `instance` is the node name.
    nodeExporter: { kubernetes: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'node-exporter' }, port: 9100 } },
    kubernetesNodes: true,
    thresholds: { maxCpuPercent: 80, maxMemoryPercent: 85, minDiskFreePercent: 15 },
    // NVIDIA's dcgm-exporter as the GPU Operator deploys it: one target per GPU node. mlmon writes
    // out/dcgm/counters.csv, the exporter's counters file enabling the ECC and throttling fields the alerts read.
    gpus: {
      dcgm: {
        version: '4.5',
        kubernetes: { namespace: 'gpu-operator', podLabels: { app: 'nvidia-dcgm-exporter' }, port: 9400 },
        thresholds: { warningTemperatureCelsius: 80, criticalTemperatureCelsius: 85 },
      },
    },
  },

  services: {
    'model-api': {
      team: 'ml-platform',
      discovery: { kubernetesPods: { namespaces: ['ml-serving'] } },
      thresholds: { maxErrorRatio: 0.05, maxLatencyP95Seconds: 0.5, minThroughputRps: 1 },
      // 99.9% of requests answered without a 5xx over 30 days, alerted on by error-budget burn rate.
      slos: { availability: { indicator: { kind: 'availability' }, objective: 99.9, window: '30d' } },
      logging: { dropPaths: ['/healthz', '/metrics'] },
    },
    // An LLM served by vLLM: its pods are scraped on vLLM's port 8000, `model_name` becomes `model`, and the
    // vLLM alerts (queue backlog, KV cache, TTFT, preemptions, aborts, prefix cache) watch every model it serves.
    llm: {
      team: 'ml-platform',
      discovery: { kubernetesPods: { namespaces: ['llm-serving'] } },
      integration: { vllm: { version: '0.11' } },
    },
  },

  defaults: {
    team: 'ml-platform',
    modelThresholds: { minAccuracy: 0.85, maxDriftScore: 0.3, maxInferenceLatencyP95Seconds: 1, minMeanConfidence: 0.7 },
    // Every model, listed or not: 99.5% of predictions succeed, and 99% take under 1 s, over 28 days.
    modelSlos: {
      availability: { indicator: { kind: 'availability' }, objective: 99.5 },
      latency: { indicator: { kind: 'latency', thresholdSeconds: 1 }, objective: 99 },
    },
  },

  models: {
    'fraud-detector': {
      service: 'model-api',
      team: 'ml-risk',
      // Fraud decisions are costly when wrong: alert earlier than the fleet default.
      thresholds: { minAccuracy: 0.9, maxInferenceLatencyP95Seconds: 0.3 },
      // A tighter latency objective, on a 250 ms bucket of the inference histogram.
      slos: { latency: { indicator: { kind: 'latency', thresholdSeconds: 0.25 }, objective: 99.5 } },
    },
    'recommendation-engine': {
      service: 'model-api',
      // Recommendations drift with every catalogue change; drift alone is not worth a page here.
      thresholds: { maxDriftScore: false },
    },
    'image-classifier': {
      service: 'model-api',
    },
    'support-assistant': {
      service: 'llm',
      // A chat assistant: users wait for the first token, so hold it to 1 s rather than the 2 s default.
      thresholds: { maxVllmTtftP95Seconds: 1 },
      // vLLM exports neither predictions_total nor model_inference_duration_seconds, which the default SLOs
      // read: its TTFT, queue and KV-cache alerts watch it instead.
      slos: { availability: false, latency: false },
    },
  },

  alerting: {
    defaultReceiver: 'default',
    grouping: { groupBy: ['alertname', 'cluster', 'service', 'model'], groupWait: '10s', groupInterval: '10s', repeatInterval: '12h' },
    resolveTimeout: '5m',
    smtp: {
      smarthost: 'smtp.example.com:587',
      from: 'alertmanager@example.com',
      authUsername: 'alertmanager@example.com',
      authPasswordFile: '/etc/alertmanager/secrets/smtp-password',
    },
    slackApiUrlFile: '/etc/alertmanager/secrets/slack-api-url',
    receivers: {
      default: { email: [{ to: 'ops-team@example.com' }] },
      'slack-warnings': {
        slack: [{ channel: '#ml-alerts', title: 'Warning: {{ .GroupLabels.alertname }}', text: '{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}' }],
      },
      'pagerduty-critical': { pagerduty: [{ routingKeyFile: '/etc/alertmanager/secrets/pagerduty-routing-key' }] },
      'ml-team': { email: [{ to: 'ml-team@example.com' }], slack: [{ channel: '#ml-team' }] },
    },
    routes: [
      { match: { severity: 'critical' }, receiver: 'pagerduty-critical', continue: true },
      { match: { severity: 'warning' }, receiver: 'slack-warnings' },
      { match: { alertname: 'ModelAccuracyDrop' }, receiver: 'ml-team' },
    ],
  },

  logging: { beatsPort: 5044, elasticsearchHosts: ['http://elasticsearch:9200'], indexPrefix: 'ml-logs' },
  kubernetes: { namespace: 'monitoring' },

  // The SLOs also as OpenSLO v1 documents (out/openslo/slos.yaml), for tools that read OpenSLO.
  openslo: true,
});
