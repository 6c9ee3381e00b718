/**
 * A fast-check arbitrary of mlmon configs that mixes valid and broken ones.
 *
 * The base config follows src/config/types.ts field by field, so most generated configs pass the schema and the
 * meaning checks and reach the real tools; the strings in it are hostile wherever the schema lets any text
 * through (names, teams, receivers, channels, summaries…): YAML specials, Go-template and Logstash syntax,
 * PromQL and regex metacharacters, unicode, very long text, leading and trailing spaces. Then zero to three
 * mutations break it the ways people do: a wrong type, a near-miss key, a missing required field, a number or
 * a duration at the edge. References between parts (a model's service, a route's receiver) are drawn as
 * indexes into what was generated, so they stay consistent while values shrink.
 */
import fc from 'fast-check';

/** Strings that another reader may take for something else, or that break a syntax mlmon writes into. */
export const hostileAtoms: readonly string[] = [
  // YAML 1.1 booleans, nulls, numbers, timestamps and sexagesimals; YAML indicators.
  'no', 'No', 'NO', 'yes', 'Yes', 'on', 'Off', 'y', 'Y', 'n', 'N', 'true', 'False', '~', 'null', 'Null', '',
  '1e3', '0x1F', '0o17', '012', '0b101', '.inf', '-.Inf', '.nan', '1_000', '+12', '2001-12-14', '12:30:45', '190:20:30',
  ': ', 'a: b', ':', '#', 'a #b', ' #c', '---', '...', '&a', '*a', '!tag', '!!str', '|', '>', '- ', '?', '%YAML', '@', '`',
  '<<', '"', "'", '\\', '\\n', '"quoted"', "'single'", 'a"b', "a'b", 'a\\"b',
  // Unicode: accents, wide characters, emoji, zero-width and bidi marks, a non-breaking space, line separators.
  'é', 'Straße', '日本語', '🔥', 'a\u200bb', '\u202eabc', '\u00a0', 'x\u2028y', 'ﬁ',
  // Go templates (Prometheus annotations and labels, Alertmanager templates).
  '{{', '}}', '{{ .Labels.job }}', '{{ on-call', '{{/* c */}}', '{{- end }}', '$labels', '$value', '{{ $x := 1 }}',
  // Shell, env and Logstash/Filebeat interpolation.
  '$VAR', '${x}', '${HOME}', '$$', '%{x}', '%{[field]}', '%{+YYYY}',
  // PromQL and regex metacharacters.
  '.*', '(a|b)', '[a-z]+', '\\d', '^$', '=~', '!=', '{job="x"}', 'sum(rate(x[5m]))', 'up == 0', '[5m]', 'offset 1h', '+Inf',
  // Separators and brackets.
  ',', ';', '/', '//', '..', '[', ']', '{', '}', '(', ')', '<', '>', '&', '=', '*', '+', '-', '_',
];

/** Ordinary names, so that a good share of configs are valid and differ only where it matters. */
const plainNames = ['model-api', 'fraud-detector', 'ml-risk', 'platform', 'a', 'svc_1', 'Team X', 'ops'];

const longString = fc.oneof(
  fc.constantFrom(63, 64, 253, 254, 1000, 5000).chain((n) => fc.constantFrom('a', 'x-', 'é', '{{', ' ').map((c) => c.repeat(n).slice(0, Math.max(n, 1)))),
);

/** Any text, hostile most of the time; may hold control characters (which the schema's Name refuses). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileAtoms) },
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom(...hostileAtoms), fc.constantFrom(...plainNames), fc.constantFrom(' ', '  ')), { minLength: 2, maxLength: 4 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.constantFrom(...plainNames) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(' ', '  ', '\t', ''), fc.constantFrom(...plainNames, ...hostileAtoms), fc.constantFrom(' ', '  ', '')).map(([a, b, c]) => `${a}${b}${c}`) },
  { weight: 1, arbitrary: longString },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

/**
 * Text the schema accepts as a `Name` (no control characters, not empty): hostile in every other way. A control
 * character now and then keeps the schema's refusal in the mix.
 */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: hostileString.filter((s) => /^[^\u0000-\u001f\u007f]+$/.test(s)) },
  { weight: 1, arbitrary: hostileString },
);

