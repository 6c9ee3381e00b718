import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertingConfig, RouteConfig } from '../../../src/config/types.js';

/** One alert in one notification, as Alertmanager's webhook integration sends it (payload version 4). */
export interface Delivery {
  /** The receiver, from the URL path the webhook posted to (`/<receiver>`). */
  readonly receiver: string;
  /** The receiver name Alertmanager put in the payload; must equal `receiver`. */
  readonly payloadReceiver: string;
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Position in arrival order, across all receivers. */
  readonly sequence: number;
}

interface WebhookPayload {
  version: string;
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string> }[];
}

export interface WebhookReceiver {
  readonly port: number;
  /** The webhook URL of a receiver. */
  url(receiver: string): string;
  /** Every alert delivered so far, in arrival order. */
  deliveries(): readonly Delivery[];
  /** Requests that were not a webhook notification we understand. */
  rejected(): readonly string[];
  close(): Promise<void>;
}

/** A small HTTP server on 127.0.0.1 that records Alertmanager's webhook notifications. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const rejected: string[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const receiver = decodeURIComponent((request.url ?? '/').slice(1));
      let payload: WebhookPayload;
      try {
        payload = JSON.parse(body) as WebhookPayload;
        if (request.method !== 'POST' || payload.version !== '4' || !Array.isArray(payload.alerts)) throw new Error('not a version 4 webhook notification');
      } catch (error) {
        rejected.push(`${request.method} ${request.url}: ${(error as Error).message}: ${body.slice(0, 200)}`);
        response.writeHead(400).end();
        return;
      }
      for (const alert of payload.alerts) {
        deliveries.push({ receiver, payloadReceiver: payload.receiver, status: alert.status, labels: alert.labels, annotations: alert.annotations, sequence: deliveries.length });
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (receiver) => `http://127.0.0.1:${port}/${encodeURIComponent(receiver)}`,
    deliveries: () => deliveries,
    rejected: () => rejected,
    close: () => new Promise((resolve) => {
      // Alertmanager keeps its connections alive; close them, or close() waits for them to time out.
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * The `alerting` section the end-to-end tests share: a webhook receiver per name in `receivers` (each posting to
 * this receiver under its name), `ops` by default, criticals to `pager` (and on), warnings to `chat`, then
 * `routes`; grouping fast enough for a test (1 s waits, one repeat an hour).
 */
export function webhookAlerting(webhook: WebhookReceiver, receivers: readonly string[], routes: readonly RouteConfig[] = []): AlertingConfig {
  return {
    defaultReceiver: 'ops',
    grouping: { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' },
    receivers: Object.fromEntries(receivers.map((name) => [name, { webhook: [{ url: webhook.url(name) }] }])),
    routes: [
      { receiver: 'pager', match: { severity: 'critical' }, continue: true },
      { receiver: 'chat', match: { severity: 'warning' } },
      ...routes,
    ],
  };
}
