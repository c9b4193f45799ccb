import type { TransformFnParams } from 'class-transformer';

/** An empty query value (`?status=`, or `--since ''` from the CLI) means no filter, as leaving it out does. */
export const emptyIsAbsent = ({ value }: TransformFnParams): unknown => (value === '' ? undefined : value);

/**
 * An instant filter (`since`, `until`): empty is absent, and a date-time without an offset is read as UTC, as every
 * time the service shows is, rather than in the time zone of whichever process parses it (`new Date()` would): the
 * same request must select the same conversations on every replica and in the CLI. A date alone is UTC already.
 */
export const instantOrAbsent = ({ value }: TransformFnParams): unknown => {
  if (value === '') return undefined;
  if (typeof value !== 'string' || !/\d[T ]\d/.test(value) || /(?:z|[+-]\d{2}(?::?\d{2})?)$/i.test(value)) return value;
  return `${value}Z`;
};

/**
 * For a parameter with a default: empty or absent gives the default. (`emptyIsAbsent` would leave `undefined` in
 * place of the default, since class-transformer writes what the transform returns over the field's initial value.)
 */
export const emptyIsDefault =
  (defaultValue: unknown) =>
  ({ value }: TransformFnParams): unknown =>
    value === '' || value === undefined ? defaultValue : value;

/**
 * A parameter or option given twice where it takes one value, in the words both the API and the CLI use
 * (`status given more than once; …`, `option '--status <status>' given more than once; …`): a framework keeps the
 * last value or fails on the list, and either way the caller would not learn what went wrong.
 */
export const givenMoreThanOnce = (name: string): string => `${name} given more than once; it takes one value`;