/** Free text without a pattern (summaries, descriptions, Slack titles): anything at all. */
const freeText = hostileString;

/**
 * `strict` configs draw only what the schema accepts (hostile still, wherever the schema lets it through), so
 * they reach the real tools; `loose` configs draw from both, so most of them end in problems.
 */
export type Mode = 'strict' | 'loose';

// Durations: Prometheus' grammar and its edges (zero, a millisecond, centuries, overflow), then near misses.
// Edges are rare: a `for` of centuries or a 1ms rule interval makes the generated rule tests run for minutes.
const validDuration = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom('15s', '30s', '1m', '5m', '10m', '1h', '1h30m', '2h', '1d', '1w') },
  { weight: 1, arbitrary: fc.constantFrom('0s', '0ms', '1ms', '1s', '999ms', '100y', '292y', '9999999999y', '99999999999999999999s', '1y2w3d4h5m6s7ms', '0m') },
);
// Scrape, evaluation and rule-group intervals: mlmon checks every alert's window against them (one lost scrape
// must not empty a window), so a day-long scrape interval ends every config in problems. Edges stay, rarely.
const validInterval = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('15s', '30s', '1m', '10s', '5s') },
  { weight: 1, arbitrary: fc.constantFrom('0s', '1ms', '1h', '1d', '292y', '99999999999999999999s') },
);
// Alert windows: long enough for the usual intervals, with the same rare edges as any duration.
const validWindow = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom('5m', '10m', '15m', '1h', '3m') },
  { weight: 1, arbitrary: fc.constantFrom('0s', '1ms', '30s', '8d', '100y', '9999999999y') },
);
const brokenDuration = fc.oneof(
  fc.constantFrom('', '5', '5M', '1.5m', '-5m', ' 5m', '5m ', '5 m', '1h1h', '5s1m', 'ms', '1e3s', 'P1D', '5min', 'NaN', '∞', '٥m'),
  hostileString,
);

// Numbers at their edges. JSON has no NaN or Infinity; the YAML config files carry them (.nan, .inf).
const edgeNumber = fc.constantFrom(0, -0, -1, 1, 1.0000001, 0.9999999, 100, 100.5, 1e21, -1e21, 1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity, 65535, 65536);
const wrongTypeNumber = fc.constantFrom<unknown>('0.5', '1e3', 'NaN', 'Infinity', null, true, [], {}, '');

