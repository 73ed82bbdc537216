// `softphone watch URI…`: one presence subscription per URI (RFC 3856), a "presence" event per status change and a
// "subscription" event per state change, until Ctrl-C, SIGTERM or "quit" on stdin; then every subscription is ended
// (SUBSCRIBE with Expires: 0) and the account unregistered, and it exits 0.
import { PresenceWatcher, type PresenceEvent } from '../presence/presence-watcher';
import type { SubscriptionState } from '../presence/subscription-state';
import { subscriberOf } from '../presence/subscription-usage';
import { UsageError, type ParsedOptions, sipUriOperand } from './args';
import type { Output } from './output';
import { type PresenceCommandDeps, startPresenceAccount } from './presence-account';
import { runUntilQuit } from './run-until-quit';

export async function watchCommand(
  options: ParsedOptions,
  output: Output,
  stdin: NodeJS.ReadableStream,
  deps: PresenceCommandDeps,
): Promise<number> {
  if (options.positionals.length === 0) throw new UsageError('give at least one URI to watch');
  const targets = options.positionals.map((text) => sipUriOperand('watch', text));
  const session = await startPresenceAccount(options, output, deps);
  const subscriber = subscriberOf(session.account);
  for (const target of targets) {
    const made = PresenceWatcher.create(session.usage, subscriber, target);
    if (!made.ok) throw new Error(made.error.message);
    made.value.on((event) => output.event(presenceEventJson(event)));
    made.value.start();
  }
  const quit = runUntilQuit(stdin, async () => {
    await session.usage.removeAll();
    session.messages.dispose();
    await session.ua.shutdown();
    return 0;
  });
  const code = await Promise.race([quit, session.registrationFailed]);
  if (code !== 0) {
    await session.usage.removeAll(1_000);
    session.messages.dispose();
    await session.ua.shutdown(1_000);
  }
  return code;
}

/** One JSON line per watcher event; notes are text, printed as JSON strings and never interpreted. */
export function presenceEventJson(event: PresenceEvent): Record<string, unknown> {
  switch (event.kind) {
    case 'presence': {
      const presence = event.presence;
      return {
        event: 'presence',
        uri: event.uri,
        status: presence.availability,
        note: presence.note?.text ?? null,
        activities: presence.activities.map((activity) =>
          activity.kind === 'other' ? activity.text : activity.kind,
        ),
        onThePhone: presence.onThePhone,
        contact: presence.contact ?? null,
      };
    }
    case 'unreadable':
      return {
        event: 'presence-unreadable',
        uri: event.uri,
        code: event.error.code,
        detail: event.error.message,
      };
    case 'subscription':
      return { event: 'subscription', uri: event.uri, ...subscriptionStateJson(event.state) };
  }
}

function subscriptionStateJson(state: SubscriptionState): Record<string, unknown> {
  switch (state.name) {
    case 'subscribing':
      return { state: state.name, attempt: state.attempt };
    case 'waiting':
      return {
        state: state.name,
        detail: state.detail,
        status: state.status ?? null,
        retryInMs: state.retryInMs,
      };
    case 'terminated':
      return { state: state.name, reason: state.reason, detail: state.detail, status: state.status ?? null };
    default:
      return { state: state.name };
  }
}
