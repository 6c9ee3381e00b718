// The public API, what `import { defineConfig } from 'mlmon'` gives a config file. Keep it light: it is
// loaded by every config.
export { defineConfig } from './config/types.js';
export type * from './config/types.js';
