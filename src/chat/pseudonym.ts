import { createHmac } from 'node:crypto';
import { addressKey, leadingMarks, replaceEmails, typedBefore } from './email-address';

/**
 * The pseudonym of an e-mail address: HMAC-SHA256 under the study's key (its UTF-8 bytes), of its `addressKey`
 * (trimmed, NFKC, lower-cased), so one participant's conversations still join across exports while the address cannot
 * be recovered, nor guessed by hashing candidates, without the key.
 */
export function pseudonymOf(email: string, key: string): string {
  return createHmac('sha256', key).update(addressKey(email)).digest('hex');
}

/**
 * `text` with every e-mail address in it replaced by its pseudonym. With `participant`, the conversation's own
 * address, a found address that is theirs with text typed right before it (a quote, `email=`, words in another script:
 * the pattern takes them in, as a local part may hold them) keeps that text as typed and gets the pseudonym of their
 * e-mail field, so it joins with it; any other is pseudonymised as found.
 */
export function pseudonymiseEmails(text: string, key: string, participant?: string | null): string {
  const own = participant ? addressKey(participant) : null;
  return replaceEmails(text, (address) => {
    // Quotes and marks typed right before any address stay as typed, so `'alice@…'` gets alice's pseudonym, as an
    // erasure by her address finds it there.
    const before = (own === null ? null : typedBefore(address, own)) ?? leadingMarks(address);
    return `${before}${pseudonymOf(address.slice(before.length), key)}`;
  });
}
