"""A model service instrumented with Debian's prometheus_client, for check-metrics and instrument tests.

python_app.py right <module dir> <port>: the module `mlmon instrument --lang python` wrote, observed once per metric.
python_app.py wrong <port>: a hand-written metrics.py like the seed's, with the mistakes check-metrics must report.
Serves on 127.0.0.1 only, until killed.
"""
import sys
import time

mode = sys.argv[1]
if mode == "right":
    sys.path.insert(0, sys.argv[2])
    port = int(sys.argv[3])
    import mlmon_metrics as m

    m.HTTP_REQUESTS_TOTAL.labels(method="POST", endpoint="/predict", status="200").inc()
    m.HTTP_REQUEST_DURATION_SECONDS.labels(method="POST", endpoint="/predict").observe(0.12)
    m.PREDICTIONS_TOTAL.labels(model="fraud-detector", status="success").inc()
    m.MODEL_INFERENCE_DURATION_SECONDS.labels(model="fraud-detector").observe(0.05)
    m.MODEL_ACCURACY.labels(model="fraud-detector").set(0.95)
    m.PREDICTION_CONFIDENCE.labels(model="fraud-detector").observe(0.9)
    # Above the example's maxDriftScore (0.3): the live test waits for DataDriftDetected.
    m.DATA_DRIFT_SCORE.labels(model="fraud-detector").set(0.8)
    m.HTTP_ACTIVE_CONNECTIONS.set(3)
    m.start_metrics_server(port, addr="127.0.0.1")
else:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

    port = int(sys.argv[2])
    registry = CollectorRegistry()
    Counter("http_requests_total", "Total HTTP requests", ["method", "endpoint", "status"], registry=registry).labels("POST", "/predict", "200").inc()
    Histogram("http_request_duration_seconds", "HTTP request duration", ["method", "endpoint"], registry=registry).labels("POST", "/predict").observe(0.1)
    # An empty model label: the series drops out of every per-model join.
    Counter("predictions_total", "Total predictions", ["model", "status"], registry=registry).labels("", "success").inc()
    # Buckets without 0.25 and 1 (the example's latency SLOs) and all below the 1 s p95 threshold.
    Histogram("model_inference_duration_seconds", "Model inference duration", ["model"], buckets=(0.1, 0.5), registry=registry).labels("fraud-detector").observe(0.05)
    # `model_name`, not `model`.
    Gauge("model_accuracy", "Current model accuracy", ["model_name"], registry=registry).labels("fraud-detector").set(0.9)
    Histogram("prediction_confidence", "Prediction confidence distribution", ["model"], registry=registry).labels("fraud-detector").observe(0.9)
    Gauge("http_active_connections", "Open HTTP connections", registry=registry).set(1)
    # No data_drift_score: the seed's metrics.py forgot it too.
    start_http_server(port, addr="127.0.0.1", registry=registry)

while True:
    time.sleep(3600)
