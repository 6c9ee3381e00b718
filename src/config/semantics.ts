/**
 * Checks of meaning, run after the shape check passed: references between parts of the config, and secrets.
 */
import { posix } from 'node:path';
import type { Problem } from '../problems.js';
import { configPath } from '../problems.js';
import { checkLogstashValues } from './logstash-semantics.js';
import { gpuConfigProblems } from './gpu-semantics.js';
import { checkGoTemplate, alertmanagerTemplates, prometheusAlertTemplates, type GoTemplateDialect } from '../formats/go-template.js';
import { alertCatalog, generatedAlertNames, type AlertDefinition } from '../catalog/index.js';
import { durationSeconds, secondsDuration } from '../formats/prometheus-duration.js';
import { alertingSecretFiles, alertmanagerSecretMount } from './alerting-secrets.js';
import { configDefaults } from './defaults.js';
import { didYouMean } from './did-you-mean.js';
import { checkKubernetesPlacement } from './kubernetes-semantics.js';
import { durationRangeProblems, unreachableThresholdProblems } from './rule-semantics.js';
import { integrationProblems } from './integration-types.js';
import { activeCatalog, enabledIntegrationAlerts, enabledIntegrations } from '../catalog/integrations/index.js';
import { secretKeyPattern } from './schema.js';
import type { BuiltinAlertName, MonitoringConfig, RouteConfig } from './types.js';

