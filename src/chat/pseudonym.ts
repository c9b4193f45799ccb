import { createHmac } from 'node:crypto';
import { replaceEmails } from './email-address';

/**
 * The pseudonym of an e-mail address: HMAC-SHA256 under the study's key (its UTF-8 bytes), of the address trimmed, in Unicode's
 * composed form (NFC: an accent typed as its own combining mark and the accented letter are one address) and
 * lower-cased, so one participant's conversations still join across exports while the address cannot be recovered,
 * nor guessed by hashing candidates, without the key.
 */
export function pseudonymOf(email: string, key: string): string {
  return createHmac('sha256', key).update(email.trim().normalize('NFC').toLowerCase()).digest('hex');
}

/** `text` with every e-mail address in it replaced by its pseudonym. */
export function pseudonymiseEmails(text: string, key: string): string {
  return replaceEmails(text, (address) => pseudonymOf(address, key));
}
