import { composeSettings, loadSlice } from './compose';
import { boolean, integer, text } from './readers';
import { defineSettings } from './settings';
import { configurationProblems } from '../../test/helpers/configuration';

const first = defineSettings('first', { FIRST_LIMIT: integer(5, 1, 10) }, (values) => ({ limit: values.FIRST_LIMIT }));
const second = defineSettings(
  'second',
  { SECOND_NAME: text(({ get }) => `after-${get(first).limit}`), SECOND_ON: boolean(({ production }) => !production) },
  (values) => ({ name: values.SECOND_NAME, on: values.SECOND_ON }),
);
const atMostFive = ({ first: { limit } }: { first: { limit: number } }) =>
  limit > 5 ? ['FIRST_LIMIT must be at most 5 here'] : [];

const problems = configurationProblems;

describe('composeSettings', () => {
  it('answers every slice by its namespace, defaults following the environment and other slices', () => {
    expect(composeSettings([first, second], [], { NODE_ENV: 'test', FIRST_LIMIT: '3' })).toEqual({
      first: { limit: 3 },
      second: { name: 'after-3', on: true },
    });
  });

  it("reports every slice's problems in the order listed, then the cross-field checks, in one error", () => {
    const env = { NODE_ENV: 'test', FIRST_LIMIT: '7', SECOND_ON: 'yes' };
    expect(problems(() => composeSettings([second, first], [atMostFive], env))).toEqual([
      'SECOND_ON must be true or false',
      'FIRST_LIMIT must be at most 5 here',
    ]);
    expect(problems(() => composeSettings([first, second], [], { NODE_ENV: 'test', FIRST_LIMIT: '0' }))).toEqual([
      'FIRST_LIMIT must be a whole number between 1 and 10 (default 5)',
    ]);
  });

  it('refuses a slice that reads one not listed: Nest would not have it', () => {
    expect(() => composeSettings([second], [], { NODE_ENV: 'test' })).toThrow(
      'The first settings are read at start-up but not listed',
    );
  });

  it('adds how to choose development when NODE_ENV is unset', () => {
    expect(problems(() => loadSlice(first, { FIRST_LIMIT: 'x' }))).toEqual([
      'FIRST_LIMIT must be a whole number between 1 and 10 (default 5)',
      expect.stringMatching(/^NODE_ENV is unset, so Warden runs as production/),
    ]);
  });
});

describe('loadSlice', () => {
  it('loads one slice with the slices it reads, for that slice alone', () => {
    expect(loadSlice(second, { NODE_ENV: 'production' })).toEqual({ name: 'after-5', on: false });
  });
});
