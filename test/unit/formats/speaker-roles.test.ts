import { describe, expect, it } from 'vitest';
import { resolveSpeakerRoles, roleFromLabel } from '#domain/formats/index.ts';

const u = (speaker: string, text: string) => ({ speaker, text });

describe('Function: resolveSpeakerRoles', () => {
  it('makes the speaker with agent phrases the agent, wherever they come in the call', () => {
    const { roles, roleSource } = resolveSpeakerRoles(
      [u('a', 'Hello?'), u('b', 'Hi, this is Kim from Acme support, how may I assist you?'), u('a', 'My order is late.'), u('b', 'Let me check.')],
      new Map(),
      'labels',
    );

    expect(Object.fromEntries(roles)).toEqual({ a: 'customer', b: 'agent' });
    expect(roleSource).toBe('heuristic');
  });

  it('makes the first speaker the agent when there is no signal', () => {
    const { roles } = resolveSpeakerRoles([u('x', 'Hello.'), u('y', 'Hi there.')], new Map(), 'labels');

    expect(Object.fromEntries(roles)).toEqual({ x: 'agent', y: 'customer' });
  });

  it("counts caller phrases against a speaker", () => {
    const { roles } = resolveSpeakerRoles([u('x', "Hi, I'm calling about my bill."), u('y', 'Sure, what seems wrong?')], new Map(), 'labels');

    expect(roles.get('y')).toBe('agent');
  });

  it("makes speakers beyond the two main ones 'other'", () => {
    const { roles } = resolveSpeakerRoles(
      [
        u('ivr', 'Thank you for calling. Please hold.'),
        u('agent', 'Thanks for calling, my name is Lee and I can help with your account today, what is going on?'),
        u('caller', 'My statement shows a fee I do not recognise and I would like it removed please.'),
      ],
      new Map(),
      'labels',
    );

    expect(Object.fromEntries(roles)).toEqual({ ivr: 'other', agent: 'agent', caller: 'customer' });
  });

  it('keeps known roles and hands out only the missing one', () => {
    const { roles, roleSource } = resolveSpeakerRoles(
      [u('ch_0', 'Thank you for calling, how can I help?'), u('ch_1', 'Hi.')],
      new Map([['ch_1', 'agent' as const]]),
      'config',
    );

    expect(Object.fromEntries(roles)).toEqual({ ch_0: 'customer', ch_1: 'agent' });
    expect(roleSource).toBe('heuristic');
  });

  it('treats "__proto__" as an ordinary label', () => {
    const { roles } = resolveSpeakerRoles([u('__proto__', 'Thank you for calling.'), u('constructor', 'Hi.')], new Map(), 'labels');

    expect(roles.get('__proto__')).toBe('agent');
    expect(roles.get('constructor')).toBe('customer');
  });
});

describe('Function: roleFromLabel', () => {
  it.each([
    ['Agent', 'agent'], ['Rep 2', 'agent'], ['Customer (Jane)', 'customer'], ['CALLER', 'customer'], ['IVR', 'other'],
    ['Customer Service Rep', 'agent'], ['Jane Doe', undefined], ['constructor', undefined],
  ])('reads %s as %s', (label, role) => {
    expect(roleFromLabel(label)).toBe(role);
  });
});
