/**
 * `mlmon generate --check` (CI's "is out/ committed and current?") and the notice `generate` gives when it
 * overwrites a generated file someone edited by hand. The built CLI, in scratch folders.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const baseConfig = join(repoRoot, 'test/fixtures/diff/unchanged/before.json');

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function mlmon(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A scratch project with the base config, generated once unless told otherwise. */
function project(options: { generate?: boolean; config?: (config: MonitoringConfig) => MonitoringConfig } = {}): string {
  const { dir, cleanup } = scratchDir('mlmon-check-');
  cleanups.push(cleanup);
  cpSync(baseConfig, join(dir, 'monitoring.config.json'));
  if (options.config) setConfig(dir, options.config);
  if (options.generate !== false) expect(mlmon(['generate'], dir).code).toBe(0);
  return dir;
}

function setConfig(dir: string, change: (config: MonitoringConfig) => MonitoringConfig): void {
  const config = JSON.parse(readFileSync(baseConfig, 'utf8')) as MonitoringConfig;
  writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(change(config)));
}

/** Every file under out/ with its content and modification time: a command that wrote nothing leaves it equal. */
function outState(dir: string): Record<string, string> {
  const out = join(dir, 'out');
  if (!existsSync(out)) return {};
  return Object.fromEntries(
    (readdirSync(out, { recursive: true }) as string[])
      .map((path) => join(out, path))
      .filter((path) => statSync(path).isFile())
      .map((path) => [path, `${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`]),
  );
}

// The CLI runs the compiled dist/, as a user's install does (built once by test/support/global-setup.ts).
const bin = join(repoRoot, 'bin/mlmon.js');


const withRecordingRule = (config: MonitoringConfig): MonitoringConfig => ({ ...config, rules: { recording: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] } });
const raisedAccuracy = (config: MonitoringConfig): MonitoringConfig => ({
  ...config,
  models: { ...config.models, 'fraud-detector': { ...config.models!['fraud-detector']!, thresholds: { minAccuracy: 0.95 } } },
});