/** The arbitraries of every constrained kind of value, for one mode. */
function valuesFor(mode: Mode) {
  const pick = <T, U>(valid: fc.Arbitrary<T>, broken: fc.Arbitrary<U>, brokenWeight = 1): fc.Arbitrary<T | U> =>
    mode === 'strict' ? valid : fc.oneof({ weight: 6, arbitrary: valid }, { weight: brokenWeight, arbitrary: broken });
  const brokenNumber = fc.oneof(edgeNumber, wrongTypeNumber);
  // 0 is an edge too: as a minimum it can never fire (config/unreachable-threshold), so it is rare.
  const ratio = pick(fc.oneof({ weight: 60, arbitrary: fc.oneof(fc.constantFrom(1, 0.5, 0.85, 0.05, 5e-324), fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true })) }, { weight: 1, arbitrary: fc.constantFrom(0, -0) }), brokenNumber);
  const seconds = pick(fc.oneof(fc.constantFrom(0, 0.001, 0.5, 1, 30, 3600, 1e21, 1e308, 5e-324), fc.double({ min: 0, max: 1e6, noNaN: true })), brokenNumber);
  const orFalse = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(false as const) });
  return {
    name: mode === 'strict' ? hostileString.filter((s) => /^[^\u0000-\u001f\u007f]+$/.test(s)) : hostileName,
    duration: pick(validDuration, brokenDuration),
    interval: pick(validInterval, brokenDuration),
    window: pick(validWindow, brokenDuration),
    ratioOrFalse: orFalse(ratio),
    secondsOrFalse: orFalse(seconds),
    percentage: pick(fc.oneof(fc.constantFrom(100, 80, 0.001, 50.5, 5e-324), fc.double({ min: 0.001, max: 100, noNaN: true })), brokenNumber),
    // `__` names are Prometheus' own (config/reserved-label on a rule): only broken configs draw them.
    labelName: pick(fc.constantFrom('severity', 'team', 'model', 'service', 'alertname', 'cluster', 'instance', 'job', 'env', '_x', 'a1', 'le', 'quantile'), fc.constantFrom('1a', 'a-b', 'a.b', '', 'é', 'a b', '__name__', '__meta_x')),
    metricName: pick(fc.constantFrom('my_metric_total', 'job:requests:rate5m', 'x', '_y', 'a:b:c', 'no', 'NaN', 'Inf', 'on', 'by', 'sum'), fc.constantFrom('1x', 'a-b', '', 'a b', 'up{}')),
    hostPort: pick(
      fc.constantFrom('node-exporter:9100', 'alertmanager:9093', 'a:1', '10.0.0.1:65535', 'host.example.com:80', 'h:0', 'h:99999', 'h:65536', '[::1]:9090', 'no:9100', 'on:80', 'h:00080', '{{x}}:80', '%{x}:1', '$HOST:1', 'a#b:1', 'é:1', '*a:1', '&a:1', '!x:1', '"h":1', "'h':1", 'h\\x:1'),
      fc.constantFrom('h', ':80', 'h:', 'a b:1', 'http://h:80', 'h/x:1', ''),
    ),
    secretKey: pick(fc.constantFrom('slack-url', 'pd_key', 'smtp.password', 'a', 'no', 'ON', '1e3', '...x', '012', '-', '_'), fc.constantFrom('a b', '{{x}}', 'é', 'sub/dir', '..', '')),
    secretMount: pick(fc.constantFrom('/etc/alertmanager/secrets', '/s', '/etc/am/', '/no', '/a b', '/etc/{{x}}', '/é', '/#x', '//x'), fc.constantFrom('relative', '', 'x/')),
    severity: pick(fc.constantFrom('critical', 'warning', 'info'), fc.constantFrom('Critical', 'page', '', 'no')),
    promqlExpr: pick(fc.constantFrom('up == 0', 'sum by (job) (rate(http_requests_total[5m])) > 1', 'vector(1)', 'absent(up)', 'model_accuracy < 0.5', 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'), hostileString),
    kubernetesNamespace: pick(fc.constantFrom('monitoring', 'no', 'yes', 'on', 'off', 'y', 'n', 'true', 'null', '0x1f', '012', '123', '1e3', 'a', 'a-b', 'x'.repeat(63)), fc.constantFrom('x'.repeat(64), 'A', '-a', 'a_b', '', 'a.b', 'No')),
    kubernetesName: pick(fc.constantFrom('monitoring', 'no', 'yes', 'on', 'off', 'y', 'n', 'true', 'null', '1e3', '0x1f', '012', '123', 'a', 'a-b', 'a.b', 'x'.repeat(63), '10'), fc.constantFrom('x'.repeat(64), 'A', '-a', 'a_b', '', 'a..b', 'No')),
    quantity: pick(fc.constantFrom('1', '250m', '512Mi', '2Gi', '0', '0.5', '1E', '100k', '012', '99999999999999999999'), fc.constantFrom('1e3', '1.', '-1', '1gi', 'lots', '', '1 Gi', '0x10')),
    image: pick(fc.constantFrom('prom/prometheus:v3.16.0', 'registry.local:5000/a/b:1.0', 'img:no', 'img:1e3', 'img:yes', 'img:012', 'img:1_0', `a@sha256:${'a'.repeat(64)}:v1`), fc.constantFrom('img', 'img:latest', 'img:', ':v1', 'img:{{x}}', 'IMG:v1', 'img:v1 ')),
    // `uri` fields (runbookBaseUrl, grafana.prometheusUrl) refuse braces; Elasticsearch hosts are any text.
    url: pick(fc.constantFrom('http://prometheus:9090', 'https://runbooks.example.com/x', 'http://h/a%20b', 'http://no:80/', 'http://[::1]:9090', 'http://h/#x', "http://h/a'b", 'http://h/a$b', 'http://h/~y', 'http://1e3:80'), fc.constantFrom('not a url', 'h:80', '', 'http://', 'https://u:p@h/', 'http://h/x?token=abc', 'https://h/{{x}}', 'http://h/?q=%{x}', 'http://h/${x}')),
    elasticsearchHost: pick(fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('http://elasticsearch:9200', 'https://es.example.com', 'http://no:9200', 'http://h/a%20b', 'http://[::1]:9200', 'es:9200', 'http://h/#x', "http://h/a'b", 'http://h/"x"') },
      { weight: 1, arbitrary: fc.constantFrom('http://h/${x}', 'http://h/%{x}', 'http://h/{{x}}') },
    ), fc.constantFrom('', 'https://u:p@h/', 'http://h/x?token=abc')),
    requestPath: pick(hostileString.filter((s) => /^[^\u0000-\u001f\u007f]*$/.test(s)).map((s) => `/${s}`), hostileString),
    logField: pick(fc.constantFrom('message', 'timestamp', 'path', '[http][path]', 'no', '@timestamp', '%{x}', '{{x}}', 'a b', 'é', '"', "'", '\\', 'a#b', '$x', '${x}', '[a b][c]', '["]', ' x ', 'x'.repeat(300)), fc.constantFrom('[a', 'a,b', '[]', '', 'a]b', '[a][b')),
    indexPrefix: pick(fc.constantFrom('ml-logs', 'no', 'on', '1e3', 'a.b_c-d', 'x'.repeat(200), '012', 'y'), fc.constantFrom('%{x}', 'A', '-a', '')),
    serviceLabel: pick(fc.constantFrom('app', 'no', 'app.kubernetes.io/name', 'example.com/x_y', 'ON', '1', 'a.b', 'y'), fc.constantFrom('a/b/c', '-a', '', 'a b', '{{x}}')),
    beatsPort: pick(fc.constantFrom(5044, 1, 65535, 80), fc.constantFrom(0, 65536, 5044.5, -1, '5044')),
    alertName: pick(fc.constantFrom('MyAlert', 'No', 'Yes', 'On', 'X', 'A1b2', 'Y', 'N', 'True', 'Null', 'NaN', 'Inf'), fc.constantFrom('ServiceDown', 'my-alert', 'a', '')),
  };
}

