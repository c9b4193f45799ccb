import { createHash } from 'node:crypto';

/** The text the model sees and the cache keys: Unicode NFC, trimmed, runs of white space collapsed. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

export function textDigest(normalised: string): string {
  return createHash('sha256').update(normalised).digest('hex');
}
