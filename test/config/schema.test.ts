import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { generateSchemaText, generateValidatorTexts } from '../../scripts/generate-schema.mjs';
import { repoRoot } from '../support/tools.js';

describe('the JSON Schema', () => {
  it('is exactly what src/config/types.ts generates (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(join(repoRoot, 'schemas/monitoring-config.schema.json'), 'utf8');
    expect(committed).toBe((generateSchemaText as () => string)());
  });

  it('is what the committed precompiled validators (the config, an environment overlay) were compiled from (run `npm run schema` when this fails)', () => {
    const schema = readFileSync(join(repoRoot, 'schemas/monitoring-config.schema.json'), 'utf8');
    const generated = (generateValidatorTexts as (schema: string) => { config: string; overlay: string })(schema);
    expect(readFileSync(join(repoRoot, 'schemas/monitoring-config.validate.cjs'), 'utf8')).toBe(generated.config);
    expect(readFileSync(join(repoRoot, 'schemas/monitoring-config-overlay.validate.cjs'), 'utf8')).toBe(generated.overlay);
  });

  it('documents the default of every threshold', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/monitoring-config.schema.json'), 'utf8'));
    const thresholds = schema.definitions.ModelThresholds.properties;
    expect(Object.fromEntries(Object.entries(thresholds).map(([k, v]: [string, any]) => [k, v.default]))).toEqual({
      minAccuracy: 0.85, maxDriftScore: 0.3, maxInferenceLatencyP95Seconds: 1, minMeanConfidence: 0.7,
      // The integrations' model alerts (src/catalog/integrations/).
      maxVllmWaitingRequests: 10, maxVllmKvCacheUsage: 0.9, maxVllmTtftP95Seconds: 2, maxVllmPreemptionsPerSecond: 1, maxVllmAbortRatio: 0.05,
      minVllmPrefixCacheHitRatio: 0.2, maxTritonFailureRatio: 0.05, maxTritonQueueSeconds: 0.1, maxTritonPendingRequests: 10, maxKservePredictP95Seconds: 1,
    });
  });
});

describe('the config reference', () => {
  it('is exactly what the schema generates (run `npm run docs` when this fails)', async () => {
    // @ts-expect-error: a plain .mjs build script without type declarations
    const { generateReference } = await import('../../scripts/generate-config-reference.mjs');
    expect(readFileSync(join(repoRoot, 'docs/config-reference.md'), 'utf8')).toBe((generateReference as () => string)());
  });
});
