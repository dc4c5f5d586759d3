import { parseDurationSeconds } from './duration';

describe('parseDurationSeconds', () => {
  it.each([
    ['15m', 900],
    ['3s', 3],
    ['7d', 604800],
    ['1h', 3600],
    ['90', 90],
    [' 2m ', 120],
  ])('%p is %p seconds', (input, seconds) => {
    expect(parseDurationSeconds(input)).toBe(seconds);
  });

  it.each([['15 minutes'], ['-1m'], ['1.5h'], [''], ['m'], ['1w']])('refuses %p', (input) => {
    expect(parseDurationSeconds(input)).toBeUndefined();
  });
});
