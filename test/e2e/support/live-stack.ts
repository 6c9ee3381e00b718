import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MonitoringConfig } from '../../../src/config/types.js';
import { generateInMemory } from '../../../src/pipeline.js';
import { scratchDir } from '../../support/fixtures.js';
import { tool } from '../../support/tools.js';
import { freeLoopbackPort } from './free-port.js';
import { startProcess, type RunningProcess } from './processes.js';
import { waitFor } from './waiting.js';
import type { WebhookReceiver } from './webhook-receiver.js';

export type Labels = Readonly<Record<string, string>>;

/** An alert as Prometheus' /api/v1/alerts lists it. */
export interface PrometheusAlert {
  readonly labels: Labels;
  readonly state: 'pending' | 'firing';
  readonly value: string;
}

/** An alert as Alertmanager's /api/v2/alerts lists it. */
export interface AlertmanagerAlert {
  readonly labels: Labels;
  readonly fingerprint: string;
  readonly receivers: readonly { name: string }[];
  readonly status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: readonly string[]; silencedBy: readonly string[] };
}

export interface PrometheusRule {
  readonly name: string;
  readonly type: 'alerting' | 'recording';
  readonly health: 'ok' | 'err' | 'unknown';
  readonly lastError?: string;
}

export interface PrometheusTarget {
  readonly labels: Labels;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

export interface LiveStack {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** Paths of the files mlmon generated, relative to its out/ folder. */
  readonly generatedFiles: readonly string[];
  prometheusAlerts(): Promise<PrometheusAlert[]>;
  prometheusRules(): Promise<PrometheusRule[]>;
  prometheusTargets(): Promise<PrometheusTarget[]>;
  alertmanagerAlerts(): Promise<AlertmanagerAlert[]>;
  /** An instant PromQL query: each result's labels and value. */
  query(expr: string): Promise<{ labels: Labels; value: number }[]>;
  /** What Prometheus, Alertmanager and the webhook receiver see now, and the tools' last log lines. */
  describeState(): Promise<string>;
  /** Stops both tools (waiting for them to exit) and removes the scratch folder. */
  stop(): Promise<void>;
}

export interface LiveStackOptions {
  /** The mlmon config to generate from, given the `host:port` the stack's Alertmanager will listen on. */
  readonly config: (alertmanagerTarget: string) => MonitoringConfig;
  readonly webhook: WebhookReceiver;
  /**
   * Runs after the files are generated and before either tool starts, e.g. to backfill history into
   * Prometheus' (still empty) data folder.
   */
  readonly beforeStart?: (paths: { readonly outDir: string; readonly prometheusDataDir: string }) => Promise<void> | void;
}

/**
 * Generates the monitoring stack from a config with mlmon's own pipeline, then runs the pinned upstream
 * Prometheus and Alertmanager on it, on 127.0.0.1 only, exactly as generated: the only things passed on
 * the command line are where to listen and store, and how often to resend alerts.
 */
export async function startLiveStack(options: LiveStackOptions): Promise<LiveStack> {
  const scratch = scratchDir('mlmon-e2e-');
  const processes: RunningProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p.stop()));
    scratch.cleanup();
  };
  try {
    const [prometheusPort, alertmanagerPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    const alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;

    writeFileSync(join(scratch.dir, 'monitoring.config.json'), JSON.stringify(options.config(`127.0.0.1:${alertmanagerPort}`), null, 2));
    const generated = await generateInMemory({ cwd: scratch.dir });
    const outDir = join(scratch.dir, 'out');
    for (const file of generated.files) {
      mkdirSync(dirname(join(outDir, file.path)), { recursive: true });
      writeFileSync(join(outDir, file.path), file.content);
    }
    const prometheusDataDir = join(scratch.dir, 'prometheus-data');
    await options.beforeStart?.({ outDir, prometheusDataDir });

    const alertmanager = startProcess('alertmanager', tool('alertmanager'), [
      `--config.file=${join(outDir, 'alertmanager/alertmanager.yml')}`,
      `--storage.path=${join(scratch.dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
      // Empty disables clustering; otherwise Alertmanager gossips on 0.0.0.0:9094.
      '--cluster.listen-address=',
    ], { cwd: scratch.dir });
    processes.push(alertmanager);
    const prometheus = startProcess('prometheus', tool('prometheus'), [
      // rule_files in the generated prometheus.yml are relative to it, as they are in the real deployment.
      `--config.file=${join(outDir, 'prometheus/prometheus.yml')}`,
      `--storage.tsdb.path=${prometheusDataDir}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      // Firing alerts are re-sent every minute by default; the test's Alertmanager should not wait that long
      // to hear about one whose first send raced its startup.
      '--rules.alert.resend-delay=1s',
    ], { cwd: scratch.dir });
    processes.push(prometheus);

    const getJson = async <T>(url: string): Promise<T> => {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const prometheusAlerts = async () => (await getJson<{ data: { alerts: PrometheusAlert[] } }>(`${prometheusUrl}/api/v1/alerts`)).data.alerts;
    const prometheusRules = async () =>
      (await getJson<{ data: { groups: { rules: PrometheusRule[] }[] } }>(`${prometheusUrl}/api/v1/rules`)).data.groups.flatMap((g) => g.rules);
    const prometheusTargets = async () => (await getJson<{ data: { activeTargets: PrometheusTarget[] } }>(`${prometheusUrl}/api/v1/targets`)).data.activeTargets;
    const alertmanagerAlerts = () => getJson<AlertmanagerAlert[]>(`${alertmanagerUrl}/api/v2/alerts`);
    const query = async (expr: string) =>
      (await getJson<{ data: { result: { metric: Labels; value: [number, string] }[] } }>(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`))
        .data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));

    const describeState = async (): Promise<string> => {
      const section = async (title: string, lines: () => Promise<string[]>): Promise<string> => {
        try {
          const listed = await lines();
          return `${title}:\n${listed.length ? listed.map((l) => `  ${l}`).join('\n') : '  (none)'}`;
        } catch (error) {
          return `${title}: unavailable (${(error as Error).message})`;
        }
      };
      return [
        await section(`Prometheus ${prometheusUrl}/api/v1/alerts`, async () => (await prometheusAlerts()).map((a) => `${a.state} ${formatLabels(a.labels)} value=${a.value}`)),
        await section(`Alertmanager ${alertmanagerUrl}/api/v2/alerts`, async () =>
          (await alertmanagerAlerts()).map((a) => `${a.status.state}${a.status.inhibitedBy.length ? ` (inhibited by ${a.status.inhibitedBy.join(',')})` : ''} ${a.fingerprint} ${formatLabels(a.labels)} → ${a.receivers.map((r) => r.name).join(',')}`)),
        await section('Webhook deliveries (last 20)', async () =>
          options.webhook.deliveries().slice(-20).map((d) => `#${d.sequence} /${d.receiver} ${d.status} ${formatLabels(d.labels)}`)),
        ...processes.map((p) => `${p.name} output (last lines)${p.exit() ? `, exited ${JSON.stringify(p.exit())}` : ''}:\n${p.outputTail()}`),
      ].join('\n\n');
    };

    for (const [server, readyUrl] of [[alertmanager, `${alertmanagerUrl}/-/ready`], [prometheus, `${prometheusUrl}/-/ready`]] as const) {
      const outcome = await waitFor(`${server.name} to be ready at ${readyUrl}`, async () => {
        if (server.exit()) return 'exited';
        return (await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) })).ok ? 'ready' : undefined;
      }, { timeoutMs: 20_000, intervalMs: 100, explain: describeState });
      if (outcome === 'exited') throw new Error(`${server.name} exited before it was ready\n\n${await describeState()}`);
    }

    return {
      prometheusUrl,
      alertmanagerUrl,
      generatedFiles: generated.files.map((f) => f.path),
      prometheusAlerts,
      prometheusRules,
      prometheusTargets,
      alertmanagerAlerts,
      query,
      describeState,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `{a="1", b="2"}` in name order, as PromQL writes a label set. */
export function formatLabels(labels: Labels): string {
  return `{${Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}
