/**
 * pino's transport for `LOG_PRETTY=true` (one readable line per entry), or none for JSON lines. Kept free of Nest so
 * the cluster primary, which loads no application, logs exactly as the HTTP processes do.
 */
export const prettyTransport = (pretty: boolean): { target: string; options: { singleLine: boolean } } | undefined =>
  pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined;
