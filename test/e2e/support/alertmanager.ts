/**
 * A real Alertmanager on 127.0.0.1 running a given alertmanager.yml, for tests that post alerts to its API
 * directly (as a Prometheus would) and watch what it delivers. Clustering is off (it would gossip on 0.0.0.0).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../support/fixtures.js';
import { tool } from '../../support/tools.js';
import { freeLoopbackPort } from './free-port.js';
import { startProcess, type RunningProcess } from './processes.js';
import { waitFor } from './waiting.js';

export interface RunningAlertmanager {
  readonly url: string;
  readonly process: RunningProcess;
  /** POSTs alerts to /api/v2/alerts; throws with Alertmanager's answer when it refuses them. */
  post(alerts: readonly object[]): Promise<void>;
  /** Stops the process and removes its folder. */
  stop(): Promise<void>;
}

/** Starts the pinned Alertmanager on `yaml` in a scratch folder and waits until it is ready (20 s at most). */
export async function startAlertmanager(yaml: string): Promise<RunningAlertmanager> {
  const scratch = scratchDir('mlmon-am-');
  mkdirSync(join(scratch.dir, 'data'));
  writeFileSync(join(scratch.dir, 'alertmanager.yml'), yaml);
  const port = await freeLoopbackPort();
  const process = startProcess('alertmanager', tool('alertmanager'), [
    `--config.file=${join(scratch.dir, 'alertmanager.yml')}`,
    `--storage.path=${join(scratch.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // Empty disables clustering; otherwise Alertmanager gossips on 0.0.0.0:9094.
    '--cluster.listen-address=',
  ], { cwd: scratch.dir });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await process.stop();
    scratch.cleanup();
  };
  const post = async (alerts: readonly object[]) => {
    const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    if (!response.ok) throw new Error(`Alertmanager refused the alerts (${response.status}): ${await response.text()}`);
  };
  try {
    await waitFor('Alertmanager ready', async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok || undefined, { timeoutMs: 20_000, explain: async () => process.outputTail() });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, process, post, stop };
}
