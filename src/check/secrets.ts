/**
 * The output is committed to Git: no literal secret may appear in it. This scans every rendered file for
 * secret-bearing fields written inline (Alertmanager's `password`, `api_url`, `routing_key`… instead of their
 * `*_file` forms) and for values that are secrets whatever field they sit in.
 */
import type { RenderedFile } from '../render/artifact.js';
import type { Problem } from '../problems.js';

const inlineSecretFields = /^\s*-?\s*["']?(auth_password|smtp_auth_password|smtp_auth_secret|auth_secret|password|api_url|slack_api_url|routing_key|service_key|api_key|bearer_token|credentials|token|secret)["']?\s*:\s*\S/m;
const secretValues: [RegExp, string][] = [
  [/https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/, 'a Slack webhook URL'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+:[^/\s@"']+@/i, 'a URL with a password in it'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
];

/**
 * One `secrets/literal-in-output` problem per line that holds an inline secret field or a secret value, in
 * file and line order (comment lines are skipped).
 */
export function checkOutputForSecrets(files: readonly RenderedFile[]): Problem[] {
  const problems: Problem[] = [];
  for (const file of files) {
    // A fleet's output is tens of MB in a million lines: one search of the whole file per pattern first, and
    // line by line only where one of them matches somewhere (each pattern stays within a line: \s in the field
    // pattern could cross one, so the whole-file search finds a superset of the lines; 1 s → 0.1 s at 10,000
    // models). The line scan decides.
    if (!inlineSecretFields.test(file.content) && !secretValues.some(([pattern]) => pattern.test(file.content))) continue;
    const lines = file.content.split('\n');
    lines.forEach((line, i) => {
      if (line.trimStart().startsWith('#')) return;
      const field = inlineSecretFields.exec(line);
      const value = secretValues.find(([pattern]) => pattern.test(line));
      if (field || value) {
        problems.push({
          id: 'secrets/literal-in-output', severity: 'error', artifact: file.path, object: `line ${i + 1}`,
          message: `${file.path} line ${i + 1} holds ${value ? value[1] : `an inline ${field![1]}`}; out/ is committed to Git and must never contain a secret`,
          hint: 'reference the secret by file (the *_file field) mounted from a Kubernetes Secret',
        });
      }
    });
  }
  return problems;
}
