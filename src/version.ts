import { packageManifest } from './package-root.js';

/** mlmon's own version, from its package.json. */
export const mlmonVersion: string = packageManifest.version;
