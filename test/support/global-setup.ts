/**
 * Runs once, before any test file: builds dist/ (the CLI tests run the built `mlmon`, as users do) and makes
 * sure the pinned upstream tools are cached. Doing this in one place, not in test files' hooks, means no test
 * ever runs the CLI while another file is rewriting dist/.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  execFileSync('bash', ['scripts/install-tools.sh'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
