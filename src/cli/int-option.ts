/** An integer flag within bounds. */
import { InvalidArgumentError } from 'commander';

export function intIn(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`${what} must be an integer in ${min}..${max}`);
    return n;
  };
}
