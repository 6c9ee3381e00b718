/**
 * `mlmon diff`: the semantic summary (alerts, thresholds, routing, scrape jobs, receivers, dashboards,
 * Kubernetes objects, Logstash plugins), the unified diff, hand edits, --git, --format json and exit codes.
 * Fixture pairs run the built CLI in a scratch folder: generate with before.json, then diff with after.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { diffOutput, type OutputDiff } from '../../src/output/diff.js';
import { compareOutput } from '../../src/output/compare.js';
import { readOutputDir, type OutputSnapshot } from '../../src/output/read-output.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { generateFromConfig, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const fixtures = join(repoRoot, 'test/fixtures/diff');

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
function scratch(): string {
  const { dir, cleanup } = scratchDir('mlmon-diff-');
  cleanups.push(cleanup);
  return dir;
}

function mlmon(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', ['-c', 'user.name=mlmon test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
}

/** Every file under a folder with its content, to prove a command wrote nothing. */
function folderContents(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    (readdirSync(dir, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
      .filter((entry) => entry.isFile())
      .map((entry) => [join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name), 'utf8')]),
  );
}

interface DiffJson {
  generator: { name: string; version: string };
  before: string;
  after: string;
  different: boolean;
  handEdits: { path: string; nextGenerate: string; message: string }[];
  summary: { artifact: string; title: string; files: string[]; changes: { change: string; subject: string; text: string; fields?: unknown[] }[] }[];
  files: { path: string; status: string; patch: string }[];
}

const linesOf = (report: DiffJson | OutputDiff, artifact: string) => report.summary.find((s) => s.artifact === artifact)?.changes.map((c) => c.text) ?? [];

/** A scratch project whose out/ was generated from `before`, with `after` as its config now. */
function projectWith(before: string, after: string): string {
  const dir = scratch();
  cpSync(before, join(dir, 'monitoring.config.json'));
  const generated = mlmon(['generate'], dir);
  expect(generated.code, generated.stderr).toBe(0);
  cpSync(after, join(dir, 'monitoring.config.json'));
  return dir;
}

// The CLI runs the compiled dist/, as a user's install does (built once by test/support/global-setup.ts).
const bin = join(repoRoot, 'bin/mlmon.js');


interface Expected {
  description: string;
  exitCode: number;
  /** These sections, exactly (an empty list: the section has no changes). */
  sections: Record<string, string[]>;
  /** Some line of the section contains each text (sections another artifact's renderer shapes). */
  someLineContains?: Record<string, string[]>;
  /** Texts no summary line may contain. */
  nowhere?: string[];
}

const fixtureCases = readdirSync(fixtures, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(fixtures, entry.name, 'before.json')))
  .map((entry) => ({ name: entry.name, expected: JSON.parse(readFileSync(join(fixtures, entry.name, 'expected.json'), 'utf8')) as Expected }));

