/**
 * Colours for the terminal. Kept out of main.ts so `mlmon --help` and `--version` never load chalk
 * (~15 ms of a 150 ms budget); commands and the error handler import it when they print.
 */
import { Chalk } from 'chalk';

// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
const useColor = (stream: NodeJS.WriteStream) => Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
export const stdoutColor = new Chalk({ level: useColor(process.stdout) ? 1 : 0 });
export const stderrColor = new Chalk({ level: useColor(process.stderr) ? 1 : 0 });
