import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

let toolsDir: string | undefined;

/**
 * The pinned upstream promtool, prometheus, amtool and alertmanager, built once by scripts/install-tools.sh
 * into a cache outside the clone (the script returns at once when they are cached).
 */
export function upstreamToolsDir(): string {
  toolsDir ??= execFileSync('bash', [join(repoRoot, 'scripts/install-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return toolsDir;
}

export const tool = (name: 'promtool' | 'prometheus' | 'amtool' | 'alertmanager' | 'kustomize'): string => join(upstreamToolsDir(), name);
