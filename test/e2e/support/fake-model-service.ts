import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What a model reports; the test changes these to drive alerts. */
export interface ModelState {
  accuracy: number;
  driftScore: number;
  /** The confidence of every prediction from now on, so their mean over a window moves towards it. */
  confidence: number;
}

/** The HTTP traffic the service reports. */
export interface Traffic {
  readonly requestsPerSecond: number;
  /** Share of requests answered with a 500 (0 to 1). */
  readonly errorRatio: number;
}

export interface FakeModelService {
  /** `host:port` of the /metrics endpoint, a static scrape target. */
  readonly target: string;
  /** Sets (part of) a model's reported state; a model appears in the metrics from its first call. */
  setModel(model: string, state: Partial<ModelState>): void;
  setTraffic(traffic: Traffic): void;
  /** The duration of the one HTTP request observed per scrape from now on (0.05s until set). */
  setLatency(seconds: number): void;
  close(): Promise<void>;
}

/**
 * A model-serving process as the seed instruments it (metrics.py, plus the data_drift_score gauge the
 * alerts need), serving /metrics on 127.0.0.1 with values the test controls.
 *
 * Traffic accrues at the configured rate and is booked when Prometheus scrapes: no timer runs, and the rate
 * Prometheus computes is the configured one however late a scrape comes.
 */
export async function startFakeModelService(): Promise<FakeModelService> {
  const registry = new Registry();
  const registers = [registry];
  const httpRequests = new Counter({ name: 'http_requests_total', help: 'Total HTTP requests', labelNames: ['method', 'endpoint', 'status'] as const, registers });
  const httpDuration = new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'endpoint'] as const, registers });
  const predictions = new Counter({ name: 'predictions_total', help: 'Total predictions', labelNames: ['model', 'status'] as const, registers });
  const inferenceDuration = new Histogram({ name: 'model_inference_duration_seconds', help: 'Model inference duration', labelNames: ['model'] as const, registers });
  const accuracy = new Gauge({ name: 'model_accuracy', help: 'Current model accuracy', labelNames: ['model'] as const, registers });
  const driftScore = new Gauge({ name: 'data_drift_score', help: 'Data drift score of the model input (0 = no drift)', labelNames: ['model'] as const, registers });
  const confidence = new Histogram({
    name: 'prediction_confidence', help: 'Prediction confidence distribution', labelNames: ['model'] as const, registers,
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
  });

  const models = new Map<string, ModelState>();
  let traffic: Traffic = { requestsPerSecond: 20, errorRatio: 0 };
  const request = { method: 'POST', endpoint: '/predict' } as const;
  // Both status series exist from the start, as in a service that has answered both before: a 5xx series
  // that appears only with the first error would have no earlier sample for rate() to start from.
  httpRequests.inc({ ...request, status: '200' }, 0);
  httpRequests.inc({ ...request, status: '500' }, 0);

  let lastBooked = performance.now();
  /** Books the requests served since the last booking at the current traffic, before the traffic changes. */
  const bookRequestsUntilNow = (): void => {
    const now = performance.now();
    const requests = (traffic.requestsPerSecond * (now - lastBooked)) / 1000;
    lastBooked = now;
    httpRequests.inc({ ...request, status: '500' }, requests * traffic.errorRatio);
    httpRequests.inc({ ...request, status: '200' }, requests * (1 - traffic.errorRatio));
    for (const model of models.keys()) predictions.inc({ model, status: 'success' }, requests / models.size);
  };
  /** One observation per scrape keeps every histogram's rate defined; latencies stay far below thresholds unless set. */
  let latencySeconds = 0.05;
  const observeOneOfEach = (): void => {
    httpDuration.observe(request, latencySeconds);
    for (const [model, state] of models) {
      inferenceDuration.observe({ model }, 0.02);
      confidence.observe({ model }, state.confidence);
    }
  };

  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    bookRequestsUntilNow();
    observeOneOfEach();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    target: `127.0.0.1:${port}`,
    setModel(model, state) {
      const current = models.get(model) ?? { accuracy: 0.95, driftScore: 0.05, confidence: 0.95 };
      Object.assign(current, state);
      models.set(model, current);
      accuracy.set({ model }, current.accuracy);
      driftScore.set({ model }, current.driftScore);
    },
    setLatency(seconds) {
      latencySeconds = seconds;
    },
    setTraffic(next) {
      bookRequestsUntilNow();
      traffic = next;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
