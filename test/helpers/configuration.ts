import { ConfigurationError } from '../../src/config/compose';

/** The problems a configuration load reports (none when it loads); any other error is rethrown. */
export function configurationProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  return [];
}
