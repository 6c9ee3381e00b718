import { join, resolve } from 'node:path';
import { generateStacks } from '../../pipeline.js';
import { compareOutput, staleFiles, type OutputComparison } from '../../output/compare.js';
import { filesUnderFolders, manifestWithEnvironment, scopeSnapshot, writeManifest } from '../../output/environments.js';
import { readOutputDir } from '../../output/read-output.js';
import { writeComparison } from '../../output/write.js';
import { formatProblems } from '../report.js';
import { stderrColor, stdoutColor } from '../colors.js';
import { exitCodes } from '../exit-codes.js';

export interface GenerateFlags {
  config?: string | undefined;
  out: string;
  check?: boolean | undefined;
  /** `--environment`: only this environment's folder of out/ (a config with environments). */
  environment?: string | undefined;
}

export async function runGenerate(options: GenerateFlags): Promise<number> {
  const cwd = process.cwd();
  const { stacks } = await generateStacks({ cwd, config: options.config, environment: options.environment });
  const first = stacks[0]!.generated;
  if (first.warnings.length) process.stderr.write(`${formatProblems(first.warnings, stderrColor)}\n`);
  const configName = first.model.generator.configFile;
  const outDir = resolve(cwd, options.out);
  // One comparison of out/ (or of one environment's folder in it) with the rendered files, the same `diff`
  // makes: what is stale, extra or edited by hand.
  let comparison: OutputComparison;
  let label = options.out;
  let write: () => ReturnType<typeof writeComparison>;
  if (options.environment === undefined) {
    const files = filesUnderFolders(stacks.map((s) => ({ environment: s.environment, files: s.generated.files })));
    comparison = compareOutput(readOutputDir(outDir, options.out, { paths: files.map((f) => f.path), holds: 'sha256' }), files);
    write = () => writeComparison(outDir, comparison);
  } else {
    const folder = options.environment;
    const { files } = first;
    const whole = readOutputDir(outDir, options.out, { paths: files.map((f) => `${folder}/${f.path}`), holds: 'sha256' });
    comparison = compareOutput(scopeSnapshot(whole, folder), files);
    label = `${options.out}/${folder}`;
    write = () => {
      const result = writeComparison(join(outDir, folder), comparison, { manifest: false });
      if (comparison.manifestStatus) writeManifest(outDir, manifestWithEnvironment(whole.manifest, folder, comparison.manifest));
      return result;
    };
  }
  if (options.check) {
    if (comparison.upToDate) {
      process.stdout.write(`${stdoutColor.green('✓')} ${label} is up to date with ${configName}\n`);
      return exitCodes.ok;
    }
    const lines = staleFiles(comparison).map((s) => `    ${s.status} ${s.path}${s.handEdited ? ' (edited by hand since mlmon generated it)' : ''}`);
    process.stderr.write(`${stderrColor.red('✗')} ${label} is stale; run \`mlmon generate\` and commit the result:\n${lines.join('\n')}\n`);
    return exitCodes.problems;
  }
  const result = write();
  for (const path of result.overwrittenHandEdits) {
    process.stderr.write(`${stderrColor.yellow('!')} ${label}/${path} had been edited by hand; the edit was overwritten. Change ${configName} instead.\n`);
  }
  for (const path of result.removedHandEdits) {
    process.stderr.write(`${stderrColor.yellow('!')} ${label}/${path} had been edited by hand; ${configName} no longer generates it, so it was removed, edit and all.\n`);
  }
  const summary = [`${result.written.length} written`, `${result.unchanged.length} unchanged`, ...(result.removed.length ? [`${result.removed.length} removed`] : [])];
  process.stdout.write(`${stdoutColor.green('✓')} generated ${comparison.generated.size} files in ${label} (${summary.join(', ')})\n`);
  for (const path of result.written) process.stdout.write(`    ${stdoutColor.dim('wrote')} ${path}\n`);
  for (const path of result.removed) process.stdout.write(`    ${stdoutColor.dim('removed')} ${path}\n`);
  return exitCodes.ok;
}