const optional = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });

/** Drops the keys whose value is undefined, so that JSON and the schema see them as absent. */
function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const builtinAlerts = ['HighCPUUsage', 'HighMemoryUsage', 'DiskSpaceLow', 'ServiceDown', 'HighErrorRate', 'HighLatency', 'LowThroughput', 'ModelAccuracyDrop', 'DataDriftDetected', 'HighInferenceLatency', 'LowPredictionConfidence'];

function baseConfig(mode: Mode) {
  const v = valuesFor(mode);
  const strict = mode === 'strict';
  const thresholdsArb = {
  model: fc.record({ minAccuracy: v.ratioOrFalse, maxDriftScore: v.ratioOrFalse, maxInferenceLatencyP95Seconds: v.secondsOrFalse, minMeanConfidence: v.ratioOrFalse }, { requiredKeys: [] }),
  service: fc.record({ maxErrorRatio: v.ratioOrFalse, maxLatencyP95Seconds: v.secondsOrFalse, minThroughputRps: v.secondsOrFalse }, { requiredKeys: [] }),
};


  return fc.record({
  cluster: optional(v.name),
  environment: optional(v.name),
  runbookBaseUrl: optional(v.url, 4),
  prometheus: optional(fc.record({
    scrapeInterval: v.interval, evaluationInterval: v.interval, ruleGroupInterval: v.interval,
    alertmanagers: fc.array(v.hostPort, { minLength: 1, maxLength: 2 }), retention: v.duration, storageSize: v.quantity,
  }, { requiredKeys: [] })),
  infrastructure: optional(fc.record({
    team: v.name,
    nodeExporterTargets: fc.array(v.hostPort, { maxLength: 2 }),
    kubernetesNodes: fc.boolean(),
    thresholds: fc.record({ maxCpuPercent: v.percentage, maxMemoryPercent: v.percentage, minDiskFreePercent: v.percentage }, { requiredKeys: [] }),
  }, { requiredKeys: [] })),
  services: fc.array(fc.tuple(v.name, fc.record({
    team: optional(v.name),
    pods: fc.boolean(),
    namespaces: fc.array(v.name, { minLength: 1, maxLength: 2 }),
    targets: fc.array(v.hostPort, { minLength: 1, maxLength: 2 }),
    thresholds: optional(thresholdsArb.service),
    logging: optional(fc.record({ jsonField: v.logField, timestampField: v.logField, pathField: v.logField, dropPaths: fc.array(v.requestPath, { maxLength: 2 }) }, { requiredKeys: [] })),
  })), { maxLength: 2 }),
  models: fc.array(fc.tuple(v.name, fc.record({ service: fc.nat(), team: optional(v.name), thresholds: optional(thresholdsArb.model) })), { maxLength: 3 }),
  defaults: optional(fc.record({ team: v.name, modelThresholds: thresholdsArb.model, serviceThresholds: thresholdsArb.service }, { requiredKeys: [] })),
  alerts: optional(fc.array(fc.tuple(fc.constantFrom(...builtinAlerts), fc.record({ severity: v.severity, for: v.duration, window: v.window, enabled: fc.boolean() }, { requiredKeys: [] })), { maxLength: 3 })),
  alerting: optional(fc.record({
    defaultReceiver: fc.nat(),
    receivers: fc.array(fc.tuple(v.name, fc.record({
      email: fc.array(fc.record({ to: hostileString, sendResolved: optional(fc.boolean()) }), { maxLength: 1 }),
      slack: fc.array(fc.record({ channel: hostileString, title: optional(freeText), text: optional(freeText), ownUrl: fc.boolean(), sendResolved: optional(fc.boolean()) }), { maxLength: 1 }),
      pagerduty: fc.array(fc.record({ sendResolved: optional(fc.boolean()) }), { maxLength: 1 }),
      webhook: fc.array(fc.oneof(fc.record({ url: v.url }), fc.constant({ urlFile: true })), { maxLength: 1 }),
    }, { requiredKeys: [] })), { minLength: 1, maxLength: 3 }),
    routes: fc.array(fc.record({
      receiver: fc.nat(),
      severity: optional(fc.oneof(v.severity, fc.array(v.severity, { minLength: 1, maxLength: 2 }))),
      team: optional(fc.oneof(v.name, fc.array(v.name, { minLength: 1, maxLength: 2 }))),
      alertname: optional(fc.constantFrom(...builtinAlerts)),
      labels: optional(fc.dictionary(v.labelName, hostileString, { maxKeys: 2 })),
      continue: optional(fc.boolean()),
      groupBy: optional(fc.array(v.labelName, { maxLength: 2 })),
    }), { maxLength: 3 }),
    grouping: optional(fc.record({ groupBy: fc.array(v.labelName, { maxLength: 3 }), groupWait: v.duration, groupInterval: v.duration, repeatInterval: v.duration }, { requiredKeys: [] })),
    resolveTimeout: optional(v.duration),
    // A strict config always has SMTP settings, which its email receivers need.
    smtp: (() => { const smtp = fc.record({ smarthost: v.hostPort, from: hostileString, authUsername: optional(hostileString), authPassword: fc.boolean(), requireTls: optional(fc.boolean()) }); return strict ? smtp : optional(smtp, 4); })(),
    slackUrl: fc.boolean(),
    inhibitRules: optional(fc.array(fc.record({
      source: fc.dictionary(v.labelName, hostileString, { maxKeys: 2 }),
      target: fc.dictionary(v.labelName, hostileString, { maxKeys: 2 }),
      equal: fc.array(v.labelName, { minLength: 1, maxLength: 2 }),
    }), { maxLength: 2 })),
  })),
  rules: optional(fc.record({
    alerts: fc.uniqueArray(fc.record({
      name: v.alertName,
      expr: v.promqlExpr, for: optional(v.duration), severity: optional(v.severity), team: optional(v.name),
      labels: optional(fc.dictionary(v.labelName, hostileString, { maxKeys: 2 })), summary: freeText, description: freeText,
    }), { maxLength: 2, selector: (rule) => (strict ? rule.name : rule) }),
    recording: fc.array(fc.record({ record: v.metricName, expr: v.promqlExpr, labels: optional(fc.dictionary(v.labelName, hostileString, { maxKeys: 2 })) }), { maxLength: 1 }),
  }, { requiredKeys: [] }), 4),
  metrics: optional(fc.array(fc.record({ name: v.metricName, type: fc.constantFrom('counter', 'gauge', 'histogram', 'summary'), labels: optional(fc.array(v.labelName, { maxLength: 2 })), help: optional(freeText) }), { maxLength: 2 }), 4),
  logging: optional(fc.record({
    beatsPort: v.beatsPort,
    elasticsearchHosts: fc.array(v.elasticsearchHost, { minLength: 1, maxLength: 2 }),
    indexPrefix: v.indexPrefix,
    serviceLabel: v.serviceLabel,
    logstashHost: v.hostPort,
  }, { requiredKeys: [] })),
  kubernetes: optional(fc.record({
    namespace: v.kubernetesNamespace,
    images: fc.record({ prometheus: v.image, alertmanager: v.image, grafana: v.image, logstash: v.image, filebeat: v.image }, { requiredKeys: [] }),
    resources: fc.record({
      prometheus: fc.record({ requests: fc.record({ cpu: v.quantity, memory: v.quantity }, { requiredKeys: [] }), limits: fc.record({ cpu: v.quantity, memory: v.quantity }, { requiredKeys: [] }) }, { requiredKeys: [] }),
      filebeat: fc.record({ requests: fc.record({ cpu: v.quantity, memory: v.quantity }, { requiredKeys: [] }) }, { requiredKeys: [] }),
    }, { requiredKeys: [] }),
    alertmanagerSecretName: v.kubernetesName,
    alertmanagerSecretMountPath: v.secretMount,
    grafanaAdminSecretName: v.kubernetesName,
    elasticsearchSecretName: v.kubernetesName,
  }, { requiredKeys: [] })),
  grafana: optional(fc.record({ perModelDashboards: fc.boolean(), prometheusUrl: v.url, folder: v.name }, { requiredKeys: [] })),
  // Secret files are drawn late so they sit in the mount path the config ends up with.
  secretKeys: fc.array(v.secretKey, { minLength: 4, maxLength: 4 }),
  });
}

