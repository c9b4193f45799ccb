/** Query parameters whose values are never logged: a key pasted into a URL must not end up in the log. */
const CREDENTIAL_PARAMETER = /key|token|secret|password|session|auth/i;

/** A parameter's name as the server reads it (`k%65y` is `key`); as sent when it does not decode. */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** A request's URL as its log line holds it: a credential-like query parameter's value masked (`?key=***`). */
export function loggedUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const parameters = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals > 0 && CREDENTIAL_PARAMETER.test(decodedName(pair.slice(0, equals)))
        ? `${pair.slice(0, equals)}=***`
        : pair;
    });
  return `${url.slice(0, query)}?${parameters.join('&')}`;
}
