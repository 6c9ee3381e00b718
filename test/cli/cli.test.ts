/** The built `mlmon` binary, end to end: stdout, stderr, exit codes and the files it writes. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyExampleTo, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const bin = join(repoRoot, 'bin/mlmon.js');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function scratch(): string {
  const { dir, cleanup } = scratchDir('mlmon-cli-');
  cleanups.push(cleanup);
  return dir;
}

function mlmon(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// The CLI runs the bundled dist/cli-bundle/, as a user's install does (built once by test/support/global-setup.ts).

const brokenConfig = `import { defineConfig } from 'mlmon';
export default defineConfig({
  services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } },
  models: { 'fraud-detector': { service: 'model-api', thresholds: { minAccuracy: 1.5, maxDrift: 0.2 } as any } },
  alerting: {
    smtp: { smarthost: 'smtp.example.com:587', from: 'am@example.com', authPassword: 'hunter2' } as any,
    receivers: { default: { email: [{ to: 'ops@example.com' }] } },
    routes: [{ match: { severity: 'critical' }, receiver: 'pagerduty' }],
  },
});
`;

describe('mlmon', () => {
  it('prints help and its version', () => {
    const help = mlmon(['--help'], repoRoot);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/generate/);
    expect(help.stdout).toMatch(/validate/);
    const version = mlmon(['--version'], repoRoot);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
  });

  it('keeps --help light: it loads the bundled front alone, with no schema compiler, template engine, config loader or colour library', () => {
    const requires = join(repoRoot, 'test/support/trace-requires.cjs');
    const imports = join(repoRoot, 'test/support/trace-imports.mjs');
    const result = spawnSync(process.execPath, ['--require', requires, '--import', imports, bin, '--help'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: mlmon/);
    const loaded = result.stderr.split('\n').filter((l) => /^(require|import) /.test(l)).map((l) => l.replace(/^\S+ (file:\/\/)?/, ''));
    // Of mlmon's own files: the bin script and the bundled front, nothing of the commands' bundle.
    const own = [...new Set(loaded.filter((file) => file.startsWith(repoRoot) && !file.includes('/test/support/')))];
    expect(own.map((file) => file.slice(repoRoot.length).replace(/^\//, '')).sort()).toEqual(['bin/mlmon.js', 'dist/cli-bundle/main.cjs']);
    // And what the build put into that front (esbuild's metafile): commander and a few small modules of ours.
    const meta = JSON.parse(readFileSync(join(repoRoot, 'dist/cli-bundle/meta.json'), 'utf8')) as { front: { outputs: Record<string, { inputs: Record<string, unknown> }> } };
    const inputs = Object.values(meta.front.outputs).flatMap((output) => Object.keys(output.inputs));
    expect(inputs.some((input) => input.startsWith('node_modules/commander/'))).toBe(true);
    for (const heavy of ['ajv', 'ajv-formats', 'handlebars', 'jiti', 'esbuild', 'yaml', 'js-yaml', '@prometheus-io', 'execa', 'kubernetes-models', 'chalk']) {
      expect(inputs.filter((input) => input.startsWith(`node_modules/${heavy}/`)), heavy).toEqual([]);
    }
    // The code cache and the loader of the commands' bundles: Node's built-ins only.
    expect(inputs.filter((input) => input.startsWith('src/')).sort()).toEqual(['src/cli/code-cache.ts', 'src/cli/command-bundles.ts', 'src/cli/exit-codes.ts', 'src/cli/internal-error.ts', 'src/cli/main.ts', 'src/package-root.ts', 'src/version.ts']);
  });

  it("renders mlmon's templates precompiled, and compiles only a user's override, with the full Handlebars", () => {
    const traced = (dir: string) => {
      const result = spawnSync(process.execPath, ['--require', join(repoRoot, 'test/support/trace-requires.cjs'), bin, 'generate'], { cwd: dir, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      return result.stderr.split('\n').filter((l) => l.startsWith('require ')).map((l) => l.slice('require '.length));
    };
    const plain = scratch();
    copyExampleTo(plain);
    // The runtime is bundled; the compiler would come from node_modules/handlebars.
    expect(traced(plain).filter((file) => file.includes('/node_modules/handlebars/'))).toEqual([]);
    expect(traced(plain).some((file) => file.endsWith('/dist/templates.precompiled.cjs'))).toBe(true);

    const overridden = scratch();
    mkdirSync(join(overridden, 'my-templates/logstash'), { recursive: true });
    writeFileSync(join(overridden, 'my-templates/logstash/pipelines.yml.hbs'), '{{banner}}\n# house style\n- pipeline.id: {{yaml pipeline.id}}\n  path.config: {{yaml pipeline.configPath}}\n');
    writeFileSync(join(overridden, 'monitoring.config.json'), JSON.stringify({ templatesDir: 'my-templates' }));
    expect(traced(overridden).filter((file) => file.includes('/node_modules/handlebars/lib/')).length).toBeGreaterThan(0);
    expect(readFileSync(join(overridden, 'out/logstash/pipelines.yml'), 'utf8')).toContain('# house style');
  });

  it('runs each command from a CommonJS bundle of its own, with no import() (the code cache compiles them through vm, which has no loader for it)', () => {
    const meta = JSON.parse(readFileSync(join(repoRoot, 'dist/cli-bundle/meta.json'), 'utf8')) as { commands: { outputs: Record<string, unknown> } };
    const bundles = Object.keys(meta.commands.outputs).filter((file) => file.endsWith('.cjs')).sort();
    expect(bundles).toEqual(['checkMetrics', 'diff', 'generate', 'importOpenSlo', 'init', 'instrument', 'validate'].map((name) => `dist/cli-bundle/commands/${name}.cjs`));
    for (const bundle of bundles) {
      // `jiti.import(file)` is a method of the config loader, not the import() expression.
      expect(readFileSync(join(repoRoot, bundle), 'utf8').match(/(?<![.\w$])import\(/g), bundle).toBeNull();
    }
  });

  it('generates the example into out/ and reports what it wrote', () => {
    const dir = scratch();
    copyExampleTo(dir);
    const result = mlmon(['generate'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/generated \d+ files in out/);
    expect(existsSync(join(dir, 'out/prometheus/prometheus.yml'))).toBe(true);
    expect(existsSync(join(dir, 'out/alertmanager/alertmanager.yml'))).toBe(true);
    const again = mlmon(['generate'], dir);
    expect(again.stdout).toMatch(/0 written/);
  });

  it('lists every problem of a broken config with its path, exits 1, writes nothing, and shows no stack trace', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'monitoring.config.ts'), brokenConfig);
    const result = mlmon(['generate'], dir);
    expect(result.code).toBe(1);
    for (const path of ['models.fraud-detector.thresholds.minAccuracy', 'models.fraud-detector.thresholds.maxDrift', 'alerting.smtp.authPassword', 'alerting.routes[0].receiver']) {
      expect(result.stderr).toContain(path);
    }
    expect(result.stderr).toContain('did you mean "maxDriftScore"?');
    expect(result.stderr).toContain('nothing was written');
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(readdirSync(dir)).toEqual(['monitoring.config.ts']);
  });

  it('reports a config with a syntax error as a problem in the config (exit 1), without a stack trace', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'monitoring.config.ts'), 'export default { cluster: ');
    const result = mlmon(['generate'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not load monitoring\.config\.ts/);
    // The summary names the file, as it does for every other problem in a config (ProblemsFound.configFile).
    expect(result.stderr).toMatch(/1 problem in \S*monitoring\.config\.ts; nothing was written\./);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('exits 2 when there is no config to load, naming what it looked for', () => {
    const result = mlmon(['generate'], scratch());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no monitoring config found/);
    expect(result.stderr).toMatch(/monitoring\.config\.ts/);
  });

  it('exits 2 on a usage error', () => {
    const result = mlmon(['generate', '--no-such-flag'], repoRoot);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option/);
  });

  it('reads JSON and YAML configs as well as TypeScript', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'monitoring.config.yaml'), 'cluster: yaml-cluster\n');
    expect(mlmon(['generate'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'out/prometheus/prometheus.yml'), 'utf8')).toContain('cluster: yaml-cluster');
    const other = scratch();
    writeFileSync(join(other, 'custom.json'), JSON.stringify({ cluster: 'json-cluster' }));
    expect(mlmon(['generate', '-c', 'custom.json', '-o', 'gen'], other).code).toBe(0);
    expect(readFileSync(join(other, 'gen/prometheus/prometheus.yml'), 'utf8')).toContain('cluster: json-cluster');
  });

  it('prints no colour codes when the output is not a terminal, even with FORCE_COLOR unset', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'monitoring.config.ts'), brokenConfig);
    const result = mlmon(['generate'], dir);
    expect(result.stderr).not.toMatch(/\x1b\[/);
  });

  it("works in a user's repo that installed mlmon: the config imports defineConfig from 'mlmon' and type-checks", () => {
    const dir = scratch();
    // What `npm install mlmon` leaves: the package under node_modules/mlmon (here, this repo, built).
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(repoRoot, join(dir, 'node_modules/mlmon'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-repo', private: true, type: 'module' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['monitoring.config.ts'] }));
    writeFileSync(join(dir, 'monitoring.config.ts'), `import { defineConfig } from 'mlmon';\nexport default defineConfig({ cluster: 'user-cluster', models: {} });\n`);
    const result = spawnSync(process.execPath, [join(dir, 'node_modules/mlmon/bin/mlmon.js'), 'generate'], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'out/prometheus/prometheus.yml'), 'utf8')).toContain('cluster: user-cluster');

    const tsc = join(repoRoot, 'node_modules/.bin/tsc');
    expect(spawnSync(tsc, ['-p', dir], { encoding: 'utf8' }).status).toBe(0);
    // …and the types are real: a misspelt field fails the user's type check.
    writeFileSync(join(dir, 'monitoring.config.ts'), `import { defineConfig } from 'mlmon';\nexport default defineConfig({ clustr: 'x' });\n`);
    const typo = spawnSync(tsc, ['-p', dir], { encoding: 'utf8' });
    expect(typo.status).not.toBe(0);
    expect(typo.stdout).toMatch(/clustr/);
  });
});
