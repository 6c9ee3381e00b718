/**
 * The two checks that read every rule and every byte of a fleet's output, and their fast paths: the secrets
 * scan searches each whole file before it goes line by line, and the PromQL check passes `vector(<number>)`
 * without parsing it. Each fast path must find exactly what the slow one finds.
 */
import { describe, expect, it } from 'vitest';
import { checkPromql } from '../../src/check/promql-semantics.js';
import { checkOutputForSecrets } from '../../src/check/secrets.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { generateExample, modelOf } from '../support/fixtures.js';

const file = (path: string, content: string) => ({ path, content }) as RenderedFile;
const filler = Array.from({ length: 5000 }, (_, i) => `      - record: mlmon:model_info\n        expr: vector(${i})`).join('\n');

describe('secrets/literal-in-output', () => {
  it('names the file and the line of each inline secret field and secret value, deep in a large file', () => {
    const content = [filler, '    password: hunter2', filler, '  url: https://hooks.slack.com/services/T0/B0/abc', '  dsn: postgres://me:pw@db:5432/x', filler].join('\n');
    const problems = checkOutputForSecrets([file('alertmanager/alertmanager.yml', content)]);
    const lineOf = (text: string) => content.split('\n').findIndex((l) => l.includes(text)) + 1;
    expect(problems.map((p) => [p.artifact, p.object])).toEqual([
      ['alertmanager/alertmanager.yml', `line ${lineOf('password: hunter2')}`],
      ['alertmanager/alertmanager.yml', `line ${lineOf('hooks.slack.com')}`],
      ['alertmanager/alertmanager.yml', `line ${lineOf('postgres://')}`],
    ]);
    expect(problems[0]!.message).toContain('an inline password');
    expect(problems[1]!.message).toContain('a Slack webhook URL');
    expect(problems[2]!.message).toContain('a URL with a password in it');
  });

  it('finds nothing where a whole-file match only crosses a line break, or sits in a comment', () => {
    // `token:` at the end of one line and a value on the next: the field pattern's \s crosses the break in the
    // whole-file search, but no single line holds an inline token.
    const content = `${filler}\n  token:\n    x\n  # password: in a comment\n  password_file: /etc/secrets/p\n${filler}`;
    expect(checkOutputForSecrets([file('alertmanager/alertmanager.yml', content)])).toEqual([]);
  });

  it("finds nothing in the example's output, and a secret in any of its files", async () => {
    const { files } = await generateExample();
    expect(checkOutputForSecrets(files)).toEqual([]);
    const planted = files.map((f, i) => (i === files.length - 1 ? { ...f, content: `${f.content}\nxoxb-1234567890-abcdef\n` } : f));
    expect(checkOutputForSecrets(planted).map((p) => p.artifact)).toEqual([files.at(-1)!.path]);
  });
});

describe('PromQL check of constant series', () => {
  const options = { catalog: modelOf({}).metricCatalog, scrapeIntervalSeconds: 15 };
  const check = async (expr: string, annotationLabels?: string[]) =>
    (await checkPromql({ expr, artifact: 'prometheus/rules/thresholds.yml', object: 'r', ...(annotationLabels ? { annotationLabels } : {}) }, options)).map((p) => p.id);

  it('passes vector() of a number in every form formatNumber writes', async () => {
    for (const expr of ['vector(1)', 'vector(0.87)', 'vector(-3)', 'vector(0.0000000034)', 'vector(120000000000000000000000)']) expect(await check(expr), expr).toEqual([]);
  });

  it('still parses and judges anything else: a broken literal, a constant beside a metric, an annotation label', async () => {
    expect(await check('vector(0.87')).toEqual(['promql/syntax']);
    expect(await check('vector(1) > no_such_metric')).toEqual(['promql/unknown-metric']);
    expect(await check('vector(1)', ['model'])).toEqual(['promql/unknown-label']);
  });
});
