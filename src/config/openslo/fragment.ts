/**
 * The imported SLOs as text to merge into monitoring.config.ts: a TypeScript object literal (the config's own
 * language) or JSON. Written here rather than by a formatter library because the shape is small and fixed:
 * nested plain objects of strings and numbers, keys in the order given.
 */
import type { SloFragment } from './import.js';

/** The fragment as `--format ts` (default) or `--format json` prints it; `files` are named in the TS comment. */
export function formatFragment(fragment: SloFragment, format: 'ts' | 'json', files: readonly string[]): string {
  if (format === 'json') return `${JSON.stringify(fragment, null, 2)}\n`;
  return [
    `// SLOs imported by \`mlmon import openslo\` from ${files.join(', ')}.`,
    '// Merge each entry into the services and models of monitoring.config.ts (defineConfig({ ... })).',
    `export default ${tsLiteral(fragment, '')};`,
    '',
  ].join('\n');
}

/** A TypeScript object literal of plain data, keys in the order given (also `mlmon init`'s config). */
export function tsLiteral(value: unknown, indent: string): string {
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => tsLiteral(v, indent)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  return `{\n${entries.map(([key, v]) => `${inner}${tsKey(key)}: ${tsLiteral(v, inner)},`).join('\n')}\n${indent}}`;
}

const tsKey = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : tsString(key));

/** A single-quoted TypeScript string (PromQL is full of double quotes). */
function tsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}
