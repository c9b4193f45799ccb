import { createHmac } from 'node:crypto';
import { addressKey, replaceEmails } from './email-address';

/**
 * The pseudonym of an e-mail address: HMAC-SHA256 under the study's key (its UTF-8 bytes), of its `addressKey`
 * (trimmed, NFC, lower-cased), so one participant's conversations still join across exports while the address cannot
 * be recovered, nor guessed by hashing candidates, without the key.
 */
export function pseudonymOf(email: string, key: string): string {
  return createHmac('sha256', key).update(addressKey(email)).digest('hex');
}

/** `text` with every e-mail address in it replaced by its pseudonym. */
export function pseudonymiseEmails(text: string, key: string): string {
  return replaceEmails(text, (address) => pseudonymOf(address, key));
}