describe('mlmon diff on fixture pairs (generate with before.json, diff with after.json)', () => {
  it('has fixture pairs to run', () => {
    expect(fixtureCases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(fixtureCases.map((c) => [c.expected.description, c] as const))('%s', (_description, { name, expected }) => {
    const dir = projectWith(join(fixtures, name, 'before.json'), join(fixtures, name, 'after.json'));
    const out = folderContents(join(dir, 'out'));
    const result = mlmon(['diff', '--format', 'json', '--exit-code'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(expected.exitCode);
    const report = JSON.parse(result.stdout) as DiffJson;
    expect(report.different).toBe(expected.exitCode === 1);
    for (const [artifact, lines] of Object.entries(expected.sections)) expect(linesOf(report, artifact), artifact).toEqual(lines);
    for (const [artifact, texts] of Object.entries(expected.someLineContains ?? {})) {
      for (const text of texts) expect(linesOf(report, artifact).some((line) => line.includes(text)), `${artifact}: ${text}`).toBe(true);
    }
    const everyLine = report.summary.flatMap((s) => s.changes.map((c) => c.text));
    for (const text of expected.nowhere ?? []) expect(everyLine.filter((line) => line.includes(text)), text).toEqual([]);
    // diff only reads.
    expect(folderContents(join(dir, 'out'))).toEqual(out);
  });
});

describe('mlmon diff, text report and exit codes', () => {
  it('prints the summary first, then a unified diff, and exits 0 without --exit-code', () => {
    const dir = projectWith(join(fixtures, 'raise-model-accuracy/before.json'), join(fixtures, 'raise-model-accuracy/after.json'));
    const result = mlmon(['diff'], dir);
    expect(result.code).toBe(0);
    const summaryAt = result.stdout.indexOf('~ ModelAccuracyDrop threshold for model fraud-detector: 0.9 → 0.95');
    const patchAt = result.stdout.indexOf('--- a/prometheus/rules/thresholds.yml\tout');
    expect(summaryAt).toBeGreaterThan(0);
    expect(patchAt).toBeGreaterThan(summaryAt);
    expect(result.stdout).toContain('+++ b/prometheus/rules/thresholds.yml\tgenerated from monitoring.config.json');
    expect(result.stdout).toMatch(/^-\s+expr: vector\(0\.9\)$/m);
    expect(result.stdout).toMatch(/^\+\s+expr: vector\(0\.95\)$/m);
    // Not a terminal, so no colour.
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('colours the report on a terminal, and not when NO_COLOR is set', () => {
    const dir = projectWith(join(fixtures, 'raise-model-accuracy/before.json'), join(fixtures, 'raise-model-accuracy/after.json'));
    // util-linux `script` runs the command on a pseudo-terminal.
    const onTerminal = (env: Record<string, string>) =>
      execFileSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} diff`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...withoutColorVariables(), ...env } });
    const coloured = onTerminal({});
    expect(coloured).toContain('\u001b[33m~\u001b[39m ModelAccuracyDrop threshold for model fraud-detector: 0.9 → 0.95');
    expect(coloured).toMatch(/\u001b\[31m-\s+expr: vector\(0\.9\)\u001b\[39m/);
    expect(coloured).toMatch(/\u001b\[32m\+\s+expr: vector\(0\.95\)\u001b\[39m/);
    expect(onTerminal({ NO_COLOR: '1' })).not.toMatch(/\u001b\[/);
  });

  it('says the output is up to date when nothing differs, and exits 0 with --exit-code', () => {
    const dir = projectWith(join(fixtures, 'unchanged/before.json'), join(fixtures, 'unchanged/after.json'));
    const result = mlmon(['diff', '--exit-code'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('✓ out is up to date with monitoring.config.json\n');
  });

  it('prints a JSON document with the summary, the hand edits and one unified patch per differing file', () => {
    const dir = projectWith(join(fixtures, 'receiver-channel/before.json'), join(fixtures, 'receiver-channel/after.json'));
    const report = JSON.parse(mlmon(['diff', '--format', 'json'], dir).stdout) as DiffJson;
    expect(Object.keys(report)).toEqual(['generator', 'before', 'after', 'different', 'handEdits', 'summary', 'files']);
    expect(report).toMatchObject({ generator: { name: 'mlmon' }, before: 'out', after: 'monitoring.config.json', different: true, handEdits: [] });
    const alertmanager = report.summary.find((s) => s.artifact === 'alertmanager')!;
    expect(alertmanager).toMatchObject({ title: 'Alertmanager (receivers, routes and settings)', files: ['alertmanager/alertmanager.yml'] });
    expect(alertmanager.changes).toEqual([
      {
        change: 'changed',
        subject: 'receiver ml-team',
        text: 'receiver ml-team: slack_configs[0].channel: #ml-team → #ml-risk',
        fields: [{ field: 'slack_configs[0].channel', before: '#ml-team', after: '#ml-risk' }],
      },
    ]);
    const file = report.files.find((f) => f.path === 'alertmanager/alertmanager.yml')!;
    expect(file.status).toBe('changed');
    expect(file.patch).toMatch(/^--- a\/alertmanager\/alertmanager\.yml\tout\n\+\+\+ b\/alertmanager\/alertmanager\.yml\tgenerated from monitoring\.config\.json\n@@ /);
    expect(file.patch).toContain('-      - channel: "#ml-team"');
    // Every file a summary is about has its patch.
    for (const path of report.summary.flatMap((s) => s.files)) expect(report.files.map((f) => f.path)).toContain(path);
    expect(report.files.every((f) => f.patch.includes('\n@@ '))).toBe(true);
  });

  it('exits 2 with a clear message when it cannot run', () => {
    const dir = projectWith(join(fixtures, 'unchanged/before.json'), join(fixtures, 'unchanged/after.json'));
    const missing = mlmon(['diff', '--against', 'no-such-folder'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: folder not found: no-such-folder');

    const both = mlmon(['diff', '--against', 'out', '--git', 'HEAD'], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--against.*cannot be used with option '--git/);

    const format = mlmon(['diff', '--format', 'yaml'], dir);
    expect(format.code).toBe(2);

    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify({ models: { m: { service: 'nowhere' } } }));
    const broken = mlmon(['diff', '--exit-code'], dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('nothing to compare');
    expect(broken.stdout).toBe('');
  });

  it('compares with another folder given by --against', () => {
    const dir = projectWith(join(fixtures, 'raise-model-accuracy/before.json'), join(fixtures, 'raise-model-accuracy/after.json'));
    cpSync(join(dir, 'out'), join(dir, 'deployed'), { recursive: true });
    expect(mlmon(['generate'], dir).code).toBe(0);
    expect(mlmon(['diff', '--exit-code'], dir).code).toBe(0);
    const report = JSON.parse(mlmon(['diff', '--against', 'deployed', '--format', 'json'], dir).stdout) as DiffJson;
    expect(report.before).toBe('deployed');
    expect(linesOf(report, 'alert-rules')).toEqual(['ModelAccuracyDrop threshold for model fraud-detector: 0.9 → 0.95']);
  });
});

describe('mlmon diff --git', () => {
  it('compares with out/ as committed at a ref, not with what is on disk', () => {
    const dir = projectWith(join(fixtures, 'route-warnings-to-ml-team/before.json'), join(fixtures, 'route-warnings-to-ml-team/after.json'));
    git(['init', '-q'], dir);
    git(['add', '.'], dir);
    git(['commit', '-q', '-m', 'before'], dir);
    // On disk, out/ already matches the new config; at HEAD it doesn't.
    expect(mlmon(['generate'], dir).code).toBe(0);
    expect(mlmon(['diff', '--exit-code'], dir).code).toBe(0);

    const result = mlmon(['diff', '--git', 'HEAD', '--format', 'json', '--exit-code'], dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DiffJson;
    expect(report.before).toBe('out at HEAD');
    expect(linesOf(report, 'routing')).toContain('HighLatency (warning): slack-warnings → ml-team');
    expect(report.files.find((f) => f.path === 'alertmanager/alertmanager.yml')?.patch).toContain('-    - receiver: slack-warnings');
  });

  it('finds out/ from a subfolder of the repository and names a hand edit committed there', () => {
    const repo = scratch();
    const dir = join(repo, 'monitoring');
    mkdirSync(dir);
    cpSync(join(fixtures, 'unchanged/before.json'), join(dir, 'monitoring.config.json'));
    expect(mlmon(['generate'], dir).code).toBe(0);
    writeFileSync(join(dir, 'out/prometheus/rules/alerts.yml'), `${readFileSync(join(dir, 'out/prometheus/rules/alerts.yml'), 'utf8')}# tuned by hand\n`);
    git(['init', '-q'], repo);
    git(['add', '.'], repo);
    git(['commit', '-q', '-m', 'hand edit'], repo);
    const result = mlmon(['diff', '--git', 'main'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('! out/prometheus/rules/alerts.yml at main was edited by hand since mlmon generated it; the next generate overwrites it');
    expect(result.stdout).toContain('-# tuned by hand');
  });

  it('exits 2 for a ref that does not exist, and outside a git repository', () => {
    const dir = projectWith(join(fixtures, 'unchanged/before.json'), join(fixtures, 'unchanged/after.json'));
    const outside = mlmon(['diff', '--git', 'main'], dir);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('--git needs a git repository');
    git(['init', '-q'], dir);
    git(['add', '.'], dir);
    git(['commit', '-q', '-m', 'init'], dir);
    const bad = mlmon(['diff', '--git', 'no-such-branch', '--exit-code'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: git ref not found: no-such-branch');
    expect(bad.stdout).toBe('');
  });
});

describe('hand edits', () => {
  it('diff names a generated file edited by hand, and --exit-code counts it as a difference', () => {
    const dir = projectWith(join(fixtures, 'unchanged/before.json'), join(fixtures, 'unchanged/after.json'));
    const file = join(dir, 'out/prometheus/rules/alerts.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('for: 5m', 'for: 30m'));
    const text = mlmon(['diff', '--exit-code'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('! out/prometheus/rules/alerts.yml was edited by hand since mlmon generated it; the next generate overwrites it');
    const report = JSON.parse(mlmon(['diff', '--format', 'json'], dir).stdout) as DiffJson;
    expect(report.handEdits).toEqual([
      { path: 'prometheus/rules/alerts.yml', nextGenerate: 'overwrites', message: 'out/prometheus/rules/alerts.yml was edited by hand since mlmon generated it; the next generate overwrites it' },
    ]);
    expect(linesOf(report, 'alert-rules')).toEqual(['alert HighCPUUsage: for 30m → 5m']);
    // generate reads only mlmon's paths of out/, diff the whole folder: the one comparison finds the same edits in both.
    const out = join(dir, 'out');
    const paths = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(out.length + 1));
    const generatesReading = compareOutput(readOutputDir(out, 'out', { paths: paths.filter((p) => p !== 'prometheus/rules/alerts.yml') }), []);
    expect(generatesReading.handEdits).toEqual([{ path: 'prometheus/rules/alerts.yml', nextGenerate: 'removes' }]);
    expect(compareOutput(readOutputDir(out, 'out'), []).handEdits).toEqual(generatesReading.handEdits);
  });

  it('a hand-edited file the config no longer generates is one the next generate removes', () => {
    const dir = projectWith(join(fixtures, 'unchanged/before.json'), join(fixtures, 'unchanged/after.json'));
    const config = JSON.parse(readFileSync(join(dir, 'monitoring.config.json'), 'utf8')) as MonitoringConfig;
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify({ ...config, rules: { recording: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] } }));
    expect(mlmon(['generate'], dir).code).toBe(0);
    writeFileSync(join(dir, 'out/prometheus/rules/recording.yml'), `${readFileSync(join(dir, 'out/prometheus/rules/recording.yml'), 'utf8')}# mine\n`);
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(config));
    const report = JSON.parse(mlmon(['diff', '--format', 'json'], dir).stdout) as DiffJson;
    expect(report.handEdits).toEqual([
      { path: 'prometheus/rules/recording.yml', nextGenerate: 'removes', message: 'out/prometheus/rules/recording.yml was edited by hand since mlmon generated it; the next generate removes it' },
    ]);
    expect(linesOf(report, 'alert-rules')).toEqual(['rule group custom-recording (recording.yml) removed', 'recording rule job:up:sum removed']);
  });

  it('files in out/ that mlmon never generated are not reported as removed', () => {
    const dir = projectWith(join(fixtures, 'unchanged/before.json'), join(fixtures, 'unchanged/after.json'));
    writeFileSync(join(dir, 'out/NOTES.md'), 'ours, not mlmon\'s\n');
    const result = mlmon(['diff', '--exit-code'], dir);
    expect(result.code).toBe(0);
  });
});

describe('diffOutput on hand-made dashboards, Kubernetes manifests and Logstash pipelines', () => {
  it('reports dashboards by uid and panels by title, Kubernetes objects by kind and name, Logstash plugins by section', () => {
    const before = readOutputDir(join(fixtures, 'hand-made/before'), 'before');
    const after = readOutputDir(join(fixtures, 'hand-made/after'), 'after');
    const result = diffOutput(before, filesOf(after), { before: 'before', after: 'after' });
    const expected = JSON.parse(readFileSync(join(fixtures, 'hand-made/expected.json'), 'utf8')) as Record<string, string[]>;
    const actual = Object.fromEntries(result.summary.map((s) => [s.artifact, s.changes.map((c) => `${c.change}: ${c.text}`)]));
    expect(actual).toEqual(expected);
    expect(result.files.map((f) => `${f.status} ${f.path}`)).toEqual([
      'changed grafana/dashboards/models.json',
      'added grafana/dashboards/new.json',
      'removed grafana/dashboards/old.json',
      'changed k8s/prometheus.yaml',
      'changed logstash/pipeline/logstash.conf',
    ]);
    expect(result.files.find((f) => f.path === 'grafana/dashboards/new.json')?.patch).toMatch(/^--- \/dev\/null\tbefore\n\+\+\+ b\/grafana\/dashboards\/new\.json\tafter\n@@ -0,0 \+1,1 @@/);
  });

  it('names a rule a hand edit broke, and reads the rest of its file', async () => {
    const generated = await generateFromConfig(JSON.parse(readFileSync(join(fixtures, 'unchanged/before.json'), 'utf8')));
    const alerts = generated.files.find((f) => f.path === 'prometheus/rules/alerts.yml')!;
    const broken = alerts.content.replace('summary: High CPU usage on {{ $labels.instance }}', 'summary: "High CPU usage');
    expect(broken).not.toBe(alerts.content);
    const result = diffOutput(snapshotOf({ [alerts.path]: broken }), [alerts], { before: 'a', after: 'b' });
    expect(linesOf(result, 'alert-rules')).toEqual([
      'a rule in prometheus/rules/alerts.yml (the current output) could not be read; see the text diff',
      'alert HighCPUUsage added (severity warning, for 5m)',
    ]);
  });

  it('reports a file it cannot read as such, and summarises the rest', () => {
    const before = snapshotOf({ 'prometheus/rules/alerts.yml': 'groups: [\n', 'grafana/dashboards/x.json': '{' });
    const result = diffOutput(before, [{ path: 'prometheus/rules/alerts.yml', content: 'groups: []\n' }, { path: 'grafana/dashboards/x.json', content: '{"uid":"x","title":"X","panels":[]}' }], { before: 'a', after: 'b' });
    expect(linesOf(result, 'alert-rules')).toEqual([expect.stringMatching(/^prometheus\/rules\/alerts\.yml could not be read as Prometheus rules \(the current output: .+\); see the text diff$/)]);
    expect(linesOf(result, 'dashboards')).toEqual([
      expect.stringMatching(/^grafana\/dashboards\/x\.json \(the current output\) is not valid JSON: .+; see the text diff$/),
      'dashboard "X" added (0 panels)',
    ]);
  });
});

function withoutColorVariables(): Record<string, string> {
  const { NO_COLOR: _no, FORCE_COLOR: _force, TERM: _term, ...env } = process.env;
  return { ...(env as Record<string, string>), TERM: 'xterm' };
}

function filesOf(snapshot: OutputSnapshot): RenderedFile[] {
  return [...snapshot.files].map(([path, content]) => ({ path, content }));
}

function snapshotOf(files: Record<string, string>): OutputSnapshot {
  return { label: 'out', files: new Map(Object.entries(files)), manifest: undefined, manifestText: undefined, exists: true };
}
