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