type Base = ReturnType<typeof baseConfig> extends fc.Arbitrary<infer T> ? T : never;

/** Lays the drawn parts out as a config, resolving the index references. */
function assemble(base: Base, mode: Mode): Record<string, unknown> {
  const strict = mode === 'strict';
  const services = base.services.map(([name, s]) => [name, compact({
    team: s.team,
    discovery: s.pods ? { kubernetesPods: { namespaces: s.namespaces } } : { staticTargets: s.targets },
    thresholds: s.thresholds, logging: s.logging,
  })] as const);
  const serviceNames = services.map(([name]) => name);
  // A strict config lists models only when there is a service to serve them.
  const models = (strict && serviceNames.length === 0 ? [] : base.models).map(([name, m]) => [name, compact({
    // A model whose config names no service (none were drawn) still names one: the meaning check reports it.
    service: serviceNames.length ? serviceNames[m.service % serviceNames.length] : 'model-api',
    team: m.team, thresholds: m.thresholds,
  })] as const);
  const mount = (typeof base.kubernetes?.alertmanagerSecretMountPath === 'string' ? base.kubernetes.alertmanagerSecretMountPath : '/etc/alertmanager/secrets');
  const [slackKey, pdKey, smtpKey, hookKey] = base.secretKeys.map((key) => `${mount.replace(/\/+$/, '')}/${key}`);
  let alerting: Record<string, unknown> | undefined;
  if (base.alerting) {
    const a = base.alerting;
    const receiverNames = [...new Set(a.receivers.map(([name]) => name))];
    const receivers = Object.fromEntries(a.receivers.map(([name, r]) => [name, compact({
      email: r.email?.length ? r.email.map((e) => compact(e)) : undefined,
      slack: r.slack?.length ? r.slack.map(({ ownUrl, ...s }) => compact({ ...s, apiUrlFile: ownUrl || (strict && !a.slackUrl) ? slackKey : undefined })) : undefined,
      pagerduty: r.pagerduty?.length ? r.pagerduty.map((p) => compact({ routingKeyFile: pdKey, ...p })) : undefined,
      webhook: r.webhook?.length ? r.webhook.map((w) => ('url' in w ? { url: w.url } : { urlFile: hookKey })) : undefined,
    })]));
    alerting = compact({
      defaultReceiver: receiverNames[a.defaultReceiver % receiverNames.length],
      receivers,
      routes: a.routes.length ? a.routes.map((r) => compact({
        receiver: receiverNames[r.receiver % receiverNames.length],
        match: r.severity || r.team || r.alertname || r.labels ? compact({ severity: r.severity, team: r.team, alertname: r.alertname, labels: r.labels }) : undefined,
        continue: r.continue, groupBy: r.groupBy,
      })) : undefined,
      grouping: a.grouping, resolveTimeout: a.resolveTimeout,
      smtp: a.smtp ? compact({ smarthost: a.smtp.smarthost, from: a.smtp.from, authUsername: a.smtp.authUsername, authPasswordFile: a.smtp.authPassword ? smtpKey : undefined, requireTls: a.smtp.requireTls }) : undefined,
      slackApiUrlFile: a.slackUrl ? slackKey : undefined,
      inhibitRules: a.inhibitRules,
    });
  }
  return compact({
    cluster: base.cluster, environment: base.environment, runbookBaseUrl: base.runbookBaseUrl,
    prometheus: base.prometheus, infrastructure: base.infrastructure,
    services: Object.fromEntries(services), models: Object.fromEntries(models),
    defaults: base.defaults, alerts: base.alerts ? Object.fromEntries(base.alerts) : undefined,
    alerting, rules: base.rules, metrics: base.metrics, logging: base.logging, kubernetes: base.kubernetes, grafana: base.grafana,
  });
}

