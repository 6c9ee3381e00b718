// Preloaded with `node --require` when GNU time is not installed: writes the process's peak resident set size
// (bytes) to $MLMON_BENCH_RSS_FILE as it exits, which is what `/usr/bin/time -v` would have told us.
const { writeFileSync } = require('node:fs');

const file = process.env.MLMON_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes.
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
