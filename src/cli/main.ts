/**
 * The mlmon command line. Commands are thin: parse flags, call the pipeline, print. Each command's module
 * is imported only when it runs, so `mlmon --help` loads neither ajv, handlebars nor the templates.
 */
import { createRequire } from 'node:module';
import { CouldNotRun, ProblemsFound } from '../problems.js';
import { mlmonVersion } from '../version.js';

// commander through require(), not import: its ESM entry is a wrapper that Node must lex as CommonJS first,
// which costs ~15 ms more of the `mlmon --help` budget (150 ms, of which node itself takes ~110).
const { Command, CommanderError, Option } = createRequire(import.meta.url)('commander') as typeof import('commander');
type Command = import('commander').Command;

export const exitCodes = { ok: 0, problems: 1, couldNotRun: 2 } as const;

const configOption = () => new Option('-c, --config <file>', 'config file (default: monitoring.config.{ts,mts,js,mjs,json,yaml} in the current folder)');
const outOption = () => new Option('-o, --out <dir>', 'output folder').default('out');

function buildProgram(): Command {
  const program = new Command('mlmon')
    .description('One typed config for ML models, services and thresholds → a complete, proven monitoring stack.')
    .version(mlmonVersion, '-v, --version')
    .showHelpAfterError('(run mlmon --help for usage)')
    .exitOverride();

  program
    .command('generate')
    .description('validate the config and write the whole stack to the output folder')
    .addOption(configOption())
    .addOption(outOption())
    .option('--check', 'write nothing; exit 1 and name the stale files if the output folder differs from what the config produces')
    .action(async (options: { config?: string; out: string; check?: boolean }) => {
      const { runGenerate } = await import('./commands/generate.js');
      process.exitCode = await runGenerate(options);
    });

  program
    .command('diff')
    .description('show what the config would change in the output folder (or in out/ at a git ref): alerts, thresholds, routes, … then a unified diff')
    .addOption(configOption())
    .addOption(outOption())
    .addOption(new Option('--against <dir>', 'compare with this folder instead of the output folder').conflicts('git'))
    .addOption(new Option('--git <ref>', 'compare with the output folder as committed at this git ref (e.g. origin/main)'))
    .addOption(new Option('--format <format>', 'text for people, json for bots').choices(['text', 'json']).default('text'))
    .option('--exit-code', 'exit 1 when there is any difference (like git diff --exit-code)')
    .action(async (options: { config?: string; out: string; against?: string; git?: string; format: 'text' | 'json'; exitCode?: boolean }) => {
      const { runDiff } = await import('./commands/diff.js');
      process.exitCode = await runDiff(options);
    });

  program
    .command('validate')
    .description('run everything CI needs to trust a change: config, PromQL, rule hygiene, secrets, Kubernetes objects, dashboards, Logstash syntax, promtool and amtool')
    .addOption(configOption())
    .addOption(outOption())
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'github']).default('text'))
    .option('--skip-external', 'skip the promtool and amtool checks (reported as skipped)')
    .option('--promtool <path>', 'promtool to use (default: $MLMON_PROMTOOL, then PATH)')
    .option('--amtool <path>', 'amtool to use (default: $MLMON_AMTOOL, then PATH)')
    .option('--tool-timeout <seconds>', 'stop an external tool that runs longer than this (a fleet of thousands of models needs minutes of promtool)', '300')
    .action(async (options: import('./commands/validate.js').ValidateFlags) => {
      const { runValidate } = await import('./commands/validate.js');
      process.exitCode = await runValidate(options);
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    return await handleError(error);
  }
}

/** The one place that picks exit codes and turns errors into messages. */
async function handleError(error: unknown): Promise<number> {
  if (error instanceof CommanderError) {
    // --help and --version exit through here with code 0; usage errors were already printed by commander.
    return error.exitCode === 0 ? exitCodes.ok : exitCodes.couldNotRun;
  }
  const [{ stderrColor }, { formatProblems }] = await Promise.all([import('./colors.js'), import('./report.js')]);
  if (error instanceof ProblemsFound) {
    const errors = error.problems.filter((p) => p.severity === 'error').length;
    process.stderr.write(`${formatProblems(error.problems, stderrColor)}\n\n${stderrColor.red(`${errors} problem${errors === 1 ? '' : 's'} in ${error.stage}; nothing was written.`)}\n`);
    return exitCodes.problems;
  }
  if (error instanceof CouldNotRun) {
    process.stderr.write(`${stderrColor.red('error:')} ${error.message}\n${error.hint ? `${stderrColor.dim('hint:')} ${error.hint}\n` : ''}`);
    return exitCodes.couldNotRun;
  }
  // Anything else is a bug in mlmon, not the user's mistake: say so, and keep the stack for the report.
  process.stderr.write(`${stderrColor.red('internal error:')} ${(error as Error)?.message ?? String(error)}\nThis is a bug in mlmon; please report it with the trace below.\n${(error as Error)?.stack ?? ''}\n`);
  return exitCodes.couldNotRun;
}
