import { InvalidArgumentError } from 'commander';

/** commander option parser: an integer of 1 or more (counts, limits, concurrency, seeds). */
export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return n;
};
