// Names and message text from the network are text: markup stays characters, control and bidirectional-override
// characters cannot reorder anything outside the bubble or name they came in, long words wrap, and emoji and
// right-to-left text come through unchanged.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ChatView from '../../../renderer/src/features/chat/ChatView.svelte';
import MessageBubble from '../../../renderer/src/features/chat/MessageBubble.svelte';
import { conversation, message } from '../../support/fake-engine';
import { renderChat } from './render-chat';

const RLO = '\u202e';
const markup = '<img src=x onerror="alert(1)"><b>bold</b>';
const arabic = 'مرحبا بالعالم';
const emoji = '👩‍👩‍👧 family 🇩🇪 flag';

describe('hostile and international text in the chat', () => {
  it('shows markup in a body as characters', async () => {
    const { container } = await renderChat(MessageBubble, {
      message: message({ id: 'm', conversationId: 'c', body: markup }),
      onretry: () => undefined,
    });
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('.bubble')?.textContent).toBe(markup);
  });

  it('isolates a body so its direction stays inside the bubble, and drops control characters', async () => {
    const body = `${RLO}evil\u0007 text\u0000 and a line\nbreak`;
    const { container } = await renderChat(MessageBubble, {
      message: message({ id: 'm', conversationId: 'c', body }),
      onretry: () => undefined,
    });
    const bubble = container.querySelector('.bubble')!;
    expect(bubble.getAttribute('dir')).toBe('auto');
    expect(bubble.textContent).toBe(`${RLO}evil text and a line\nbreak`);
  });

  it('keeps right-to-left text and emoji sequences unchanged', async () => {
    const { container } = await renderChat(MessageBubble, {
      message: message({ id: 'm', conversationId: 'c', body: `${arabic} ${emoji}` }),
      onretry: () => undefined,
    });
    expect(container.querySelector('.bubble')?.textContent).toBe(`${arabic} ${emoji}`);
  });

  it('cleans names of bidi overrides and isolates them in the list, the thread and the typing line', async () => {
    const hostile = conversation({
      id: 'c-h',
      peerName: `${RLO}gnp.exe${markup}`,
      peerUri: 'sip:mallory@example.com',
      lastMessage: message({ id: 'x', conversationId: 'c-h', body: `${RLO}hello\nworld` }),
    });
    const { engine, container } = await renderChat(
      ChatView,
      {},
      { conversations: [hostile], messages: [hostile.lastMessage!] },
    );
    const list = screen.getByRole('list', { name: 'Conversations' });
    const names = [...list.querySelectorAll('bdi')].map((item) => item.textContent ?? '');
    for (const text of names) expect(text).not.toContain(RLO);
    expect(names[0]).toBe(`gnp.exe${markup}`);
    // The preview is one line without the override.
    expect(names[1]).toBe('hello world');
    await fireEvent.click(within(list).getByRole('button'));
    engine.emit('message.composing', {
      conversationId: 'c-h',
      accountId: null,
      peerUri: hostile.peerUri,
      state: 'active',
    });
    const typing = await screen.findByText(/is typing…/u);
    expect(typing.querySelector('bdi')?.textContent).toBe(`gnp.exe${markup}`);
    expect(container.querySelector('img')).toBeNull();
  });

  it('wraps long words instead of widening the thread', () => {
    // jsdom applies no component styles; the rule that wraps is the bubble's own (the preview shows it drawn).
    const source = readFileSync(
      resolve(import.meta.dirname, '../../../renderer/src/features/chat/MessageBubble.svelte'),
      'utf8',
    );
    const css = source.slice(source.indexOf('<style>'));
    const start = css.indexOf('.bubble {');
    const rule = css.slice(start, css.indexOf('}', start));
    expect(rule).toContain('overflow-wrap: anywhere;');
    expect(rule).toContain('white-space: pre-wrap;');
    expect(rule).toContain('unicode-bidi: isolate;');
  });
});
