// Prints, at exit, every CommonJS module the process loaded, one `require <path>` line on stderr, so a test can
// see what a command loads (the CLI's front is CommonJS; see test/support/trace-imports.mjs for ES modules).
process.on('exit', () => {
  for (const file of Object.keys(require.cache)) process.stderr.write(`require ${file}\n`);
});
