import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but when present it is validated, `null` included. `@IsOptional()` skips
 * the checks for null too: a `{"title": null}` would pass, and a NOT NULL column would then turn it into
 * a 500 instead of a 400.
 */
export function MayBeOmitted(): PropertyDecorator {
  return ValidateIf((_dto: object, value: unknown) => value !== undefined);
}
