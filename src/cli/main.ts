/**
 * The mlmon command line's front: flags, help and version. Commands are thin: parse flags, call the
 * pipeline, print. A command's code is imported only when it runs (run-command.ts), so `mlmon --help` loads
 * nothing but commander. The build bundles this front on its own as CommonJS (scripts/bundle-cli.mjs).
 */
import { Command, CommanderError, Option } from 'commander';
import { mlmonVersion } from '../version.js';
import type { CommandFlags } from './run-command.js';
import { exitCodes } from './exit-codes.js';

async function runCommand<Name extends keyof CommandFlags>(name: Name, flags: CommandFlags[Name]): Promise<void> {
  const { runCommand: run } = await import('./run-command.js');
  process.exitCode = await run(name, flags);
}

const configOption = () => new Option('-c, --config <file>', 'config file (default: monitoring.config.{ts,mts,js,mjs,json,yaml} in the current folder)');
const outOption = () => new Option('-o, --out <dir>', 'output folder').default('out');
const environmentOption = (what: string) => new Option('-e, --environment <name>', `${what} only this environment of a config with \`environments\` (default: all of them, each in <out>/<name>/)`);

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
    .addOption(environmentOption('generate (or --check)'))
    .action((flags: CommandFlags['generate']) => runCommand('generate', flags));

  program
    .command('diff')
    .description('show what the config would change in the output folder (or in out/ at a git ref): alerts, thresholds, routes, … then a unified diff')
    .addOption(configOption())
    .addOption(outOption())
    .addOption(new Option('--against <dir>', 'compare with this folder instead of the output folder').conflicts('git'))
    .addOption(new Option('--git <ref>', 'compare with the output folder as committed at this git ref (e.g. origin/main)'))
    .addOption(new Option('--format <format>', 'text for people, json for bots').choices(['text', 'json']).default('text'))
    .option('--exit-code', 'exit 1 when there is any difference (like git diff --exit-code)')
    .addOption(environmentOption('compare'))
    .action((flags: CommandFlags['diff']) => runCommand('diff', flags));

  program
    .command('validate')
    .description('run everything CI needs to trust a change: config, PromQL, rule hygiene, secrets, Kubernetes objects, dashboards, Logstash syntax, promtool and amtool')
    .addOption(configOption())
    .addOption(outOption())
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'github']).default('text'))
    .option('--skip-external', 'skip the promtool and amtool checks (reported as skipped)')
    .option('--promtool <path>', 'promtool to use (default: $MLMON_PROMTOOL, then PATH, then the tools `npm run tools` built)')
    .option('--amtool <path>', 'amtool to use (default: $MLMON_AMTOOL, then PATH, then the tools `npm run tools` built)')
    .option('--kubeconform <path>', 'kubeconform to judge out/operator with, for the prometheus-operator target (default: $MLMON_KUBECONFORM, then PATH, then the tools `npm run tools` built)')
    .option('--tool-timeout <seconds>', 'stop an external tool that runs longer than this (a fleet of thousands of models needs minutes of promtool)', '300')
    .addOption(environmentOption('check'))
    .option('--disable <id>', 'leave a warning out of the report, by its id (repeatable; errors cannot be disabled; see docs/checks.md)', (id: string, ids: string[]) => [...ids, id], [] as string[])
    .action((flags: CommandFlags['validate']) => runCommand('validate', flags));

  program
    .command('import')
    .description('turn SLOs written for another tool into mlmon config')
    .command('openslo')
    .description('print the services.<name>.slos (and models.<name>.slos) of OpenSLO v1 SLO and SLI documents, to merge into monitoring.config.ts; warns about each field it drops')
    .argument('<files...>', 'OpenSLO YAML files (several documents each; SLIs referenced by indicatorRef may be in another file)')
    .addOption(new Option('--format <format>', 'TypeScript or JSON (default: json for an --out file ending in .json, else ts)').choices(['ts', 'json']))
    .option('-o, --out <file>', 'write the fragment to this file instead of stdout')
    .action((files: string[], flags: Omit<CommandFlags['importOpenSlo'], 'files'>) => runCommand('importOpenSlo', { ...flags, files }));

  program
    .command('check-metrics')
    .description('check live /metrics endpoints or saved scrapes against the config\'s metric catalog: missing metrics and labels, wrong types, renamed names, missing buckets, labels that break joins')
    .argument('<inputs...>', 'metrics URLs (http://host:port/metrics) or files holding a saved scrape')
    .addOption(configOption())
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'github']).default('text'))
    .option('--exposition-json <path>', 'the exposition parser (scripts/exposition-json) to use (default: $MLMON_PROM2JSON, then PATH, then the tools `npm run tools` built)')
    .action((inputs: string[], flags: Omit<CommandFlags['checkMetrics'], 'inputs'>) => runCommand('checkMetrics', { ...flags, inputs }));

  program
    .command('instrument')
    .description('write the module that defines every application metric the alerts read (names, labels, buckets), for prometheus_client or prom-client')
    .addOption(new Option('--lang <language>', 'the service\'s language').choices(['python', 'typescript']).makeOptionMandatory())
    .addOption(configOption())
    .option('-o, --out <file>', 'file to write, - for stdout (default: mlmon_metrics.py or mlmon-metrics.ts)')
    .action((flags: CommandFlags['instrument']) => runCommand('instrument', flags));

  const repeatable = (value: string, values: string[]) => [...values, value];
  program
    .command('init')
    .description('write a starting monitoring.config.ts: asks on a terminal, takes flags otherwise; --from a metrics URL or saved scrape proposes its models and integrations')
    .option('--from <url|file>', 'a /metrics URL or saved scrape: models from its model/model_name labels, integrations from its metric names')
    .option('--cluster <name>', 'cluster name', 'ml-cluster')
    .option('--service <name>', 'the service that serves the models', 'model-api')
    .option('--team <name>', 'the team that owns it', 'ml-platform')
    .option('--namespace <ns>', 'Kubernetes namespace of its pods (repeatable; default: default)', repeatable, [] as string[])
    .option('--target <host:port>', 'scrape this target instead of discovering pods (repeatable; default with --from <url>: its host:port)', repeatable, [] as string[])
    .option('--model <name>', 'a model it serves (repeatable)', repeatable, [] as string[])
    .option('-o, --out <file>', 'the config file to write', 'monitoring.config.ts')
    .option('--force', 'overwrite the file if it exists')
    .option('-y, --yes', 'ask nothing, even on a terminal')
    .option('--exposition-json <path>', 'the exposition parser (scripts/exposition-json) to parse --from with (default: $MLMON_PROM2JSON, then PATH, then the tools `npm run tools` built)')
    .action((flags: CommandFlags['init']) => runCommand('init', flags));

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    // --help and --version exit through here with code 0; usage errors were already printed by commander.
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.couldNotRun;
    // Commands report their own errors (run-command.ts); anything here is a bug in mlmon.
    const { reportInternalError } = await import('./run-command.js');
    return reportInternalError(error);
  }
}
