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

const running = new Set<RunningProcess>();

/**
 * Stops every process started here that is still running. For afterAll: a hook that timed out while
 * starting a stack never handed its processes to the test, but they are still listed here.
 */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/**
 * Runs the tool and stops it when the pipe to the test process closes, which happens whenever the test
 * process dies, even by SIGKILL or a worker torn down mid-hook, when no cleanup code of ours runs. Without it
 * a Prometheus started by a crashed test would keep its port and scratch folder until the machine reboots.
 */
const watchdog = `
const { spawn } = require('node:child_process');
const [command, ...args] = JSON.parse(process.argv[1]);
const tool = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
tool.on('error', (error) => { console.error('could not run ' + command + ': ' + error.message); process.exit(127); });
tool.on('exit', (code, signal) => process.exit(code ?? 128));
process.on('SIGTERM', () => tool.kill('SIGTERM'));
process.stdin.on('close', () => tool.kill('SIGKILL')).resume();
`;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

const keptOutputBytes = 64 * 1024;

/**
 * Starts a long-running tool (under the watchdog) in its own process group, so that stopping the group
 * stops the tool and anything it spawned. node:child_process rather than execa: we need the process group,
 * the watchdog's stdin pipe, a bounded output tail and an awaited exit, which execa would not make shorter.
 */
export function startProcess(name: string, command: string, args: readonly string[], options: { cwd: string }): RunningProcess {
  const child = spawn(process.execPath, ['-e', watchdog, JSON.stringify([command, ...args])], { cwd: options.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
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
      keep(Buffer.from(`\n[could not run the watchdog for ${command}: ${error.message}]\n`));
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
    },
  };
  running.add(handle);
  // Once it has exited its pid may be reused: it must never be signalled again.
  void exited.then(() => running.delete(handle));
  return handle;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
