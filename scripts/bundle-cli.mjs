// Bundles the command line into dist/cli-bundle/, run by bin/mlmon.js. Two builds:
//
// - main.cjs, the front (src/cli/main.ts: commander, flags, help, version), as one CommonJS file. Node 20
//   loads CommonJS ~20 ms faster than an ES module graph, which is most of what `mlmon --help` costs.
// - run-command.js and its chunks: the commands (src/cli/run-command.ts and everything it loads), as ES
//   modules with code splitting, so a run loads one command's code, and validate's heavy checks only when
//   validate runs. The front imports run-command.js only when a command runs.
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

rmSync(outdir, { recursive: true, force: true });

const front = await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: `${outdir}/main.cjs`,
  format: 'cjs',
  // Stays an import() of the ES module build below, resolved beside main.cjs.
  external: ['./run-command.js'],
  // CommonJS has no import.meta; src/package-root.ts finds mlmon's folder from this file's URL.
  define: { 'import.meta.url': '__mlmonModuleUrl' },
  banner: { js: "const __mlmonModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

const commands = await build({
  ...common,
  entryPoints: ['src/cli/run-command.ts'],
  outdir,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Loaded through their own files at run time: jiti finds its babel beside itself, esbuild its binary, and
  // execa (validate only) is left to Node.
  external: ['jiti', 'esbuild', 'execa'],
  // Bundled CommonJS packages call require() (Node's built-ins); an ES module has none of its own.
  banner: { js: "import { createRequire as __mlmonCreateRequire } from 'node:module'; const require = __mlmonCreateRequire(import.meta.url);" },
  // handlebars registers `require.extensions['.hbs']` when loaded through require; harmless, and unused here.
  logOverride: { 'unsupported-require-call': 'silent' },
  plugins: [grafanaV1Only],
});

// What `import { defineConfig } from 'mlmon'` in a config resolves to (src/config/load.ts aliases it), as one
// CommonJS file: jiti requires it as it is, where an ES module would have to be transformed on every cold load.
await build({ ...common, entryPoints: ['src/index.ts'], outfile: `${outdir}/config-api.cjs`, format: 'cjs', metafile: false });

writeFileSync(`${outdir}/meta.json`, JSON.stringify({ front: front.metafile, commands: commands.metafile }));