/** One way a person breaks a config. `at` picks the place among all places in the config (modulo their count). */
export type Mutation =
  | { readonly kind: 'wrong-type'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'near-miss-key'; readonly at: number; readonly typo: number }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'edge-number'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'hostile-string'; readonly at: number; readonly value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('wrong-type' as const), at: fc.nat(), value: fc.constantFrom<unknown>(null, true, 0, -1, 'x', '', [], {}, ['a'], { a: 1 }, 1e21) }),
  fc.record({ kind: fc.constant('near-miss-key' as const), at: fc.nat(), typo: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('edge-number' as const), at: fc.nat(), value: edgeNumber }),
  fc.record({ kind: fc.constant('hostile-string' as const), at: fc.nat(), value: hostileString }),
);

type Place = { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown };

function placesOf(node: unknown): Place[] {
  const places: Place[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach((child, i) => { places.push({ parent: value, key: i, value: child }); walk(child); });
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) { places.push({ parent: value as Record<string, unknown>, key, value: child }); walk(child); }
    }
  };
  walk(node);
  return places;
}

/** A near miss of a key: a dropped, doubled or swapped letter, another case, a plural, a space. */
function typoOf(key: string, n: number): string {
  const i = key.length ? n % key.length : 0;
  const typos = [
    key.slice(0, i) + key.slice(i + 1),
    key.slice(0, i) + key[i] + key.slice(i),
    key.slice(0, i) + (key[i + 1] ?? '') + (key[i] ?? '') + key.slice(i + 2),
    key.toLowerCase() === key ? key.toUpperCase() : key.toLowerCase(),
    `${key}s`,
    ` ${key}`,
    key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
  ];
  const typo = typos[Math.floor(n / Math.max(key.length, 1)) % typos.length]!;
  return typo === key ? `${key}x` : typo;
}

