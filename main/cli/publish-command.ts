// `softphone publish --status available|away|busy|dnd|offline [--note TEXT]`: publishes our presence (RFC 3903)
// and keeps it refreshed, printing a "publication" event per state change, until Ctrl-C, SIGTERM or "quit" on stdin;
// then removes it (Expires: 0) and exits 0. A server that takes no PUBLISH (489/501/405) or refuses it for good
// exits 1 after saying why.
import { OWN_STATUSES } from '../presence/pidf-builder';
import { PresencePublisher } from '../presence/presence-publisher';
import type { PublicationState } from '../presence/publication';
import { subscriberOf } from '../presence/subscription-usage';
import { type ParsedOptions, choiceArg } from './args';
import type { Output } from './output';
import { type PresenceCommandDeps, startPresenceAccount } from './presence-account';
import { runUntilQuit } from './run-until-quit';

export async function publishCommand(
  options: ParsedOptions,
  output: Output,
  stdin: NodeJS.ReadableStream,
  deps: PresenceCommandDeps,
): Promise<number> {
  const status = choiceArg('status', options.string('status'), OWN_STATUSES, 'available');
  const note = options.string('note');
  const session = await startPresenceAccount(options, output, deps);
  const publisher = new PresencePublisher(subscriberOf(session.account), {
    ...session.ua.seams,
    sender: session.ua.transactions,
  });
  let refused: ((code: number) => void) | undefined;
  const fatal = new Promise<number>((resolve) => (refused = resolve));
  publisher.onStateChanged((state) => {
    output.event(publicationEventJson(state));
    const final = state.name === 'unsupported' || (state.name === 'failed' && state.retryInMs === undefined);
    if (final) refused?.(1);
  });
  publisher.setStatus(status, note);
  const quit = runUntilQuit(stdin, async () => {
    await publisher.remove();
    session.messages.dispose();
    await session.ua.shutdown();
    return 0;
  });
  const code = await Promise.race([quit, fatal, session.registrationFailed]);
  if (code !== 0) {
    publisher.dispose();
    session.messages.dispose();
    await session.ua.shutdown(1_000);
  }
  return code;
}

export function publicationEventJson(state: PublicationState): Record<string, unknown> {
  switch (state.name) {
    case 'published':
      return { event: 'publication', state: state.name, etag: state.etag, expires: state.expires };
    case 'failed':
      return {
        event: 'publication',
        state: state.name,
        detail: state.detail,
        status: state.status ?? null,
        retryInMs: state.retryInMs ?? null,
      };
    case 'unsupported':
      return { event: 'publication', state: state.name, detail: state.detail, status: state.status };
    default:
      return { event: 'publication', state: state.name };
  }
}
