import { ClassSerializerInterceptor, type ClassSerializerContextOptions, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isSecretField } from '../decorators/secret.decorator';

/**
 * The one serialization step every response body passes: Nest's ClassSerializerInterceptor (class-
 * transformer honours @Secret's @Exclude on entities and DTOs), then a walk that drops any field named
 * by @Secret from plain objects too, so a controller that returns an entity, or a copy of one, by
 * mistake still leaks nothing marked secret.
 */
@Injectable()
export class SecretFieldsInterceptor extends ClassSerializerInterceptor {
  constructor(reflector: Reflector) {
    super(reflector);
  }

  override serialize(
    response: Record<string, unknown> | Record<string, unknown>[],
    options: ClassSerializerContextOptions,
  ): Record<string, unknown> | Record<string, unknown>[] {
    return withoutSecretFields(super.serialize(response, options)) as typeof response;
  }
}

function withoutSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretFields);
  // Only plain objects are walked: the serializer turned every class instance into one, and what is left
  // (a Date, a StreamableFile, a Buffer) is not a record of fields.
  if (!isPlainObject(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (!isSecretField(name)) kept[name] = withoutSecretFields(field);
  }
  return kept;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