/** Applies the mutations to a copy of the config. */
export function applyMutations(config: Record<string, unknown>, mutations: readonly Mutation[]): Record<string, unknown> {
  const copy = structuredClone(config);
  for (const m of mutations) {
    const places = placesOf(copy);
    if (places.length === 0) continue;
    const place = places[m.at % places.length]!;
    const parent = place.parent as Record<string | number, unknown>;
    switch (m.kind) {
      case 'wrong-type': parent[place.key] = structuredClone(m.value); break;
      case 'edge-number': parent[place.key] = m.value; break;
      case 'hostile-string': parent[place.key] = m.value; break;
      case 'delete':
        if (Array.isArray(place.parent)) place.parent.splice(place.key as number, 1);
        else delete parent[place.key];
        break;
      case 'near-miss-key': {
        if (Array.isArray(place.parent)) break;
        const key = place.key as string;
        const value = parent[key];
        delete parent[key];
        parent[typoOf(key, m.typo)] = value;
        break;
      }
    }
  }
  return copy;
}

/** How a config reaches mlmon: a JSON file, or a YAML file (which can carry NaN, Infinity and -0). */
export type ConfigFormat = 'json' | 'yaml';

export interface FuzzCase {
  readonly config: Record<string, unknown>;
  readonly format: ConfigFormat;
  readonly mode: Mode;
  readonly mutations: readonly Mutation[];
}

const format = fc.oneof({ weight: 4, arbitrary: fc.constant<ConfigFormat>('json') }, { weight: 1, arbitrary: fc.constant<ConfigFormat>('yaml') });

/**
 * The arbitrary the fuzz test runs: three in five configs are strict and left as drawn (nearly all of them
 * reach the real tools), the other half loose, most with one to three mutations (nearly all end in problems).
 */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  // Strict configs weigh more: a third of them end in problems anyway (hostile values mlmon refuses on purpose),
  // and the run must keep reaching the tools well above its floor whatever the seed.
  { weight: 3, arbitrary: fc.record({ base: baseConfig('strict').map((b) => assemble(b, 'strict')), format })
    .map(({ base, format }): FuzzCase => ({ config: base, format, mode: 'strict', mutations: [] })) },
  { weight: 2, arbitrary: fc.record({
    base: baseConfig('loose').map((b) => assemble(b, 'loose')),
    mutations: fc.oneof({ weight: 1, arbitrary: fc.constant([] as Mutation[]) }, { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
    format,
  }).map(({ base, mutations, format }): FuzzCase => ({ config: applyMutations(base, mutations), format, mode: 'loose', mutations })) },
);
