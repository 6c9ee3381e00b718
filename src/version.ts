import { readFileSync } from 'node:fs';
import { packagePath } from './package-root.js';

/** mlmon's own version, from package.json (one small read; no JSON import assertions needed on Node 20). */
export const mlmonVersion: string = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
