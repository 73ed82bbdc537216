// The incoming-call prompt: who calls (hostile text cleaned and isolated), Answer, Decline, and "Answer and hold
// the other" while a call is up.
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import IncomingCallPrompt from '../../../renderer/src/features/call/IncomingCallPrompt.svelte';
import { call } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const ringing = call({
  id: 'in1',
  direction: 'incoming',
  state: 'incoming',
  peerName: 'Bob',
  peerUri: 'sip:bob@example.com',
});

afterEach(() => localStorage.clear());

describe('IncomingCallPrompt', () => {
  it('names the caller and answers', async () => {
    const { bridge } = await renderWithApp(IncomingCallPrompt, { call: ringing }, { calls: [ringing] });
    const prompt = screen.getByRole('dialog', { name: 'Incoming call' });
    expect(prompt.textContent).toContain('Bob');
    expect(prompt.textContent).toContain('bob@example.com');
    await fireEvent.click(screen.getByRole('button', { name: 'Answer' }));
    await waitFor(() => expect(bridge.callsOf('calls.answer')).toEqual([['in1']]));
  });

  it('declines with Busy Here', async () => {
    const { bridge } = await renderWithApp(IncomingCallPrompt, { call: ringing }, { calls: [ringing] });
    await fireEvent.click(screen.getByRole('button', { name: 'Decline' }));
    await waitFor(() => expect(bridge.callsOf('calls.reject')).toEqual([['in1', 486]]));
  });

  it('holds the call that is up before answering a second one', async () => {
    const up = call({ id: 'up', state: 'connected', answeredAt: 1_700_000_000_000 });
    const { bridge } = await renderWithApp(IncomingCallPrompt, { call: ringing }, { calls: [up, ringing] });
    await fireEvent.click(screen.getByRole('button', { name: 'Answer and hold the other' }));
    await waitFor(() => expect(bridge.callsOf('calls.answer')).toEqual([['in1']]));
    expect(bridge.callsOf('calls.hold')).toEqual([['up']]);
  });

  it('cannot be spoofed by a caller name with bidi overrides, controls or great length', async () => {
    const hostile = {
      ...ringing,
      peerName: `\u202Eecnarusni\u202C Answer \u0000\r\n${'A'.repeat(3_000)}`,
      peerUri: 'sip:\u2067x@example.com',
    };
    await renderWithApp(IncomingCallPrompt, { call: hostile }, { calls: [hostile] });
    const prompt = screen.getByRole('dialog', { name: 'Incoming call' });
    const parts = [...prompt.querySelectorAll('bdi')].map((element) => element.textContent ?? '');
    expect(parts).toHaveLength(2);
    for (const part of parts) {
      expect(part).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
      expect(part.length).toBeLessThanOrEqual(200);
    }
    // The buttons keep their own names whatever the caller calls itself.
    expect(screen.getAllByRole('button').map((button) => button.textContent?.trim())).toEqual([
      'Answer',
      'Decline',
    ]);
  });
});
