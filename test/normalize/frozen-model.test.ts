/**
 * The normalized model is frozen in mlmon's own tests (src/normalize/freeze.ts): a renderer that writes into it
 * fails here. The built command line skips the walk, which these tests make safe to skip.
 */
import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/normalize/freeze.js';
import { generateExample } from '../support/fixtures.js';

describe('the normalized model in the tests', () => {
  it('is frozen all the way down: its proofs, rules, services and models', async () => {
    const { model } = await generateExample();
    expect(Object.isFrozen(model)).toBe(true);
    expect(Object.isFrozen(model.ruleTests[0]!.tests[0]!.inputSeries)).toBe(true);
    expect(Object.isFrozen(model.ruleFiles[0]!.groups[0]!.rules[0])).toBe(true);
    expect(Object.isFrozen(model.services[0]!.thresholds)).toBe(true);
    expect(Object.isFrozen(model.models[0])).toBe(true);
    expect(() => {
      (model.models as unknown as { name: string }[]).push({ name: "x" });
    }).toThrow(TypeError);
  });

  it('deepFreeze leaves strings and numbers alone and stops at what is frozen already', () => {
    const shared = Object.freeze({ inner: { a: 1 } });
    const value = deepFreeze({ list: [{ b: 'x' }], shared, n: 1 });
    expect(Object.isFrozen(value.list[0])).toBe(true);
    // Frozen already: not walked again (its inner object was left as it was).
    expect(Object.isFrozen(shared.inner)).toBe(false);
  });
});
