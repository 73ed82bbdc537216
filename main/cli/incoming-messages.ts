// What `register`, `answer`, `call` and `watch` do with MESSAGEs while they run: each text message is printed as a
// "message" event (and only then answered 200: stdout is where the command keeps it), each is-composing change as
// a "composing" event. The text is a JSON string, printed as text and never interpreted.
import { MessagingUsage, type ReceivedMessage, messagingHostOf } from '../messaging/messaging-usage';
import { formatUri } from '../sip/message/uri';
import type { UserAgent } from '../ua/user-agent';
import type { Output } from './output';

/** Installs the MESSAGE usage on `ua` with the printing handler; the usage is returned for sending and disposal. */
export function printIncomingMessages(ua: UserAgent, output: Output): MessagingUsage {
  const usage = new MessagingUsage(messagingHostOf(ua));
  usage.setIncomingHandler((message) => {
    output.event(incomingMessageJson(message));
    return { kind: 'stored' };
  });
  usage.onComposing((indication) =>
    output.event({
      event: 'composing',
      to: indication.account ? formatUri(indication.account.config.aor) : null,
      from: indication.from,
      state: indication.state,
    }),
  );
  return usage;
}

export function incomingMessageJson(message: ReceivedMessage): Record<string, unknown> {
  return {
    event: 'message',
    to: message.account ? formatUri(message.account.config.aor) : null,
    from: message.from,
    fromName: message.fromName,
    body: message.body,
    date: message.date === null ? null : new Date(message.date).toISOString(),
    receivedAt: new Date(message.receivedAt).toISOString(),
  };
}
