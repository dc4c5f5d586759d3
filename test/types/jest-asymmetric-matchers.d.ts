/// <reference types="jest" />
/**
 * @types/jest types the asymmetric matchers (`expect.any(String)`, `expect.objectContaining(...)`, ...) as
 * returning `any`, so every expected object that uses one is an unsafe `any` assignment to the type-aware lint.
 * At run time they return matcher objects; these overloads, declared after @types/jest's, say so.
 */
declare namespace jest {
  interface Expect {
    anything(): AsymmetricMatcher;
    any(classType: unknown): AsymmetricMatcher;
    arrayContaining<E = unknown>(arr: readonly E[]): AsymmetricMatcher;
    closeTo(num: number, numDigits?: number): AsymmetricMatcher;
    objectContaining<E = object>(obj: E): AsymmetricMatcher;
    stringMatching(str: string | RegExp): AsymmetricMatcher;
    stringContaining(str: string): AsymmetricMatcher;
  }
  interface InverseAsymmetricMatchers {
    arrayContaining<E = unknown>(arr: readonly E[]): AsymmetricMatcher;
    objectContaining<E = object>(obj: E): AsymmetricMatcher;
    stringMatching(str: string | RegExp): AsymmetricMatcher;
    stringContaining(str: string): AsymmetricMatcher;
  }
}
