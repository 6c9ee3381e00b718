/**
 * The one routing evaluator (src/formats/alertmanager-routing.ts), judged by Alertmanager itself: for route trees
 * with `continue`, nesting, inherited receivers, regex matchers and label values with special characters, the
 * receivers it names must equal what the pinned `amtool config routes test` prints. The routing proofs and the
 * diff both use it; the proofs' expectations are checked against amtool here too, and the order of a route's
 * matchers must not depend on the machine's locale.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { parseMatchers, readRouteTree, receiversFor } from '../../src/formats/alertmanager-routing.js';
import { matchOf } from '../../src/normalize/routing.js';
import { renderAlertmanagerConfig, renderRoutingTests } from '../../src/render/alertmanager.js';
import { createTemplates } from '../../src/render/templating.js';
import { modelOf, scratchDir } from '../support/fixtures.js';
import { repoRoot, tool } from '../support/tools.js';

const run = promisify(execFile);
const scratch = scratchDir('mlmon-routing-');
afterAll(() => scratch.cleanup());

let files = 0;
/** Writes an alertmanager.yml into the scratch folder; amtool must accept it, so no tree here is one it rejects. */
async function configFile(yaml: string): Promise<string> {
  const file = join(scratch.dir, `alertmanager-${files++}.yml`);
  writeFileSync(file, yaml);
  await run(tool('amtool'), ['check-config', file]);
  return file;
}

