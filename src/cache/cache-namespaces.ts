/** Every cache namespace, declared once. A key is `<REDIS_KEY_PREFIX>:<namespace>:<parts...>`. */
export const CacheNamespace = {
  /** Classification results: model id + revision + sha256 of the normalised text. */
  MlResult: 'ml-result',
} as const;

export type CacheNamespace = (typeof CacheNamespace)[keyof typeof CacheNamespace];
