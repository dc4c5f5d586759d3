import { capturedLineCount, leakedSecrets, resetSecretLeakCheck } from './secret-leaks';

// Registered for every HTTP test file (jest setupFilesAfterEnv): the file's whole log output is searched.
afterAll(() => {
  try {
    expect({ leaked: leakedSecrets(), linesSearched: capturedLineCount() > 0 }).toEqual({
      leaked: [],
      linesSearched: true,
    });
  } finally {
    resetSecretLeakCheck();
  }
});