/** What amtool prints for an alert with these labels: each value quoted as Go reads it, so any character survives. */
async function amtoolReceivers(file: string, labels: Readonly<Record<string, string>>): Promise<string[]> {
  const args = Object.entries(labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  const { stdout } = await run(tool('amtool'), ['config', 'routes', 'test', `--config.file=${file}`, ...args]);
  return stdout.trim().split(',');
}

const receiversList = (names: string[]) => `receivers:\n${names.map((n) => `  - name: ${n}\n`).join('')}`;

interface RouteTreeCase {
  readonly tree: string;
  readonly yaml: string;
  readonly labelSets: readonly Readonly<Record<string, string>>[];
}

const example = readFileSync(join(repoRoot, 'out/alertmanager/alertmanager.yml'), 'utf8');
const exampleCases = (parse(readFileSync(join(repoRoot, 'out/alertmanager/routing-tests.yml'), 'utf8')) as { cases: { labels: Record<string, string> }[] }).cases;

const trees: RouteTreeCase[] = [
  {
    tree: "the example's alertmanager.yml",
    yaml: example,
    labelSets: [...exampleCases.map((c) => c.labels), { severity: 'critical', alertname: 'ModelAccuracyDrop' }, { severity: 'Critical' }, {}],
  },
  {
    tree: 'match, match_re and matchers, nested, with negative matchers in braces',
    yaml: `route:
  receiver: default
  routes:
    - receiver: pager
      matchers: ['severity="critical"', 'team=~"ml-.*"']
      continue: true
    - receiver: ml
      match: { team: ml-risk }
      routes:
        - receiver: risk-warnings
          matchers: ['{severity!="critical", alertname!~"Model.+"}']
    - receiver: platform
      match_re: { team: "platform|infra" }
    - receiver: catch-all-models
      matchers: [model=~".+"]
${receiversList(['default', 'pager', 'ml', 'risk-warnings', 'platform', 'catch-all-models'])}`,
    labelSets: [
      { alertname: 'ModelAccuracyDrop', severity: 'critical', team: 'ml-risk', model: 'fraud-detector' },
      { alertname: 'DataDriftDetected', severity: 'warning', team: 'ml-risk', model: 'fraud-detector' },
      { alertname: 'ModelAccuracyDrop', severity: 'warning', team: 'ml-risk' },
      { alertname: 'HighCPUUsage', severity: 'critical', team: 'platform' },
      { alertname: 'HighLatency', severity: 'warning', team: 'infra' },
      { alertname: 'HighLatency', severity: 'critical', team: 'ml-platform' },
      { alertname: 'LowPredictionConfidence', severity: 'warning', team: 'growth', model: 'churn' },
      { alertname: 'Unrouted', severity: 'info' },
      // Anchoring: `platform|infra` is `^(?:platform|infra)$`, not `^platform|infra$`.
      { team: 'platformx' },
      { team: 'xinfra' },
    ],
  },
  {
    tree: 'continue at several depths, a receiver reached twice, inherited receivers and a parent that takes what no child matches',
    yaml: `route:
  receiver: root
  routes:
    - receiver: audit
      matchers: ['audit="yes"']
      continue: true
    - receiver: team-a
      matchers: ['team="a"']
      continue: true
      routes:
        - matchers: ['severity="critical"']
          continue: true
        - receiver: a-warnings
          matchers: ['severity=~"warning|critical"']
          routes:
            - receiver: a-warnings-db
              matchers: ['service="db"']
              continue: true
            - receiver: audit
              matchers: ['service=~"db|web"']
    - receiver: team-b
      matchers: ['team=~"a|b"']
    - receiver: never
      matchers: ['team="a"']
${receiversList(['root', 'audit', 'team-a', 'a-warnings', 'a-warnings-db', 'team-b', 'never'])}`,
    labelSets: [
      { team: 'a', severity: 'critical', service: 'db' },
      { team: 'a', severity: 'critical', service: 'web', audit: 'yes' },
      { team: 'a', severity: 'warning', service: 'db' },
      { team: 'a', severity: 'warning', service: 'cache' },
      { team: 'a', severity: 'info' },
      { team: 'a', audit: 'yes' },
      { team: 'b', severity: 'critical' },
      { audit: 'yes' },
      { team: 'c' },
    ],
  },
  {
    tree: "regex matchers in Go's syntax: flags, POSIX classes, escapes, runes and the empty value",
    yaml: `route:
  receiver: default
  routes:
    - receiver: case-blind
      matchers: ['team=~"(?i)ml-(risk|ops)"']
    - receiver: posix
      matchers: ['team=~"[[:upper:]][[:digit:]]+"']
    - receiver: digits
      matchers: ['team=~"\\\\d{3}\\\\-x"']
    - receiver: one-rune
      matchers: ['team=~"é."']
    - receiver: spaced
      matchers: ['team=~"a\\\\sb"']
    - receiver: literal-dots
      matchers: ['team=~"\\\\Qv1.2\\\\E"']
    - receiver: no-model
      matchers: ['team="x"', 'model=""']
    - receiver: any-model
      matchers: ['team="x"', 'model=~".*"']
${receiversList(['default', 'case-blind', 'posix', 'digits', 'one-rune', 'spaced', 'literal-dots', 'no-model', 'any-model'])}`,
    labelSets: [
      { team: 'ML-Risk' },
      { team: 'ml-riskx' },
      { team: 'A12' },
      { team: 'a12' },
      { team: '123-x' },
      { team: '12-x' },
      { team: 'é😀' },
      { team: 'éab' },
      { team: 'a b' },
      { team: 'a\u00a0b' },
      { team: 'v1.2' },
      { team: 'v1x2' },
      { team: 'x' },
      { team: 'x', model: 'm' },
      { team: 'x', model: '' },
    ],
  },
  {
    tree: 'label values with quotes, backslashes, commas, braces, newlines and non-ASCII characters',
    yaml: `route:
  receiver: default
  routes:
    - receiver: quoted
      matchers: ['summary="say \\"hi\\", then {go}"']
    - receiver: backslash
      matchers: ['path="C:\\\\temp\\\\x"']
    - receiver: newline
      matchers: ['text="line1\\nline2"']
    - receiver: unicode
      matchers: ['owner="Zoë 🚀"']
    - receiver: comma-regex
      matchers: ['list=~"a,b|c\\\\.d"']
${receiversList(['default', 'quoted', 'backslash', 'newline', 'unicode', 'comma-regex'])}`,
    labelSets: [
      { summary: 'say "hi", then {go}' },
      { summary: 'say "hi" then {go}' },
      { path: 'C:\\temp\\x' },
      { path: 'C:\\\\temp\\\\x' },
      { text: 'line1\nline2' },
      { text: 'line1\\nline2' },
      { owner: 'Zoë 🚀' },
      { owner: 'Zoe 🚀' },
      { list: 'a,b' },
      { list: 'c.d' },
      { list: 'cxd' },
    ],
  },
];

describe('the routing evaluator against amtool config routes test', () => {
  it.each(trees.map((t) => [t.tree, t] as const))('names the receivers amtool names, in its order, for %s', async (_tree, { yaml, labelSets }) => {
    const file = await configFile(yaml);
    const tree = readRouteTree(parse(yaml))!;
    const ours = labelSets.map((labels) => ({ labels, receivers: receiversFor(tree, labels) }));
    const amtool = await Promise.all(labelSets.map(async (labels) => ({ labels, receivers: await amtoolReceivers(file, labels) })));
    expect(ours).toEqual(amtool);
  });

  it('tells apart what the table covers: a receiver twice, a parent taking the alert, a regex anchored at both ends', () => {
    const [, nested, deep] = trees;
    expect(receiversFor(readRouteTree(parse(deep!.yaml))!, { team: 'a', severity: 'critical', service: 'db' })).toEqual(['team-a', 'a-warnings-db', 'audit', 'team-b']);
    expect(receiversFor(readRouteTree(parse(deep!.yaml))!, { team: 'a', severity: 'info' })).toEqual(['team-a', 'team-b']);
    expect(receiversFor(readRouteTree(parse(nested!.yaml))!, { team: 'platformx' })).toEqual(['default']);
  });

  it.each([
    ['severity="critical"', [{ label: 'severity', op: '=', value: 'critical' }]],
    ['{team=~"ml-.*", model!=""}', [{ label: 'team', op: '=~', value: 'ml-.*' }, { label: 'model', op: '!=', value: '' }]],
    ['alertname!~Model.+', [{ label: 'alertname', op: '!~', value: 'Model.+' }]],
    ['summary="say \\"hi\\", then go"', [{ label: 'summary', op: '=', value: 'say "hi", then go' }]],
    ['text="tab\\there\\x21 \\u00e9"', [{ label: 'text', op: '=', value: 'tab\there! é' }]],
  ])('reads the matcher %s as Alertmanager does', (text, expected) => {
    expect(parseMatchers(text).map(({ label, op, value }) => ({ label, op, value }))).toEqual(expected);
  });
});

const receivers = { default: {}, pager: {}, team: {}, labelled: {}, first: {}, second: {} };
const routedConfig: MonitoringConfig = {
  alerting: {
    defaultReceiver: 'default',
    receivers,
    routes: [
      { receiver: 'pager', match: { severity: 'critical' }, continue: true },
      { receiver: 'team', match: { team: ['ml-platform', 'platform'], severity: ['warning', 'critical'] }, routes: [{ receiver: 'labelled', match: { labels: { Zone: 'eu "west"', zone: 'a\\b' } } }] },
      { receiver: 'first', match: { alertname: ['ModelAccuracyDrop', 'DataDriftDetected'] }, continue: true },
      { receiver: 'second', match: { labels: { teamA: 'x', team_b: 'y.z' } } },
    ],
  },
} as MonitoringConfig;

describe('the routing proofs', () => {
  it("expect, for every case, the receivers amtool names on the rendered alertmanager.yml", async () => {
    const model = modelOf(routedConfig);
    const file = await configFile(renderAlertmanagerConfig(model, createTemplates(undefined)).content);
    const cases = model.routingTests;
    expect(cases.length).toBeGreaterThan(10);
    const amtool = await Promise.all(cases.map(async (c) => ({ name: c.name, receivers: await amtoolReceivers(file, c.labels) })));
    expect(cases.map((c) => ({ name: c.name, receivers: c.receivers }))).toEqual(amtool);
  });
});

describe('the order of a route matchers', () => {
  // Pairs where the locale's order (ICU) and code-unit order disagree: case, and `_` against letters.
  const labels = { teamA: '1', team_b: '2', Zone: '3', app: '4', zone: '5' };
  const codeUnitOrder = ['Zone', 'app', 'teamA', 'team_b', 'zone'];

  it('is code-unit order, which here differs from localeCompare', () => {
    expect(Object.keys(matchOf({ labels }))).toEqual(codeUnitOrder);
    expect([...codeUnitOrder].sort((a, b) => a.localeCompare(b))).not.toEqual(codeUnitOrder);
  });

  const rendered = (labelsInConfig: Record<string, string>) => {
    const config = { alerting: { defaultReceiver: 'default', receivers: { default: {}, x: {} }, routes: [{ receiver: 'x', match: { labels: labelsInConfig } }] } } as MonitoringConfig;
    const model = modelOf(config);
    const templates = createTemplates(undefined);
    return { alertmanager: renderAlertmanagerConfig(model, templates).content, routingTests: renderRoutingTests(model, templates).content };
  };
  const reversed = Object.fromEntries(Object.entries(labels).reverse());

  it('is the same in alertmanager.yml whatever order the config lists the labels in', () => {
    const yaml = rendered(labels).alertmanager;
    expect(rendered(reversed).alertmanager).toBe(yaml);
    const routes = (parse(yaml) as { route: { routes: { matchers: string[] }[] } }).route.routes;
    expect(routes[0]!.matchers.map((m) => m.split('=')[0])).toEqual(codeUnitOrder);
  });

  it("is the order of the labels of the route's case in routing-tests.yml", () => {
    const yaml = rendered(labels).routingTests;
    expect(rendered(reversed).routingTests).toBe(yaml);
    const cases = (parse(yaml) as { cases: { name: string; labels: Record<string, string> }[] }).cases;
    const own = cases.find((c) => c.name === 'what alerting.routes[0] matches')!;
    expect(Object.keys(own.labels)).toEqual(codeUnitOrder);
  });
});
