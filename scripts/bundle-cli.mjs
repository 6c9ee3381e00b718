// Bundles the command line into dist/cli-bundle/, run by bin/mlmon.js. Two builds:
//
// - main.cjs, the front (src/cli/main.ts: commander, flags, help, version), as one CommonJS file. Node 20
//   loads CommonJS ~20 ms faster than an ES module graph, which is most of what `mlmon --help` costs.
// - commands/<name>.cjs: each command with everything it loads, as one CommonJS file, so a run loads one
//   command's code; the front requires it only when that command runs, through the code cache
//   (src/cli/code-cache.ts), which keeps V8's compiled code of it between runs. Shared code is in each of them.
//
// Why bundle: unbundled, a run resolves, reads and links ~400 modules (yaml, handlebars, kubernetes-models,
// our own dist/), and Node 20 lexes every CommonJS one an ES module imports: ~40% of a small generate.
// tsc still writes dist/ for the library API (`import { defineConfig } from 'mlmon'`) and its types.
// meta.json (esbuild's metafiles) records which sources went into which file; a test reads it.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli-bundle`;

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * The Grafana Foundation SDK's panel and query packages (timeseries, stat, heatmap, prometheus) load, from their
 * index, their builders for the v2 dashboard schemas too (`visualizationV2Builder.gen` and `queryV2Builder.gen`
 * for dashboardv2, `visualizationBuilder.gen` and `queryBuilder.gen` for dashboardv2beta1), and with them the
 * whole dashboardv2 and dashboardv2beta1 packages: ~40% of the SDK's code in the bundle, run on every
 * generate, and unused, since mlmon writes the v1 dashboard model (src/render/grafana/). esbuild can't drop
 * them itself (CommonJS is not tree-shaken), so the bundle gets those indexes without those lines. A dashboard
 * that starts using a v2 builder would find it undefined in the CLI only: test/render/grafana-sdk.test.ts
 * compares the CLI's dashboards with the library's, which loads the package whole.
 */
const grafanaV1Only = {
  name: 'grafana-sdk-v1-only',
  setup(build) {
    const unused = /^tslib_1\.__exportStar\(require\("\.\/(visualizationV2Builder|visualizationBuilder|queryV2Builder|queryBuilder)\.gen"\), exports\);$/m;
    build.onLoad({ filter: /@grafana[\\/]grafana-foundation-sdk[\\/]dist[\\/](timeseries|stat|heatmap|prometheus)[\\/]index\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      while (unused.test(contents)) contents = contents.replace(unused, '');
      return { contents, loader: 'js' };
    });
  },
};

/**
 * Each command's bundle starts from a module of its own: the command's run function, reporting what it throws
 * as src/cli/run-command.ts does. The table is run-command.ts's, by its CommandFlags names.
 */
const commandModules = {
  generate: ['generate', 'runGenerate'],
  diff: ['diff', 'runDiff'],
  validate: ['validate', 'runValidate'],
  importOpenSlo: ['import-openslo', 'runImportOpenSlo'],
  checkMetrics: ['check-metrics', 'runCheckMetrics'],
  instrument: ['instrument', 'runInstrument'],
  init: ['init', 'runInit'],
};
/**
 * bench/stages.mjs times generate's stages in the code `mlmon generate` runs, this bundle, so it exports the two
 * functions it calls (both are in it already: the command calls the same pipeline and writer).
 */
const benchExports = {
  generate: "export { generateInMemory } from './src/pipeline.ts';\nexport { writeOutput } from './src/output/write.ts';\n",
};
const commandEntries = {
  name: 'mlmon-command-entries',
  setup(build) {
    build.onResolve({ filter: /^mlmon-command:/ }, (args) => ({ path: args.path.slice('mlmon-command:'.length), namespace: 'mlmon-command' }));
    build.onLoad({ filter: /.*/, namespace: 'mlmon-command' }, (args) => {
      const [file, run] = commandModules[args.path];
      return {
        resolveDir: root,
        loader: 'ts',
        contents: `import { runReportingErrors } from './src/cli/report-errors.ts';\nimport { ${run} } from './src/cli/commands/${file}.ts';\nexport const run = (flags: Parameters<typeof ${run}>[0]): Promise<number> => runReportingErrors(async () => ${run}, flags);\n${benchExports[args.path] ?? ''}`,
      };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });

// CommonJS has no import.meta; src/package-root.ts finds mlmon's folder from this file's URL.
const commonJs = {
  format: 'cjs',
  define: { 'import.meta.url': '__mlmonModuleUrl' },
  banner: { js: "const __mlmonModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const front = await build({
  ...common,
  ...commonJs,
  entryPoints: ['src/cli/main.ts'],
  outfile: `${outdir}/main.cjs`,
  // main.ts's run-command.ts is command-bundles.ts here: it runs each command's bundle below.
  plugins: [{
    name: 'mlmon-command-bundles',
    setup(build) {
      build.onResolve({ filter: /^\.\/run-command\.js$/ }, () => ({ path: `${root}src/cli/command-bundles.ts` }));
    },
  }],
});

// One CommonJS file per command (dist/cli-bundle/commands/<name>.cjs), with everything it imports: what it
// imports lazily (the Grafana SDK, js-yaml, kubernetes-models, …) is inside it too, and only evaluated when
// first imported. CommonJS, so that src/cli/code-cache.ts can keep V8's compiled code of it between runs; and
// so with `import()` turned into `require` (a script compiled through `vm` has no loader for `import()`).
const commands = await build({
  ...common,
  ...commonJs,
  entryPoints: Object.fromEntries(Object.keys(commandModules).map((name) => [`commands/${name}`, `mlmon-command:${name}`])),
  outdir,
  outExtension: { '.js': '.cjs' },
  supported: { 'dynamic-import': false },
  // Loaded through their own files at run time: jiti finds its babel beside itself, esbuild its binary, and
  // execa (an ES module; Node 20.19+ requires it) is left to Node.
  external: ['jiti', 'esbuild', 'execa'],
  // handlebars registers `require.extensions['.hbs']` when loaded through require; harmless, and unused here.
  logOverride: { 'unsupported-require-call': 'silent' },
  plugins: [commandEntries, grafanaV1Only],
  // Whitespace and syntax only: a command's source is held in memory while it runs (a 1.4 MB generate.cjs was
  // ~3 MB of a small run's 75 MB peak RSS). Names are kept, so a bug's stack trace still names its functions.
  minifyWhitespace: true,
  minifySyntax: true,
});

// What `import { defineConfig } from 'mlmon'` in a config resolves to (src/config/load.ts aliases it), as one
// CommonJS file: jiti requires it as it is, where an ES module would have to be transformed on every cold load.
await build({ ...common, entryPoints: ['src/index.ts'], outfile: `${outdir}/config-api.cjs`, format: 'cjs', metafile: false });

writeFileSync(`${outdir}/meta.json`, JSON.stringify({ front: front.metafile, commands: commands.metafile }));
