#!/usr/bin/env node
// The CLI runs the bundled dist/cli-bundle/ (`npm install` builds it: the `prepare` script). This file and the
// front it loads are CommonJS (bin/package.json says so): Node 20 starts CommonJS faster, and `mlmon --help`
// is mostly start-up.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '../dist/cli-bundle/main.cjs');
if (!existsSync(entry)) {
  process.stderr.write('mlmon is not built: run `npm install` (or `npm run build`) in the mlmon folder first.\n');
  process.exit(2);
}
// `mlmon diff | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
