import { readFileSync } from 'node:fs';

/** mlmon's own version, from package.json (one small read; no JSON import assertions needed on Node 20). */
export const mlmonVersion: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
