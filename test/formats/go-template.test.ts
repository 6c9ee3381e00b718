/**
 * The Go template checker agrees with Prometheus itself: every template below is put in an alerting rule's
 * annotation and label, and promtool's verdict (does `promtool check rules` load it?) must equal ours. An
 * escaped literal renders as itself in a promtool rule test, in the rule's labels and its annotations.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { alertmanagerTemplates, checkGoTemplate, escapeGoTemplate, prometheusAlertTemplates } from '../../src/formats/go-template.js';
import { scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

const run = promisify(execFile);
const scratch = scratchDir('mlmon-go-template-');
afterAll(() => scratch.cleanup());

// Templates Prometheus loads, and templates it refuses; each verdict is checked against promtool below.
const valid = [
  'plain text }} with closing braces',
  '{{ $labels.instance }} is down',
  '{{ $value | humanizePercentage }}',
  '{{ $value | printf "%.2f" }}',
  '{{ "{{" }} literal',
  '{{ `raw {{ string }}` }}',
  '{{/* a comment */}}text',
  '{{- /* trimmed comment */ -}} text',
  '{{- $labels.job -}}',
  '{{ if gt $value 1.0 }}high{{ else if lt $value 0.5 }}low{{ else }}mid{{ end }}',
  '{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}',
  '{{ range $labels }}{{ break }}{{ end }}',
  '{{ with $labels.team }}{{ . }}{{ else }}none{{ end }}',
  '{{ $x := 1 }}{{ $x = 2 }}{{ $x }}',
  '{{ define "t" }}{{ . }}{{ end }}{{ template "t" $labels }}',
  '{{ (index $labels "job") | toUpper }}',
  '{{ $externalLabels.cluster }} {{ $externalURL }}',
  "{{ 'x' }} {{ -1.5e3 }} {{ 0x1F }} {{ true }} {{ nil | print }}",
  '{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}',
  '{{ if and (eq $labels.a "x") (ne $labels.b "y") }}both{{ end }}',
  '{{ block "b" . }}{{ . }}{{ end }}',
  '{{ $labels.a.b }} {{ .Labels }} {{$labels.x}}',
  '{{ $value | humanize | printf "%s" }}',
  '{{ template "undefined-is-fine-at-parse-time" }}',
  '{{ range $i, $e := $labels }}{{ continue }}{{ end }}',
  '{{ 1 2 }}',
  '{{ "tab\\t \\x41 \\u00e9 \\101" }}',
  "{{ '\\n' }}",
]
const invalid = [
  'ops {{ on-call',
  '{{ $labels.instance',
  '{{ unknownFunction $value }}',
  '{{ $undefined }}',
  '{{ if true }}no end',
  '{{ end }}',
  '{{ else }}',
  '{{ "unterminated }}',
  '{{ `unterminated raw }}',
  '{{/* unclosed comment }}',
  '{{ }}',
  '{{ break }}',
  '{{ if true }}{{ else }}{{ else }}{{ end }}',
  '{{ range $labels }}{{ else with $value }}{{ end }}',
  '{{ define "t" }}{{ $labels }}{{ end }}',
  '{{ $labels | "x" }}',
  '{{ {{ }}',
  '{{ ( $value }}',
  '{{ $value ) }}',
  '{{ "a""b" }}',
  '{{{ triple }}}',
  '{{ if }}{{ end }}',
  '{{ with $x := $value }}{{ $x }}{{ end }}{{ $x }}',
  '{{ printf "%d" 1 | "x" }}',
  '{{ .a-b }}',
  '{{ "\\q" }}',
  "{{ 'ab' }}",
  '{{ $labels.x }}{{ define "d" }}{{ end }}{{ end }}',
  '{{ if true }}{{ define "d" }}{{ end }}{{ end }}',
  '{{/* no space before */ }}',
  '{{ 1.2.3 }}',
];

