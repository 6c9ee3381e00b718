/** Starts the test exporters (test/metrics/apps/) on 127.0.0.1, under the e2e watchdog, and waits for them. */
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { freeLoopbackPort } from '../e2e/support/free-port.js';
import { startProcess, type RunningProcess } from '../e2e/support/processes.js';
import { waitFor } from '../e2e/support/waiting.js';
import { repoRoot } from '../support/tools.js';

/** Debian's python3, which has python3-prometheus-client (the python3 first on PATH may be another one). */
export const debianPython = '/usr/bin/python3';
const appsDir = join(repoRoot, 'test/metrics/apps');

export interface StartedApp {
  readonly url: string;
  readonly process: RunningProcess;
}

async function started(process: RunningProcess, port: number): Promise<StartedApp> {
  const url = `http://127.0.0.1:${port}/metrics`;
  await waitFor(`${process.name} to serve ${url}`, async () => {
    if (process.exit()) throw new Error(`${process.name} exited: ${process.outputTail()}`);
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok ? true : undefined;
    } catch {
      return undefined;
    }
  }, { timeoutMs: 20_000, intervalMs: 100, explain: async () => process.outputTail() });
  return { url, process };
}

/** The Python app: `right` imports the generated module from `moduleDir`; `wrong` is hand-written. */
export async function startPythonApp(mode: 'right' | 'wrong', moduleDir?: string): Promise<StartedApp> {
  const port = await freeLoopbackPort();
  const args = mode === 'right' ? [join(appsDir, 'python_app.py'), 'right', moduleDir!, String(port)] : [join(appsDir, 'python_app.py'), 'wrong', String(port)];
  return started(startProcess(`python app (${mode})`, debianPython, args, { cwd: appsDir }), port);
}

/**
 * The prom-client app: `right` runs the generated TypeScript module `moduleFile`, compiled by esbuild to CommonJS
 * beside it (Node 20 runs no TypeScript); `wrong` is hand-written. prom-client comes from the repo's node_modules.
 */
export async function startPromClientApp(mode: 'right' | 'wrong', moduleFile?: string): Promise<StartedApp> {
  const port = await freeLoopbackPort();
  let args: string[];
  if (mode === 'right') {
    const compiled = moduleFile!.replace(/\.ts$/, '.cjs');
    // Bundled with prom-client from the repo's node_modules: the module sits in a scratch folder outside the repo.
    buildSync({ entryPoints: [moduleFile!], outfile: compiled, format: 'cjs', platform: 'node', bundle: true, nodePaths: [join(repoRoot, 'node_modules')], logLevel: 'error' });
    args = [join(appsDir, 'prom-client-app.cjs'), 'right', compiled, String(port)];
  } else {
    args = [join(appsDir, 'prom-client-app.cjs'), 'wrong', String(port)];
  }
  return started(startProcess(`prom-client app (${mode})`, process.execPath, args, { cwd: appsDir }), port);
}
