import { resolve } from 'node:path';
import { generateInMemory } from '../../pipeline.js';
import { compareOutput, staleFiles } from '../../output/compare.js';
import { readOutputDir } from '../../output/read-output.js';
import { writeComparison } from '../../output/write.js';
import { formatProblems } from '../report.js';
import { stderrColor, stdoutColor } from '../colors.js';
import { exitCodes } from '../exit-codes.js';

export interface GenerateFlags {
  config?: string | undefined;
  out: string;
  check?: boolean | undefined;
}

export async function runGenerate(options: GenerateFlags): Promise<number> {
  const cwd = process.cwd();
  const generated = await generateInMemory({ cwd, config: options.config });
  if (generated.warnings.length) process.stderr.write(`${formatProblems(generated.warnings, stderrColor)}\n`);
  const outDir = resolve(cwd, options.out);
  // One comparison of out/ with the rendered files, the same `diff` makes: what is stale, extra or edited by hand.
  const comparison = compareOutput(readOutputDir(outDir, options.out, { paths: generated.files.map((f) => f.path) }), generated.files);
  if (options.check) {
    if (comparison.upToDate) {
      process.stdout.write(`${stdoutColor.green('✓')} ${options.out} is up to date with ${generated.model.generator.configFile}\n`);
      return exitCodes.ok;
    }
    const lines = staleFiles(comparison).map((s) => `    ${s.status} ${s.path}${s.handEdited ? ' (edited by hand since mlmon generated it)' : ''}`);
    process.stderr.write(`${stderrColor.red('✗')} ${options.out} is stale; run \`mlmon generate\` and commit the result:\n${lines.join('\n')}\n`);
    return exitCodes.problems;
  }
  const result = writeComparison(outDir, comparison);
  for (const path of result.overwrittenHandEdits) {
    process.stderr.write(`${stderrColor.yellow('!')} ${options.out}/${path} had been edited by hand; the edit was overwritten. Change ${generated.model.generator.configFile} instead.\n`);
  }
  for (const path of result.removedHandEdits) {
    process.stderr.write(`${stderrColor.yellow('!')} ${options.out}/${path} had been edited by hand; ${generated.model.generator.configFile} no longer generates it, so it was removed, edit and all.\n`);
  }
  const summary = [`${result.written.length} written`, `${result.unchanged.length} unchanged`, ...(result.removed.length ? [`${result.removed.length} removed`] : [])];
  process.stdout.write(`${stdoutColor.green('✓')} generated ${generated.files.length} files in ${options.out} (${summary.join(', ')})\n`);
  for (const path of result.written) process.stdout.write(`    ${stdoutColor.dim('wrote')} ${path}\n`);
  for (const path of result.removed) process.stdout.write(`    ${stdoutColor.dim('removed')} ${path}\n`);
  return exitCodes.ok;
}
