// The one write-or-check step of every generator script: write each [path, content], or with `--check`
// exit 1 naming the first committed file that differs from what the script generates now.
import { readFileSync, writeFileSync } from 'node:fs';

export function writeOrCheck(outputs, regenerate = 'npm run schema') {
  for (const [path, content] of outputs) {
    if (process.argv.includes('--check')) {
      let committed = '';
      try { committed = readFileSync(path, 'utf8'); } catch {}
      if (committed !== content) {
        console.error(`${path} is stale: run \`${regenerate}\``);
        process.exit(1);
      }
    } else {
      writeFileSync(path, content);
      console.log(`wrote ${path}`);
    }
  }
}
