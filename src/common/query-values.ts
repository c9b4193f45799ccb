import type { TransformFnParams } from 'class-transformer';

/** An empty query value (`?status=`, or `--since ''` from the CLI) means no filter, as leaving it out does. */
export const emptyIsAbsent = ({ value }: TransformFnParams): unknown => (value === '' ? undefined : value);

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
