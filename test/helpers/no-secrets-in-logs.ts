import { capturedLineCount, leakedSecrets, resetSecretLeakCheck } from './secret-leaks';

// Registered for every HTTP test file (jest setupFilesAfterEnv): the file's whole log output is searched.
// The mutation run's single project (jest.mutation.config.js) loads it for unit specs too, which log nothing.
const httpTestFile = /\.e2e-spec\.ts$/.test(expect.getState().testPath ?? '');

afterAll(() => {
  if (!httpTestFile) return;
  try {
    expect({ leaked: leakedSecrets(), linesSearched: capturedLineCount() > 0 }).toEqual({
      leaked: [],
      linesSearched: true,
    });
  } finally {
    resetSecretLeakCheck();
  }
});
