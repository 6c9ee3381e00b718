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
import { rmSync, writeFileSync } from 'node:fs';
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
});

// What `import { defineConfig } from 'mlmon'` in a config resolves to (src/config/load.ts aliases it), as one
// CommonJS file: jiti requires it as it is, where an ES module would have to be transformed on every cold load.
await build({ ...common, entryPoints: ['src/index.ts'], outfile: `${outdir}/config-api.cjs`, format: 'cjs', metafile: false });

writeFileSync(`${outdir}/meta.json`, JSON.stringify({ front: front.metafile, commands: commands.metafile }));
