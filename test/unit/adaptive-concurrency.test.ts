import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency } from '../../adapters/adaptive-concurrency.ts';

class Throttled extends Error {}
const isThrottle = (error: unknown) => error instanceof Throttled;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const throttle = () => Promise.reject(new Throttled('throttled'));

describe('Class: AdaptiveConcurrency', () => {
  describe('Method: run', () => {
    it('runs no more calls at once than its limit', async () => {
      // Prepare
      const limiter = new AdaptiveConcurrency({ initial: 2, max: 2 });
      let running = 0;
      let most = 0;
      const work = async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(10);
        running -= 1;
      };

      // Act
      await Promise.all(Array.from({ length: 6 }, () => limiter.run(work, isThrottle)));

      // Assess
      expect(most).toBe(2);
    });

    it('halves the limit on a throttle and grows it again with successes', async () => {
      // Prepare
      const limiter = new AdaptiveConcurrency({ initial: 8, pauseMs: 0 });

      // Act
      await expect(limiter.run(throttle, isThrottle)).rejects.toThrow(Throttled);
      const afterThrottle = limiter.limit;
      for (let i = 0; i < 8; i++) await limiter.run(async () => 'ok', isThrottle);

      // Assess
      expect(afterThrottle).toBe(4);
      expect(limiter.limit).toBeGreaterThan(4);
    });

    it('starts no call during the pause after a throttle; other failures pause nothing', async () => {
      // Prepare: no jitter, so the pause is half of pauseMs
      const limiter = new AdaptiveConcurrency({ pauseMs: 200, random: () => 0 });
      await expect(limiter.run(() => Promise.reject(new Error('timed out')), isThrottle)).rejects.toThrow('timed out');
      const pausedByOtherError = limiter.pausedFor();

      // Act
      await expect(limiter.run(throttle, isThrottle)).rejects.toThrow(Throttled);
      const throttledAt = Date.now();
      const startedAt = await limiter.run(async () => Date.now(), isThrottle);

      // Assess
      expect(pausedByOtherError).toBe(0);
      expect(startedAt - throttledAt).toBeGreaterThanOrEqual(95);
    });

    it('doubles the pause for each throttle in a row, up to maxPauseMs, and a success ends the doubling', async () => {
      // Prepare
      const limiter = new AdaptiveConcurrency({ pauseMs: 20, maxPauseMs: 60, random: () => 0.999 });
      const pauses: number[] = [];
      const throttleAndLook = async () => {
        await expect(limiter.run(throttle, isThrottle)).rejects.toThrow(Throttled);
        pauses.push(limiter.pausedFor());
      };

      // Act
      for (let i = 0; i < 4; i++) await throttleAndLook();
      await limiter.run(async () => 'ok', isThrottle);
      await throttleAndLook();

      // Assess: about 20, 40, 60, 60 ms, then 20 again after the success
      const rounded = pauses.map((ms) => Math.round(ms / 10) * 10);
      expect(rounded).toEqual([20, 40, 60, 60, 20]);
    });

    it('lets a caller give up at its deadline, and the next waiter still gets the free slot', async () => {
      // Prepare: one slot, held for 60 ms
      const limiter = new AdaptiveConcurrency({ initial: 1, max: 1 });
      const holder = limiter.run(() => sleep(60), isThrottle);
      const impatient = limiter.run(async () => 'ran', isThrottle, Date.now() + 20, () => new Error('no slot in time'));
      const patient = limiter.run(async () => 'ran', isThrottle);

      // Act
      const [, impatientResult, patientResult] = await Promise.allSettled([holder, impatient, patient]);

      // Assess
      expect(impatientResult).toMatchObject({ status: 'rejected', reason: new Error('no slot in time') });
      expect(patientResult).toEqual({ status: 'fulfilled', value: 'ran' });
    });

    it('ends a wait out a pause at the deadline', async () => {
      // Prepare
      const limiter = new AdaptiveConcurrency({ pauseMs: 1_000, random: () => 0.999 });
      await expect(limiter.run(throttle, isThrottle)).rejects.toThrow(Throttled);

      // Act
      const started = Date.now();
      const waited = limiter.run(async () => 'ran', isThrottle, Date.now() + 30, () => new Error('paused past the deadline'));

      // Assess
      await expect(waited).rejects.toThrow('paused past the deadline');
      expect(Date.now() - started).toBeLessThan(900);
    });
  });
});
