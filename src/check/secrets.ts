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

export function checkOutputForSecrets(files: readonly RenderedFile[]): Problem[] {
  const problems: Problem[] = [];
  for (const file of files) {
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
