// A model service instrumented with prom-client, for check-metrics and instrument tests. Serves on 127.0.0.1.
// node prom-client-app.cjs right <compiled module> <port>: the module `mlmon instrument --lang typescript` wrote.
// node prom-client-app.cjs wrong <port>: hand-written metrics with the mistakes check-metrics must report.
const { createServer } = require('node:http');

const [mode, ...rest] = process.argv.slice(2);
let registry;
let port;
if (mode === 'right') {
  const m = require(rest[0]);
  port = Number(rest[1]);
  registry = m.registry;
  m.httpRequestsTotal.labels({ method: 'POST', endpoint: '/predict', status: '200' }).inc();
  m.httpRequestDurationSeconds.labels({ method: 'POST', endpoint: '/predict' }).observe(0.12);
  m.predictionsTotal.labels({ model: 'fraud-detector', status: 'success' }).inc();
  m.modelInferenceDurationSeconds.labels({ model: 'fraud-detector' }).observe(0.05);
  m.modelAccuracy.labels({ model: 'fraud-detector' }).set(0.95);
  m.predictionConfidence.labels({ model: 'fraud-detector' }).observe(0.9);
  m.dataDriftScore.labels({ model: 'fraud-detector' }).set(0.1);
  m.httpActiveConnections.set(2);
} else {
  const { Counter, Gauge, Histogram, Registry } = require('prom-client');
  port = Number(rest[0]);
  registry = new Registry();
  const registers = [registry];
  new Counter({ name: 'http_requests_total', help: 'Total HTTP requests', labelNames: ['method', 'endpoint', 'status'], registers }).labels('POST', '/predict', '200').inc();
  new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'endpoint'], registers }).labels('POST', '/predict').observe(0.1);
  // A gauge where the alerts rate() a counter.
  new Gauge({ name: 'predictions_total', help: 'Total predictions', labelNames: ['model', 'status'], registers }).labels('fraud-detector', 'success').set(5);
  new Gauge({ name: 'model_accuracy', help: 'Current model accuracy', labelNames: ['model'], registers }).labels('fraud-detector').set(0.9);
  // A spelling of the config's fraud-detector that joins with nothing.
  new Histogram({ name: 'prediction_confidence', help: 'Prediction confidence distribution', labelNames: ['model'], registers }).labels('Fraud-Detector').observe(0.9);
  new Gauge({ name: 'data_drift_score', help: 'Data drift score', labelNames: ['model'], registers }).labels('fraud-detector').set(0.1);
  new Gauge({ name: 'http_active_connections', help: 'Open HTTP connections', registers }).set(1);
  // No model_inference_duration_seconds at all.
}

createServer(async (request, response) => {
  response.setHeader('content-type', registry.contentType);
  response.end(await registry.metrics());
}).listen(port, '127.0.0.1');