async function promtoolAccepts(templates: readonly string[]): Promise<boolean[]> {
  const files = templates.map((template, i) => {
    const file = join(scratch.dir, `check-${i}.yml`);
    writeFileSync(file, stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', labels: { l: template }, annotations: { a: template } }] }] }));
    return file;
  });
  // One promtool run for all files; it reports each file as SUCCESS or FAILED.
  const output = await run(tool('promtool'), ['check', 'rules', ...files]).then((r) => r.stdout + r.stderr, (e: { stdout: string; stderr: string }) => e.stdout + e.stderr);
  return files.map((file) => {
    const section = output.split(`Checking ${file}`)[1]!.split('Checking ')[0]!;
    return /SUCCESS/.test(section);
  });
}

describe('checkGoTemplate', () => {
  it('accepts and refuses exactly the templates promtool accepts and refuses', async () => {
    const all = [...valid, ...invalid];
    const promtool = await promtoolAccepts(all);
    const ours = all.map((t) => checkGoTemplate(t, prometheusAlertTemplates) === undefined);
    const disagreements = all.map((template, i) => ({ template, promtool: promtool[i], ours: ours[i] })).filter((d) => d.promtool !== d.ours);
    expect(disagreements).toEqual([]);
    // The tables above say what they claim: promtool accepts every valid one and refuses every invalid one.
    expect(promtool).toEqual(all.map((_, i) => i < valid.length));
  });

  it('names the reason and where it was found', () => {
    expect(checkGoTemplate('ops {{ on-call', prometheusAlertTemplates)).toEqual({ offset: 9, message: 'bad character "-"' });
    expect(checkGoTemplate('a {{ $labels.x', prometheusAlertTemplates)).toEqual({ offset: 2, message: 'unclosed action' });
    expect(checkGoTemplate('{{ nope 1 }}', prometheusAlertTemplates)?.message).toMatch(/function "nope" not defined/);
    expect(checkGoTemplate('{{ if true }}x', prometheusAlertTemplates)?.message).toMatch(/no \{\{end\}\}/);
  });

  it('knows each tool\'s own functions and variables', () => {
    expect(checkGoTemplate('{{ .CommonLabels.alertname | toUpper }} {{ join ", " .GroupLabels.Values }}', alertmanagerTemplates)).toBeUndefined();
    expect(checkGoTemplate('{{ $labels.x }}', alertmanagerTemplates)?.message).toMatch(/undefined variable/);
    expect(checkGoTemplate('{{ humanizePercentage 1 }}', alertmanagerTemplates)?.message).toMatch(/not defined/);
    expect(checkGoTemplate('{{ trimSpace " x " }}', prometheusAlertTemplates)?.message).toMatch(/not defined/);
  });
});

describe('escapeGoTemplate', () => {
  const literals = ['ops {{ on-call', '{{ $labels.x }}', 'a{{{b}}}c', '}} {{', '{{- -}}', '{{/* */}}', '"{{"'];

  it('always yields a template that parses', () => {
    for (const literal of literals) expect(checkGoTemplate(escapeGoTemplate(literal), prometheusAlertTemplates)).toBeUndefined();
  });

  it('renders each literal as itself in Prometheus, in labels and annotations of a firing alert', async () => {
    const rules = { groups: [{ name: 'g', rules: literals.map((literal, i) => ({ alert: `A${i}`, expr: 'up == 0', labels: { team: escapeGoTemplate(literal) }, annotations: { summary: escapeGoTemplate(literal) } })) }] };
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [{ series: 'up{job="j", instance="i"}', values: '0x3' }],
        alert_rule_test: literals.map((literal, i) => ({
          eval_time: '2m', alertname: `A${i}`,
          exp_alerts: [{ exp_labels: { job: 'j', instance: 'i', team: literal }, exp_annotations: { summary: literal } }],
        })),
      }],
    };
    writeFileSync(join(scratch.dir, 'rules.yml'), stringify(rules));
    writeFileSync(join(scratch.dir, 'tests.yml'), stringify(tests));
    const result = await run(tool('promtool'), ['test', 'rules', 'tests.yml'], { cwd: scratch.dir }).then((r) => ({ ok: true, out: r.stdout }), (e: { stdout: string; stderr: string }) => ({ ok: false, out: e.stdout + e.stderr }));
    expect(result.out).toMatch(/SUCCESS/);
    expect(result.ok).toBe(true);
  });
});
