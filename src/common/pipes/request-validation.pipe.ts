import { ArgumentMetadata, BadRequestException, Injectable, ValidationPipe } from '@nestjs/common';

/**
 * Deeper than any body Warden accepts (its DTOs are flat), shallow enough that nothing downstream recurses
 * into trouble: class-transformer walks a value recursively, and a 14 KB `[[[[…]]]]` overflowed its stack
 * inside the ValidationPipe (a 500, a stack trace, 7× the CPU of a 400).
 */
export const MAX_JSON_DEPTH = 8;

/**
 * The global ValidationPipe (whitelist + forbidNonWhitelisted: a smuggled `roles` field is a 400, never
 * applied), preceded by the structural checks class-transformer and class-validator cannot make safely:
 * the nesting depth, measured without recursion, and a body that must be a JSON object (body-parser also
 * accepts a top-level array, which would otherwise be validated as an object with properties 0, 1, …).
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      if (nestingDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        throw new BadRequestException(
          `request ${metadata.type} is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`,
        );
      }
    }
    // Where a DTO class is expected; a route that takes its body as `unknown` (the CSP reports, whose
    // Reporting API format is a JSON array) parses it itself.
    const expectsDto = metadata.metatype !== undefined && metadata.metatype !== Object;
    if (metadata.type === 'body' && expectsDto && value !== undefined && !isPlainObject(value)) {
      throw new BadRequestException('request body must be a JSON object');
    }
    return super.transform(value, metadata);
  }
}

/**
 * How deeply objects and arrays nest in `value` (a scalar is 0, `{}` is 1), iteratively; the walk stops as
 * soon as it passes `limit`, so a hostile value costs no more than one within the limit.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
