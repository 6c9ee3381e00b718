import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { InitAnswers, ScrapeProposal } from '../../metrics/init-proposal.js';
import { CouldNotRun, ProblemsFound } from '../../problems.js';
import { stdoutColor } from '../colors.js';
import { exitCodes } from '../exit-codes.js';

export interface InitFlags {
  /** A metrics URL or saved scrape to propose models and integrations from. */
  readonly from?: string | undefined;
  readonly cluster: string;
  readonly service: string;
  readonly team: string;
  /** `--namespace`, repeatable: where the service's pods run (Kubernetes discovery). */
  readonly namespace: string[];
  /** `--target`, repeatable: `host:port` to scrape instead (static discovery). */
  readonly target: string[];
  /** `--model`, repeatable. */
  readonly model: string[];
  readonly out: string;
  readonly force?: boolean | undefined;
  /** Never ask, even on a terminal. */
  readonly yes?: boolean | undefined;
  readonly expositionJson?: string | undefined;
}

/** The questions `init` asks on a terminal; @inquirer/prompts in the CLI, scripted answers in tests. */
export interface InitPrompter {
  input(message: string, defaultValue: string): Promise<string>;
  select<T extends string>(message: string, choices: readonly { name: string; value: T }[], defaultValue: T): Promise<T>;
  checkbox(message: string, choices: readonly { name: string; value: string; checked: boolean }[]): Promise<string[]>;
}

/**
 * `mlmon init`: writes a starting monitoring.config.ts. On a terminal it asks (defaults from the flags and from
 * the `--from` scrape); otherwise, or with `--yes`, the flags and the scrape decide. It never overwrites a file
 * without `--force`.
 */
export async function runInit(flags: InitFlags): Promise<number> {
  const cwd = process.cwd();
  const out = resolve(cwd, flags.out);
  if (existsSync(out) && !flags.force) throw new CouldNotRun(`${flags.out} already exists`, 'pass --force to overwrite it, or --out <file> to write another');
  const [{ proposeFromScrape, renderInitConfig }, { integrations }] = await Promise.all([import('../../metrics/init-proposal.js'), import('../../catalog/integrations/index.js')]);
  let proposal: ScrapeProposal | undefined;
  if (flags.from) {
    const { findExpositionParser, readExpositions } = await import('../../metrics/exposition.js');
    const [scraped] = await readExpositions([flags.from], findExpositionParser(flags.expositionJson), cwd);
    if (!scraped || 'problem' in scraped) throw new ProblemsFound(scraped ? [scraped.problem] : [], flags.from);
    proposal = proposeFromScrape(flags.from, scraped.families, integrations);
  }
  const defaults = answersFromFlags(flags, proposal);
  const interactive = !flags.yes && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const answers = interactive ? await askInitAnswers(await inquirerPrompter(), defaults, proposal) : defaults;
  writeFileSync(out, renderInitConfig(answers, flags.from));
  const parts = [`${answers.models.length} model${answers.models.length === 1 ? '' : 's'}`, ...answers.integrations.map((i) => `${i.definition.name} ${i.version}`)];
  process.stdout.write(`${stdoutColor.green('✓')} wrote ${flags.out}: service ${answers.service}, ${parts.join(', ')}\n  next: mlmon validate, then mlmon generate\n`);
  return exitCodes.ok;
}

/** The answers the flags and the scrape give, without asking. */
export function answersFromFlags(flags: InitFlags, proposal: ScrapeProposal | undefined): InitAnswers {
  const targets = flags.target.length ? flags.target : proposal?.target ? [proposal.target] : [];
  return {
    cluster: flags.cluster,
    service: flags.service,
    team: flags.team,
    discovery: targets.length ? { kind: 'static', targets } : { kind: 'kubernetes-pods', namespaces: flags.namespace.length ? flags.namespace : ['default'] },
    models: [...new Set([...flags.model, ...(proposal?.models ?? [])])],
    integrations: (proposal?.integrations ?? []).map((i) => ({ definition: i.definition, version: i.version })),
  };
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

/** Asks for each answer, offering `defaults` (the flags' and the scrape's) as the default. */
export async function askInitAnswers(prompt: InitPrompter, defaults: InitAnswers, proposal: ScrapeProposal | undefined): Promise<InitAnswers> {
  const cluster = await prompt.input('Cluster name (the `cluster` label of every alert)', defaults.cluster);
  const service = await prompt.input('Name of the service that serves the models', defaults.service);
  const team = await prompt.input('Team that owns it (alerts are routed by team)', defaults.team);
  const kind = await prompt.select('How does Prometheus find its pods?', [{ name: 'Kubernetes pods (annotated prometheus.io/scrape)', value: 'kubernetes-pods' as const }, { name: 'Fixed host:port targets', value: 'static' as const }], defaults.discovery.kind);
  const discovery: InitAnswers['discovery'] = kind === 'static'
    ? { kind, targets: list(await prompt.input('Targets (host:port, comma-separated)', defaults.discovery.kind === 'static' ? defaults.discovery.targets.join(', ') : '')) }
    : { kind, namespaces: list(await prompt.input('Namespaces (comma-separated)', defaults.discovery.kind === 'kubernetes-pods' ? defaults.discovery.namespaces.join(', ') : 'default')) };
  const proposed = defaults.models;
  const chosen = proposed.length ? await prompt.checkbox(`Models${proposal ? ' seen in the scrape' : ''}`, proposed.map((m) => ({ name: m, value: m, checked: true }))) : [];
  const more = list(await prompt.input('Other models (comma-separated, empty for none)', ''));
  const picked = defaults.integrations.length
    ? await prompt.checkbox('Integrations recognised from the metric names', defaults.integrations.map((i) => ({ name: `${i.definition.name} ${i.version}`, value: i.definition.name, checked: true })))
    : [];
  return { cluster, service, team, discovery, models: [...new Set([...chosen, ...more])], integrations: defaults.integrations.filter((i) => picked.includes(i.definition.name)) };
}

/** @inquirer/prompts, loaded only when a terminal is there to answer. */
async function inquirerPrompter(): Promise<InitPrompter> {
  const { input, select, checkbox } = await import('@inquirer/prompts');
  return {
    input: (message, defaultValue) => input({ message, default: defaultValue }),
    select: (message, choices, defaultValue) => select({ message, choices: [...choices], default: defaultValue }),
    checkbox: (message, choices) => checkbox({ message, choices: [...choices] }),
  };
}

