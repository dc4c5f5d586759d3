import { Exclude } from 'class-transformer';

const secretFieldNames = new Set<string>();

/**
 * Marks a field that must never appear in a response body: password hashes, token hashes, private key
 * material, fingerprint secrets. The global serializer (SecretFieldsInterceptor) drops it from any class
 * instance, and, because a spread copy (`{ ...user }`) loses the class, from any object by this name.
 * Names are therefore global: mark the stored form (`passwordHash`), never a name a response carries on
 * purpose (`refreshToken` in a bearer login).
 */
export function Secret(): PropertyDecorator {
  const exclude = Exclude({ toPlainOnly: true });
  return (target, property) => {
    if (typeof property === 'string') secretFieldNames.add(property);
    exclude(target, property);
  };
}

export function isSecretField(name: string): boolean {
  return secretFieldNames.has(name);
}
