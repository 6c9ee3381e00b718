import { spawn } from 'node:child_process';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited, however that happened. */
  readonly exited: Promise<ProcessExit>;
  /** The process' exit, once it has exited. */
  exit(): ProcessExit | undefined;
  /** The last lines the process wrote to stdout and stderr, for failure messages. */
  outputTail(lines?: number): string;
  /** Stops the process group (SIGTERM, then SIGKILL) and waits until the process has exited. */
  stop(): Promise<void>;
}

// Processes still running when the test worker exits (a crash, or a hook that never reached its cleanup)
// must not outlive it: `exit` handlers may only do synchronous work, and process.kill is synchronous.
const running = new Set<RunningProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child.pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

const keptOutputBytes = 64 * 1024;

/**
 * Starts a long-running tool in its own process group, so that stopping it also stops anything it spawned.
 * node:child_process rather than execa: we need `detached` process groups, a bounded output tail and an
 * awaited exit, which execa would not make shorter.
 */
export function startProcess(name: string, command: string, args: readonly string[], options: { cwd: string }): RunningProcess {
  const child = spawn(command, args, { cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-keptOutputBytes);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error) => {
      keep(Buffer.from(`\n[could not run ${command}: ${error.message}]\n`));
      exit ??= { code: null, signal: null };
      resolve(exit);
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const handle: RunningProcess = {
    name,
    pid,
    exited,
    exit: () => exit,
    outputTail: (lines = 15) => output.trimEnd().split('\n').slice(-lines).join('\n'),
    async stop() {
      if (exit) return;
      killGroup(pid, 'SIGTERM');
      const stoppedInTime = await Promise.race([exited.then(() => true), delay(5_000).then(() => false)]);
      if (!stoppedInTime) {
        killGroup(pid, 'SIGKILL');
        await exited;
      }
      running.delete(handle);
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
