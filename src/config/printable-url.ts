/** Query parameters node-postgres reads a secret from, besides the URL's own password. */
const SECRET_PARAMETERS = ['password', 'sslpassword', 'sslkey'];

/**
 * `url` with its secrets masked (the password, and a password given as a query parameter); nothing of it when it
 * does not parse, since the password could then not be found.
 */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const name of SECRET_PARAMETERS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, '***');
    return parsed.toString().replaceAll('%2A%2A%2A', '***');
  } catch {
    return '(unparsable URL)';
  }
}

/** The secrets of `url` as written and as decoded: the forms a driver's message could repeat. */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    const secrets = [parsed.password, ...SECRET_PARAMETERS.map((name) => parsed.searchParams.get(name) ?? '')];
    const forms = secrets.filter(Boolean).flatMap((secret) => {
      try {
        return [secret, decodeURIComponent(secret), encodeURIComponent(secret)];
      } catch {
        // A malformed escape: the raw form is all there is to hide.
        return [secret];
      }
    });
    return [...new Set(forms)].filter(Boolean);
  } catch {
    return [];
  }
}