/** An http(s) URL with a host, as Alertmanager's webhook_configs url must be. */
function isHttpUrlWithHost(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function checkConfigMeaning(config: MonitoringConfig): Problem[] {
  const problems: Problem[] = [];
  const receivers = Object.keys(config.alerting?.receivers ?? {});
  const services = Object.keys(config.services ?? {});
  const alertNames = [...generatedAlertNames(), ...(config.rules?.alerts ?? []).map((a) => a.name)];

  const unknownReference = (path: string, kind: string, value: string, known: string[], hint?: string): void => {
    const suggestion = didYouMean(value, known);
    problems.push({
      id: `config/unknown-${kind}`,
      severity: 'error',
      path,
      value,
      message: `${path} names ${kind} ${JSON.stringify(value)}, which is not defined`,
      allowed: known.length ? `one of: ${known.join(', ')}` : `no ${kind}s are defined${hint ? ` (${hint})` : ''}`,
      ...(suggestion ? { hint: `did you mean ${JSON.stringify(suggestion)}?` } : {}),
    });
  };

  // Receivers: the default and every route must point at one that exists.
  const defaultReceiver = config.alerting?.defaultReceiver ?? configDefaults['alerting.defaultReceiver'];
  if (config.alerting?.receivers && !receivers.includes(defaultReceiver)) {
    unknownReference('alerting.defaultReceiver', 'receiver', defaultReceiver, receivers, config.alerting.defaultReceiver ? undefined : `when not set it is ${JSON.stringify(configDefaults['alerting.defaultReceiver'])}`);
  }
  const visitRoutes = (routes: RouteConfig[] | undefined, base: string): void => {
    (routes ?? []).forEach((route, i) => {
      const at = `${base}[${i}]`;
      if (!receivers.includes(route.receiver)) unknownReference(`${at}.receiver`, 'receiver', route.receiver, receivers, 'add it under alerting.receivers');
      const alertnames = route.match?.alertname === undefined ? [] : [route.match.alertname].flat();
      for (const name of alertnames) if (!alertNames.includes(name)) unknownReference(`${at}.match.alertname`, 'alert', name, alertNames);
      visitRoutes(route.routes, `${at}.routes`);
    });
  };
  visitRoutes(config.alerting?.routes, 'alerting.routes');

  // Receivers' integrations need their settings from somewhere.
  for (const [name, receiver] of Object.entries(config.alerting?.receivers ?? {})) {
    const at = configPath(['alerting', 'receivers', name]);
    if (!receiver.email?.length && !receiver.slack?.length && !receiver.pagerduty?.length && !receiver.webhook?.length && name !== defaultReceiver) {
      problems.push({ id: 'config/empty-receiver', severity: 'warning', path: at, message: `receiver ${JSON.stringify(name)} has no integrations, so alerts routed to it are dropped` });
    }
    if (receiver.email?.length && !config.alerting?.smtp) {
      problems.push({ id: 'config/missing-smtp', severity: 'error', path: `${at}.email`, message: `receiver ${JSON.stringify(name)} sends email but alerting.smtp is not set`, hint: 'set alerting.smtp.smarthost and alerting.smtp.from' });
    }
    receiver.slack?.forEach((slack, i) => {
      if (!slack.apiUrlFile && !config.alerting?.slackApiUrlFile) {
        problems.push({ id: 'config/missing-slack-url', severity: 'error', path: `${at}.slack[${i}]`, message: `Slack integration of ${JSON.stringify(name)} has no webhook URL`, hint: 'set apiUrlFile here or alerting.slackApiUrlFile, pointing at a file mounted from a Kubernetes Secret' });
      }
    });
    receiver.webhook?.forEach((hook, i) => {
      if (!hook.url === !hook.urlFile) {
        problems.push({ id: 'config/webhook-url', severity: 'error', path: `${at}.webhook[${i}]`, message: `webhook of ${JSON.stringify(name)} needs exactly one of url or urlFile`, value: hook });
      } else if (typeof hook.url === 'string' && !isHttpUrlWithHost(hook.url)) {
        // Alertmanager refuses the whole config for it ("invalid URL: missing host for URL").
        problems.push({ id: 'config/webhook-url', severity: 'error', path: `${at}.webhook[${i}].url`, value: hook.url, message: `webhook url ${JSON.stringify(hook.url)} of ${JSON.stringify(name)} is not an http(s) URL with a host`, allowed: 'an http:// or https:// URL with a host, e.g. http://alert-bridge:8080/hook' });
      }
    });
  }

  // Services: exactly one discovery; models: served by a known service.
  for (const [name, service] of Object.entries(config.services ?? {})) {
    const d = service.discovery;
    if (!d.kubernetesPods === !d.staticTargets) {
      problems.push({
        id: 'config/discovery', severity: 'error', path: configPath(['services', name, 'discovery']), value: d,
        message: `service ${JSON.stringify(name)} needs exactly one of discovery.kubernetesPods or discovery.staticTargets`,
      });
    }
  }
  const serviceSet = new Set(services);
  // Keys, not entries: a fleet's models object is large, and entries of it cost several times its keys.
  const models = config.models ?? {};
  for (const name of Object.keys(models)) {
    const model = models[name]!;
    if (!serviceSet.has(model.service)) unknownReference(configPath(['models', name, 'service']), 'service', model.service, services, 'add it under services');
  }

  // Custom alerts must not collide with built-ins or each other.
  const seen = new Set<string>(generatedAlertNames());
  (config.rules?.alerts ?? []).forEach((rule, i) => {
    if (seen.has(rule.name)) problems.push({ id: 'config/duplicate-alert', severity: 'error', path: `rules.alerts[${i}].name`, value: rule.name, message: `alert ${rule.name} is already defined`, hint: 'pick another name, or override the built-in under alerts.<Name>' });
    seen.add(rule.name);
  });

  for (const [component, image] of Object.entries(config.kubernetes?.images ?? {})) {
    if (!/:[\w][\w.-]*$/.test(image) || /:latest$/.test(image)) {
      problems.push({ id: 'config/unpinned-image', severity: 'error', path: `kubernetes.images.${component}`, value: image, message: `image ${JSON.stringify(image)} is not pinned to a version`, allowed: 'an image with an explicit tag other than latest, e.g. prom/prometheus:v3.16.0' });
    }
  }

  problems.push(...secretFilesOutsideMount(config));
  problems.push(...checkKubernetesPlacement(config));
  problems.push(...durationRangeProblems(config), ...unreachableThresholdProblems(config));
  problems.push(...userGoTemplateProblems(config));
  problems.push(...alertWindowProblems(config));
  problems.push(...integrationProblems(config.services));
  problems.push(...checkLogstashValues(config));
  problems.push(...gpuConfigProblems(config));
  return problems;
}

/**
 * Fields the user writes as Go templates, which the tool would refuse (Prometheus, when it loads the rules)
 * or fail on (Alertmanager, when it sends a notification): custom alerts' labels, summary and description,
 * and Slack's title and text. Plain values (team names, channels, URLs) are escaped instead, where they are
 * laid out.
 */
function userGoTemplateProblems(config: MonitoringConfig): Problem[] {
  const fields: { segments: (string | number)[]; text: string; dialect: GoTemplateDialect; where: string }[] = [];
  (config.rules?.alerts ?? []).forEach((rule, i) => {
    const where = 'Prometheus expands alert labels and annotations as Go templates and refuses to load a rule whose template does not parse';
    for (const [name, value] of Object.entries(rule.labels ?? {})) fields.push({ segments: ['rules', 'alerts', i, 'labels', name], text: value, dialect: prometheusAlertTemplates, where });
    fields.push({ segments: ['rules', 'alerts', i, 'summary'], text: rule.summary, dialect: prometheusAlertTemplates, where });
    fields.push({ segments: ['rules', 'alerts', i, 'description'], text: rule.description, dialect: prometheusAlertTemplates, where });
  });
  for (const [name, receiver] of Object.entries(config.alerting?.receivers ?? {})) {
    receiver.slack?.forEach((slack, i) => {
      const where = 'Alertmanager executes it as a Go template for every notification, and a template that does not parse makes the notification fail';
      if (slack.title !== undefined) fields.push({ segments: ['alerting', 'receivers', name, 'slack', i, 'title'], text: slack.title, dialect: alertmanagerTemplates, where });
      if (slack.text !== undefined) fields.push({ segments: ['alerting', 'receivers', name, 'slack', i, 'text'], text: slack.text, dialect: alertmanagerTemplates, where });
    });
  }
  const problems: Problem[] = [];
  for (const field of fields) {
    if (typeof field.text !== 'string') continue;
    const error = checkGoTemplate(field.text, field.dialect);
    if (!error) continue;
    const path = configPath(field.segments);
    problems.push({
      id: 'config/go-template', severity: 'error', path, value: field.text,
      message: `${path} is not a valid ${field.dialect.name} template: ${error.message} (at character ${error.offset + 1}); ${field.where}`,
      allowed: `Go template syntax with ${field.dialect.name}'s functions${field.dialect.variables.length ? ` and variables (${field.dialect.variables.join(', ')})` : ''}`,
      hint: `to write "{{" literally, write {{ "{{" }}`,
    });
  }
  return problems;
}

/**
 * Sample counts behind the window rule. Prometheus 3 range selectors are left-open and right-closed
 * (prometheus/docs/migration.md, "Range selectors and lookback delta are now left-open"), so a window of n
 * scrape intervals holds n samples, and n - 1 when one scrape is lost. A function that needs k samples
 * therefore needs a window of at least (k + 1) scrape intervals to survive one lost scrape: rate(),
 * increase(), irate(), delta(), deriv() and the like need 2 samples (3 intervals); the *_over_time functions,
 * changes() and resets() need 1 (2 intervals). The same rule guards PromQL in check/promql-semantics.ts.
 */
export const windowSamplesNeeded = { rate: 2, overTime: 1 } as const;

/** Scrape intervals a window must span for a function needing `samples` samples to survive one lost scrape. */
export function minimumWindowIntervals(samples: number): number {
  return samples + 1;
}

/**
 * Which function family an alert applies to its `window` (the catalog's `windowUse`): the rate family for
 * counters and histograms, `*_over_time` for gauges, none for alerts on a current value (their window is not
 * used; test/check/window-rule.test.ts keeps the catalog in step with the generated expressions).
 */
export function windowFamilyOf(alert: AlertDefinition): keyof typeof windowSamplesNeeded | undefined {
  return alert.windowUse === 'none' ? undefined : alert.windowUse;
}

/**
 * `alerts.<Name>.window` against `prometheus.scrapeInterval`: a window one lost scrape can empty makes the alert
 * go silent (its expression has no result) or resolve and fire again. A default window that is too short for
 * the configured scrape interval is reported on the scrape interval.
 */
function alertWindowProblems(config: MonitoringConfig): Problem[] {
  const problems: Problem[] = [];
  const scrapeInterval = config.prometheus?.scrapeInterval ?? configDefaults['prometheus.scrapeInterval'];
  const scrape = durationSeconds(scrapeInterval);
  if (!(scrape > 0)) return problems;
  // Only the alerts the config generates: an integration no service runs has none; the enabled infrastructure
  // integrations' alerts (the DCGM pack's) are overridden under `alerts` like the built-ins.
  for (const alert of [...activeCatalog(alertCatalog, enabledIntegrations(config.services)), ...enabledIntegrationAlerts(config)]) {
    const name = alert.name as keyof NonNullable<MonitoringConfig['alerts']>;
    const family = windowFamilyOf(alert);
    const override = config.alerts?.[name];
    if (override?.enabled === false) continue;
    if (!family) {
      if (override?.window !== undefined) {
        problems.push({
          id: 'config/unused-window', severity: 'warning', path: configPath(['alerts', name, 'window']), value: override.window,
          message: `alerts.${name}.window is ${override.window}, but ${name} compares the current value of a gauge and takes no window, so the setting has no effect`,
          hint: `remove alerts.${name}.window; to ride out short dips, lengthen alerts.${name}.for instead`,
        });
      }
      continue;
    }
    const window = override?.window ?? alert.defaults.window;
    const needed = windowSamplesNeeded[family];
    const minimum = minimumWindowIntervals(needed) * scrape;
    if (durationSeconds(window) >= minimum) continue;
    const why = `${name} takes ${family === 'rate' ? 'a rate' : 'an *_over_time'} over [${window}], which needs ${needed} sample${needed === 1 ? '' : 's'}; at a ${scrapeInterval} scrape interval the window holds ${Math.floor(durationSeconds(window) / scrape)}, and one lost scrape leaves ${Math.max(0, Math.floor(durationSeconds(window) / scrape) - 1)}`;
    problems.push(override?.window !== undefined
      ? {
          id: 'config/alert-window', severity: 'error', path: configPath(['alerts', name, 'window']), value: window,
          message: `alerts.${name}.window is ${window}: ${why}`,
          allowed: `a window of at least ${secondsDuration(minimum)} (${minimumWindowIntervals(needed)} scrape intervals)`,
        }
      : {
          id: 'config/alert-window', severity: 'error', path: 'prometheus.scrapeInterval', value: scrapeInterval,
          message: `prometheus.scrapeInterval is ${scrapeInterval}, too long for ${name}'s default window: ${why}`,
          allowed: `a scrape interval of at most ${secondsDuration(durationSeconds(window) / minimumWindowIntervals(needed))}, or alerts.${name}.window of at least ${secondsDuration(minimum)}`,
          hint: `set alerts.${name}.window to ${secondsDuration(minimum)} or more`,
        });
  }
  return problems;
}

/**
 * Alertmanager reads every `*File` option from the user's Secret, mounted at one folder. A Secret volume is
 * flat (its keys can't hold `/`), so a file anywhere but directly in that folder would not exist in the pod.
 */
function secretFilesOutsideMount(config: MonitoringConfig): Problem[] {
  const { name: secretName, mountPath } = alertmanagerSecretMount(config.kubernetes);
  // Kubernetes allows only these characters in a Secret key.
  const secretKey = /^[-._a-zA-Z0-9]+$/;
  const problems: Problem[] = [];
  for (const { path, file } of alertingSecretFiles(config.alerting)) {
    const normalized = posix.normalize(file);
    const key = posix.basename(normalized);
    const inMount = posix.dirname(normalized) === mountPath;
    if (inMount && secretKey.test(key)) continue;
    problems.push({
      id: 'config/secret-outside-mount',
      severity: 'error',
      path: configPath(path),
      value: file,
      message: inMount
        ? `${configPath(path)} is ${JSON.stringify(file)}, whose file name ${JSON.stringify(key)} cannot be a key of the Secret ${JSON.stringify(secretName)}`
        : `${configPath(path)} is ${JSON.stringify(file)}, which is not in ${mountPath}, where the Secret ${JSON.stringify(secretName)} is mounted, so Alertmanager would not find it`,
      allowed: `a file directly in ${mountPath} whose name uses only letters, digits, "-", "_" and "."`,
      hint: secretKey.test(key)
        ? `put the value in the Secret ${JSON.stringify(secretName)} under the key ${JSON.stringify(key)} and reference it as ${JSON.stringify(`${mountPath}/${key}`)}, or set kubernetes.alertmanagerSecretMountPath`
        : `rename the file to letters, digits, "-", "_" and "." only, and use that name as its key in the Secret ${JSON.stringify(secretName)}`,
    });
  }
  return problems;
}

// Values that are secrets whatever key they sit under.
const secretValuePatterns: [RegExp, string][] = [
  [/https:\/\/hooks\.slack\.com\/services\/\S+/, 'a Slack webhook URL'],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, 'a URL with a password in it'],
  [/[?&](token|key|secret|api_key|apikey|password)=[^&\s]+/i, 'a URL with a token in its query'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
];

/** A literal secret anywhere in the config: keys that name one (outside `*File`), and values that are one. */
export function findLiteralSecrets(config: unknown): Problem[] {
  const problems: Problem[] = [];
  // One path, pushed and popped on the way down: a fleet's config is tens of thousands of nodes, and a new
  // array for each was most of this check's time. Copied only for a problem.
  const segments: (string | number)[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      for (const [pattern, what] of secretValuePatterns) {
        if (pattern.test(node)) {
          problems.push({
            id: 'config/literal-secret', severity: 'error', path: configPath(segments), value: '<redacted>',
            message: `${configPath(segments)} holds ${what}; mlmon's output is committed to Git and must never contain a secret`,
            hint: 'put the secret in a Kubernetes Secret, mount it, and reference the file with the matching *File option (e.g. urlFile, apiUrlFile, routingKeyFile, authPasswordFile)',
          });
          break;
        }
      }
      return;
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        segments.push(i);
        walk(node[i]);
        segments.pop();
      }
      return;
    }
    if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        const child = (node as Record<string, unknown>)[key];
        if (secretKeyPattern.test(key) && !/file$/i.test(key) && child !== undefined) {
          const fileKey = `${key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}File`;
          const at = configPath([...segments, key]);
          problems.push({
            id: 'config/literal-secret', severity: 'error', path: at, value: '<redacted>',
            message: `${at} is a literal secret; mlmon's output is committed to Git and must never contain one`,
            allowed: `${configPath([...segments, fileKey])}: the path of a file mounted from a Kubernetes Secret`,
            hint: `use ${fileKey} instead`,
          });
          continue;
        }
        segments.push(key);
        walk(child);
        segments.pop();
      }
    }
  };
  walk(config);
  return problems;
}
