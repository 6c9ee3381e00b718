import { basename, dirname, join, resolve } from 'node:path';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { CouldNotRun } from '../../problems.js';
import { stdoutColor } from '../colors.js';
import { exitCodes } from '../exit-codes.js';

export interface InstrumentFlags {
  readonly lang: 'python' | 'typescript';
  readonly config?: string | undefined;
  /** The file to write; `-` prints to stdout; default mlmon_metrics.py / mlmon-metrics.ts. */
  readonly out?: string | undefined;
}

/**
 * `mlmon instrument --lang python|typescript`: writes the module that defines every application metric of the
 * config's catalog (prometheus_client or prom-client). A config with errors writes nothing and exits 1.
 */
export async function runInstrument(flags: InstrumentFlags): Promise<number> {
  const cwd = process.cwd();
  const [{ generateInMemory }, { defaultInstrumentFile, renderInstrumentation }] = await Promise.all([import('../../pipeline.js'), import('../../metrics/instrument.js')]);
  const { model } = await generateInMemory({ cwd, config: flags.config });
  const text = renderInstrumentation(model, flags.lang);
  const out = flags.out ?? defaultInstrumentFile[flags.lang];
  if (out === '-') {
    process.stdout.write(text);
    return exitCodes.ok;
  }
  const path = resolve(cwd, out);
  // Beside the target, then renamed over it: a running app never imports half a module.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CouldNotRun(`could not write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const count = model.metricCatalog.filter((m) => m.origin === 'instrumentation').length;
  process.stdout.write(`${stdoutColor.green('✓')} wrote ${count} metrics to ${out} (${flags.lang === 'python' ? 'prometheus_client' : 'prom-client'})\n`);
  return exitCodes.ok;
}
