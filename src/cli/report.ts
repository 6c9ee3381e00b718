import type { ChalkInstance } from 'chalk';
import type { Problem } from '../problems.js';

/** Problems as people read them: one block each, errors first, with path, value, what's allowed and a hint. */
export function formatProblems(problems: readonly Problem[], color: ChalkInstance): string {
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return sorted.map((p) => formatProblem(p, color)).join('\n');
}

export function formatProblem(p: Problem, color: ChalkInstance): string {
  const mark = p.severity === 'error' ? color.red('✗') : color.yellow('!');
  const lines = [`${mark} ${p.message} ${color.dim(`[${p.id}]`)}`];
  const field = (name: string, value: string) => lines.push(`    ${color.dim(`${name}:`)} ${value}`);
  if (p.path) field('at', color.cyan(p.path));
  if (p.artifact) field('in', `${p.artifact}${p.object ? ` (${p.object})` : ''}`);
  if (p.value !== undefined) field('value', JSON.stringify(p.value));
  if (p.allowed) field('allowed', p.allowed);
  if (p.hint) field('hint', color.green(p.hint));
  return lines.join('\n');
}
