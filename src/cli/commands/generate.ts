import { resolve } from 'node:path';
import { generateInMemory } from '../../pipeline.js';
import { findHandEdits, readManifest } from '../../output/manifest.js';
import { writeOutput } from '../../output/write.js';
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
  if (options.check) {
    const { compareWithOutput } = await import('../../output/compare.js');
    const stale = compareWithOutput(outDir, generated.files);
    if (stale.length === 0) {
      process.stdout.write(`${stdoutColor.green('✓')} ${options.out} is up to date with ${generated.model.generator.configFile}\n`);
      return exitCodes.ok;
    }
    const handEdited = new Set(findHandEdits(outDir, readManifest(outDir)));
    const lines = stale.map((s) => `    ${s.status} ${s.path}${handEdited.has(s.path) ? ' (edited by hand since mlmon generated it)' : ''}`);
    process.stderr.write(`${stderrColor.red('✗')} ${options.out} is stale; run \`mlmon generate\` and commit the result:\n${lines.join('\n')}\n`);
    return exitCodes.problems;
  }
  const result = writeOutput(outDir, generated.files);
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
