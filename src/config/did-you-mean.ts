import { distance } from 'fastest-levenshtein';

/** The closest candidate to a misspelt word, if one is close enough to be a plausible typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const candidatesList = [...candidates];
  let best: string | undefined;
  let bestDistance = Infinity;
  const lowered = word.toLowerCase();
  for (const candidate of candidatesList) {
    const d = candidate.toLowerCase() === lowered ? 0 : distance(lowered, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  if (best !== undefined && bestDistance <= tolerance) return best;
  // A shortened name (`maxDrift` for `maxDriftScore`) is far by edit distance but plainly meant.
  const prefixed = [...candidatesList].filter((c) => lowered.length >= 4 && c.toLowerCase().startsWith(lowered));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
