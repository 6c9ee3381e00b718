/**
 * One side of the comparison (what out/ holds, or what the config generates now): its files, and each file
 * parsed at most once, only when a summary asks for it.
 */
import { parse } from 'yaml';
import type { Change } from './change.js';

export type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export class OutputSide {
  private readonly parsed = new Map<string, Parsed>();

  constructor(
    /** Files by path relative to the output folder. */
    readonly files: ReadonlyMap<string, string>,
    /** `before` or `after`, for notes about a file that can't be read. */
    readonly name: 'before' | 'after',
  ) {}

  yaml(path: string): Parsed {
    return this.memo(path, (text) => parse(text, { uniqueKeys: false }));
  }

  json(path: string): Parsed {
    return this.memo(path, (text) => JSON.parse(text));
  }

  private memo(path: string, read: (text: string) => unknown): Parsed {
    let result = this.parsed.get(path);
    if (!result) {
      const text = this.files.get(path);
      if (text === undefined) result = { ok: true, value: undefined };
      else {
        try {
          result = { ok: true, value: read(text) };
        } catch (error) {
          result = { ok: false, error: firstLine((error as Error).message) };
        }
      }
      this.parsed.set(path, result);
    }
    return result;
  }
}

export function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** A note that a file could not be understood, so its summary is left to the text diff below. */
export function unreadable(path: string, side: OutputSide, error: string, format: string): Change {
  return {
    change: 'changed',
    subject: `file ${path}`,
    text: `${path} (${side.name === 'before' ? 'the current output' : 'the new output'}) is not valid ${format}: ${error}; see the text diff`,
  };
}