describe('mlmon generate --check', () => {
  it('exits 0 and says so when out/ is what the config generates', () => {
    const dir = project();
    const before = outState(dir);
    const result = mlmon(['generate', '--check'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('✓ out is up to date with monitoring.config.json\n');
    expect(outState(dir)).toEqual(before);
  });

  it.each([
    {
      name: 'a config change makes generated files stale',
      prepare: (dir: string) => setConfig(dir, raisedAccuracy),
      stale: ['changed .mlmon-manifest.json', 'changed prometheus/rules/thresholds.yml'],
    },
    {
      name: 'a generated file was deleted',
      prepare: (dir: string) => rmSync(join(dir, 'out/prometheus/rules/alerts.yml')),
      stale: ['missing prometheus/rules/alerts.yml'],
    },
    {
      name: 'a file the config no longer generates is still there',
      generateWith: withRecordingRule,
      prepare: (dir: string) => setConfig(dir, (config) => config),
      stale: ['changed .mlmon-manifest.json', 'extra prometheus/rules/recording.yml'],
    },
    {
      name: 'a generated file was edited by hand',
      prepare: (dir: string) => writeFileSync(join(dir, 'out/alertmanager/alertmanager.yml'), `${readFileSync(join(dir, 'out/alertmanager/alertmanager.yml'), 'utf8')}# muted for the weekend\n`),
      stale: ['changed alertmanager/alertmanager.yml (edited by hand since mlmon generated it)'],
    },
  ])('exits 1, names the stale files and writes nothing when $name', ({ prepare, stale, generateWith }) => {
    const dir = project(generateWith ? { config: generateWith } : {});
    prepare(dir);
    const before = outState(dir);
    const result = mlmon(['generate', '--check'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('✗ out is stale; run `mlmon generate` and commit the result:');
    // Stale files of the other artifacts (dashboards, Kubernetes manifests that embed the rules) may be named too.
    for (const line of stale) expect(lines).toContain(`    ${line}`);
    expect(lines.slice(1).every((line) => /^ {4}(changed|missing|extra) \S+/.test(line))).toBe(true);
    expect(outState(dir)).toEqual(before);
  });

  it('exits 1 and creates nothing when out/ does not exist yet', () => {
    const dir = project({ generate: false });
    const result = mlmon(['generate', '--check'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('    missing prometheus/rules/thresholds.yml');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('leaves files in out/ that mlmon never generated alone', () => {
    const dir = project();
    writeFileSync(join(dir, 'out/NOTES.md'), 'ours\n');
    expect(mlmon(['generate', '--check'], dir).code).toBe(0);
  });
});

describe('generate --check and diff --exit-code agree (one comparison of out/ behind both)', () => {
  const staleness = {
    'up to date': () => undefined,
    'a stale file (the config changed)': (dir: string) => setConfig(dir, raisedAccuracy),
    'a file edited by hand': (dir: string) => writeFileSync(join(dir, 'out/prometheus/rules/alerts.yml'), readFileSync(join(dir, 'out/prometheus/rules/alerts.yml'), 'utf8').replace('for: 5m', 'for: 30m')),
    'an extra file (the config no longer generates it)': (dir: string) => setConfig(dir, (config) => config),
    'a hand edit that is exactly what the config now generates': (dir: string) => {
      const raised = project({ config: raisedAccuracy });
      writeFileSync(join(dir, 'out/prometheus/rules/thresholds.yml'), readFileSync(join(raised, 'out/prometheus/rules/thresholds.yml'), 'utf8'));
      setConfig(dir, raisedAccuracy);
    },
    'a deleted manifest (every file as generated)': (dir: string) => rmSync(join(dir, 'out/.mlmon-manifest.json')),
    "a deleted manifest and a file of the user's": (dir: string) => {
      rmSync(join(dir, 'out/.mlmon-manifest.json'));
      writeFileSync(join(dir, 'out/NOTES.md'), 'ours\n');
    },
  };
  it.each(Object.entries(staleness))('on %s: the same exit code, the same files, the same hand edits', (name, prepare) => {
    // Generated with a recording rule, which only the extra-file case drops from the config.
    const dir = project({ config: withRecordingRule });
    if (!name.startsWith('an extra')) {
      setConfig(dir, (config) => config);
      expect(mlmon(['generate'], dir).code).toBe(0);
    }
    prepare(dir);
    const check = mlmon(['generate', '--check'], dir);
    const diff = mlmon(['diff', '--exit-code', '--format', 'json'], dir);
    expect(diff.code).toBe(check.code);
    expect(check.code).toBe(name === 'up to date' ? 0 : 1);
    const report = JSON.parse(diff.stdout) as { different: boolean; files: { path: string; status: string }[]; handEdits: { path: string }[] };
    expect(report.different).toBe(check.code === 1);
    const listed = check.stderr.split('\n').filter((line) => line.startsWith('    ')).map((line) => /^ {4}(\S+) (\S+)( \(edited by hand)?/.exec(line)!);
    const status = { added: 'missing', removed: 'extra', changed: 'changed' } as Record<string, string>;
    expect(listed.filter((m) => m[2] !== '.mlmon-manifest.json').map((m) => `${m[1]} ${m[2]}`)).toEqual(report.files.map((f) => `${status[f.status]} ${f.path}`));
    expect(listed.filter((m) => m[3]).map((m) => m[2])).toEqual(report.handEdits.map((e) => e.path).filter((path) => report.files.some((f) => f.path === path)));
    if (name.startsWith('a file edited')) expect(report.handEdits.map((e) => e.path)).toEqual(['prometheus/rules/alerts.yml']);
    if (name.startsWith('an extra')) expect(report.files).toContainEqual(expect.objectContaining({ path: 'prometheus/rules/recording.yml', status: 'removed' }));
  });
});

describe('mlmon generate over a hand edit', () => {
  it('says which file had been edited by hand and that the edit was overwritten', () => {
    const dir = project();
    const file = join(dir, 'out/prometheus/rules/alerts.yml');
    const generated = readFileSync(file, 'utf8');
    writeFileSync(file, generated.replace('for: 5m', 'for: 30m'));
    const result = mlmon(['generate'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('! out/prometheus/rules/alerts.yml had been edited by hand; the edit was overwritten. Change monitoring.config.json instead.\n');
    expect(readFileSync(file, 'utf8')).toBe(generated);
    // The next run has nothing to say.
    expect(mlmon(['generate'], dir).stderr).toBe('');
  });

  it('says so when a hand-edited file is removed because the config no longer generates it', () => {
    const dir = project({ config: withRecordingRule });
    writeFileSync(join(dir, 'out/prometheus/rules/recording.yml'), `${readFileSync(join(dir, 'out/prometheus/rules/recording.yml'), 'utf8')}# mine\n`);
    setConfig(dir, (config) => config);
    const result = mlmon(['generate'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('! out/prometheus/rules/recording.yml had been edited by hand; monitoring.config.json no longer generates it, so it was removed, edit and all.\n');
    expect(existsSync(join(dir, 'out/prometheus/rules/recording.yml'))).toBe(false);
  });

  it('says nothing when the hand edit is exactly what the config now generates', () => {
    const dir = project({ config: raisedAccuracy });
    const file = join(dir, 'out/prometheus/rules/thresholds.yml');
    const raised = readFileSync(file, 'utf8');
    setConfig(dir, (config) => config);
    expect(mlmon(['generate'], dir).code).toBe(0);
    // Someone made the config's next change by hand first; the manifest still has the old hash.
    writeFileSync(file, raised);
    setConfig(dir, raisedAccuracy);
    const result = mlmon(['generate'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('thresholds.yml');
    expect(readFileSync(file, 'utf8')).toBe(raised);
  });
});
