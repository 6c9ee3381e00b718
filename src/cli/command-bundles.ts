/**
 * How the bundled command line runs a command: scripts/bundle-cli.mjs puts this module in the front (main.cjs)
 * where main.ts imports run-command.ts. Each command is a CommonJS bundle of its own,
 * dist/cli-bundle/commands/<name>.cjs, whose `run` reports its errors as run-command.ts does
 * (report-errors.ts). They are loaded through the code cache (code-cache.ts), which is why they are CommonJS:
 * Node 20 has no code cache for ES modules.
 */
import { createRequire } from 'node:module';
import { packagePath } from '../package-root.js';
import { installCodeCache } from './code-cache.js';
import type { CommandFlags } from './run-command.js';

export async function runCommand<Name extends keyof CommandFlags>(name: Name, flags: CommandFlags[Name]): Promise<number> {
  // mlmon's own files only: its bundles, precompiled templates and schema validators, never a user's config.
  installCodeCache({ roots: [packagePath('dist'), packagePath('schemas')] });
  const bundle = createRequire(import.meta.url)(`./commands/${name}.cjs`) as { run(flags: CommandFlags[Name]): Promise<number> };
  return bundle.run(flags);
}

export { reportInternalError } from './internal-error.js';
