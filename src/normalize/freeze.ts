/**
 * The normalized model is read-only (its types say so); in mlmon's own tests it is frozen too, so a renderer
 * that writes into it fails there rather than changing what the next renderer reads.
 */
import { runningFromSource } from '../package-root.js';

/**
 * `model`, deeply frozen when mlmon runs from its sources (its tests, which render every artifact over the
 * example, fleets and a thousand fuzzed configs); as it is in the built command line and library, where the walk
 * was a tenth of normalize at 1,000 models (~220,000 objects at 10,000), to guard against a mistake the tests
 * already rule out.
 */
export function frozenModel<T>(model: T): T {
  return runningFromSource ? deepFreeze(model) : model;
}

/**
 * Freezes `value` and every object under it. Plain loops, and strings and numbers never visited: an
 * Object.values array per object plus a call per leaf cost measurably.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === 'object' && child !== null) deepFreeze(child);
    }
  } else {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const child: unknown = (value as Record<string, unknown>)[keys[i]!];
      if (typeof child === 'object' && child !== null) deepFreeze(child);
    }
  }
  return value;
}
