/**
 * Handlebars and Prometheus/Alertmanager templates both use `{{ }}`, and YAML gives meaning to `#`, `: `,
 * quotes and newlines. Every user string must come out of the rendered files as the same string.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { escapeGoTemplate } from '../../src/formats/go-template.js';
import { generateFromConfig } from '../support/fixtures.js';

const hostile = [
  'plain',
  '{{ $labels.model }} and {{{ triple }}}',
  '"double" and \'single\' quotes',
  'hash # not a comment',
  'key: value, like YAML',
  'multi\nline\ntext',
  '  leading and trailing spaces  ',
  'ünïcödé ✓ 模型 🚀',
  '- looks like a list item',
  'true',
  '@at and `backtick` and %percent and *star &anchor !tag',
  'back\\slash and \\n not a newline',
];

/** What Prometheus or Alertmanager renders for an escaped literal (test/formats/go-template.test.ts proves it with promtool). */
function renderLiteral(template: string): string {
  return template.replaceAll('{{ "{{" }}', '{{');
}

describe('hostile strings', () => {
  it('come out of every YAML file exactly as they went in', async () => {
    const names = hostile.filter((s) => !s.includes('\n'));
    const config = {
      services: Object.fromEntries(names.map((name, i) => [name, { team: names[(i + 1) % names.length], discovery: { staticTargets: [`10.0.0.${i + 1}:80`] } }])),
      models: Object.fromEntries(names.map((name, i) => [`model ${name}`, { service: name, team: name, thresholds: { minAccuracy: 0.5 + i / 100 } }])),
      alerting: {
        defaultReceiver: names[0],
        // title and text are the user's Go templates: a literal `{{` in them is written as Go templates write it.
        receivers: Object.fromEntries(names.map((name) => [name, { slack: [{ channel: `#${name}`, apiUrlFile: '/etc/alertmanager/secrets/slack', title: escapeGoTemplate(name), text: escapeGoTemplate(hostile.join(' | ')) }] }])),
        routes: names.map((name) => ({ match: { team: name, labels: { custom: name } }, receiver: name })),
      },
      rules: { alerts: hostile.map((text, i) => ({ name: `Custom${i}`, expr: 'up == 0', summary: escapeGoTemplate(text), description: escapeGoTemplate(text), labels: { note: escapeGoTemplate(text) } })) },
    };
    const { files } = await generateFromConfig(config);
    const byPath = Object.fromEntries(files.filter((f) => /^(prometheus|alertmanager)\/.*\.ya?ml$/.test(f.path)).map((f) => [f.path, parse(f.content)]));

    const am = byPath['alertmanager/alertmanager.yml'];
    expect(am.receivers.map((r: { name: string }) => r.name)).toEqual(names);
    // Alertmanager executes these fields as Go templates: what it renders is the string that went in.
    expect(am.receivers.map((r: any) => renderLiteral(r.slack_configs[0].title))).toEqual(names);
    expect(am.receivers.map((r: any) => renderLiteral(r.slack_configs[0].channel))).toEqual(names.map((n) => `#${n}`));
    expect(renderLiteral(am.receivers[0].slack_configs[0].text)).toBe(hostile.join(' | '));

    const alerts = byPath['prometheus/rules/alerts.yml'].groups.find((g: { name: string }) => g.name === 'custom').rules;
    expect(alerts.map((r: any) => renderLiteral(r.annotations.summary))).toEqual(hostile);
    expect(alerts.map((r: any) => renderLiteral(r.annotations.description))).toEqual(hostile);
    expect(alerts.map((r: any) => renderLiteral(r.labels.note))).toEqual(hostile);

    const prometheus = byPath['prometheus/prometheus.yml'];
    const jobs = prometheus.scrape_configs.map((j: { job_name: string }) => j.job_name);
    for (const name of names) expect(jobs).toContain(name);

    const thresholds = byPath['prometheus/rules/thresholds.yml'].groups[0].rules;
    const modelInfo = thresholds.filter((r: any) => r.record === 'mlmon:model_info').map((r: any) => r.labels.model);
    expect(modelInfo).toEqual(names.map((n) => `model ${n}`));
  });

  it('reach Alertmanager matchers quoted so that the quotes and backslashes survive', async () => {
    const team = 'a "quoted" \\ team';
    const { files } = await generateFromConfig({
      alerting: { receivers: { default: {}, x: { webhook: [{ url: 'http://x.internal/' }] } }, routes: [{ match: { team }, receiver: 'x' }] },
    });
    const am = parse(files.find((f) => f.path === 'alertmanager/alertmanager.yml')!.content);
    expect(am.route.routes[0].matchers).toEqual([`team=${JSON.stringify(team)}`]);
  });
});
