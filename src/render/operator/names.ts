import { createHash } from 'node:crypto';

// An RFC 1123 label: what every object name here must be, short enough to leave room for a numbered suffix.
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `mlmon-<name>` as a Kubernetes object name. A config name may hold any printable character (upper case, dots,
 * spaces); such a name is folded to `[a-z0-9-]` and given 8 hex digits of its SHA-256, so two names that fold
 * alike (`Fraud_API`, `fraud-api`) still get two objects.
 */
export function objectName(name: string): string {
  const plain = `mlmon-${name}`;
  if (label.test(plain) && plain.length <= 56) return plain;
  const folded = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return folded ? `mlmon-${folded}-${hash}` : `mlmon-${hash}`;
}
