import { describe, expect, it } from 'vitest';
import { FaultInjector, HAIKU_LATENCY, TokenWindow } from '#local/bedrock/faults.ts';
import { concurrencyForQuota } from '../bench/concurrency.ts';

describe('Class: TokenWindow', () => {
  describe('Method: admit', () => {
    it('admits up to the limit within the window and again once tokens leave it', () => {
      // Prepare
      const window = new TokenWindow();

      // Act
      const first = window.admit(600, 1000, 0, 60_000);
      const second = window.admit(500, 1000, 30_000, 60_000);
      const third = window.admit(400, 1000, 30_001, 60_000);
      const afterFirstLeft = window.admit(500, 1000, 60_001, 60_000);

      // Assess
      expect([first, second, third, afterFirstLeft]).toEqual([true, false, true, true]);
      expect(window.used(60_001, 60_000)).toBe(900);
    });
  });
});

describe('Class: FaultInjector', () => {
  describe('Method: admitTokens', () => {
    it('admits everything without a quota', () => {
      const faults = new FaultInjector();

      expect(faults.admitTokens(10_000_000, 0)).toBe(true);
    });

    it('scales the quota with the window and clears it on reset', () => {
      const faults = new FaultInjector({ tokensPerMinute: 60_000, quotaWindowSeconds: 20 });

      const fits = faults.admitTokens(20_000, 0);
      const over = faults.admitTokens(1, 1);
      faults.reset();
      const afterReset = faults.admitTokens(1, 2);

      expect([fits, over, afterReset]).toEqual([true, false, true]);
    });
  });

  describe('Method: modelLatencyMs', () => {
    it('is base plus per output token, and zero by default', () => {
      expect(new FaultInjector().modelLatencyMs(150)).toBe(0);
      expect(new FaultInjector({ modelLatency: HAIKU_LATENCY }).modelLatencyMs(150)).toBe(300 + 8 * 150);
    });
  });

  describe('Method: set', () => {
    it('rejects an unknown modelLatency field', () => {
      expect(() => new FaultInjector().set({ modelLatency: { baseMs: 1, perOutputTokenMs: 1, extra: 1 } as never })).toThrow();
    });
  });
});

describe('Function: concurrencyForQuota', () => {
  it('derives in-flight calls by Little\'s law and invocations with headroom, at least 2', () => {
    const small = concurrencyForQuota({ quotaTokensPerMinute: 60_000, tokensPerCall: 860, latencySeconds: 1.5, recordsPerInvocation: 10 });
    const large = concurrencyForQuota({ quotaTokensPerMinute: 2_000_000, tokensPerCall: 860, latencySeconds: 1.5, recordsPerInvocation: 10 });

    expect(small.modelCallsInFlight).toBeCloseTo(1.744, 2);
    expect(small.maximumConcurrency).toBe(2);
    expect(large.maximumConcurrency).toBe(Math.ceil(((2_000_000 / 860) * 1.5) / 60 * 1.25 / 10));
  });
});
