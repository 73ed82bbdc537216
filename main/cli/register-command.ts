// `softphone register`: register one account, print every state change as a JSON line, stay registered until
// SIGINT/SIGTERM or `quit` on stdin, then unregister and exit 0. A registration the server rejects for good
// (wrong password, unknown user, forbidden) exits 1 after saying why.
import { formatUri } from '../sip/message/uri';
import type { RegistrationState } from '../ua/registration/registration-state';
import type { Account, AccountConfig } from '../ua/user-agent';
import { type AccountArgs, requiredAccountArgs } from './account-args';
import type { ParsedOptions } from './args';
import { printIncomingMessages } from './incoming-messages';
import type { Output } from './output';
import { runUntilQuit } from './run-until-quit';
import { type StartUserAgent, stableInstanceId, startCommandAgent } from './user-agent-factory';

export interface RegisterDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startUserAgent: StartUserAgent;
}

export async function registerCommand(
  options: ParsedOptions,
  output: Output,
  stdin: NodeJS.ReadableStream,
  deps: RegisterDeps,
): Promise<number> {
  const account = requiredAccountArgs(options, deps.env);
  const { aor, proxy, registrar } = account;
  const ua = await startCommandAgent(options, proxy ?? registrar ?? aor, output, deps.startUserAgent);
  const registered = ua.addAccount(accountConfig(account));
  const messages = printIncomingMessages(ua, output);

  const fatal = registerPrinting(registered, formatUri(aor), output);

  const quit = runUntilQuit(stdin, async () => {
    messages.dispose();
    await ua.shutdown();
    return 0;
  });
  const code = await Promise.race([quit, fatal]);
  if (code !== 0) {
    messages.dispose();
    await ua.shutdown(1_000);
  }
  return code;
}

/**
 * Registers `account`, printing each state change as a "registration" event; resolves with 1 once the registration
 * fails for good (a failure that will be retried does not), and never otherwise.
 */
export function registerPrinting(account: Account, aor: string, output: Output): Promise<number> {
  return new Promise<number>((resolve) => {
    account.registerer.onStateChanged((state) => {
      output.event(registrationEvent(aor, state));
      if (state.name === 'failed' && state.retryInMs === undefined) resolve(1);
    });
    account.registerer.register();
  });
}

/** The user agent's configuration for the account the flags describe. */
export function accountConfig(account: AccountArgs): AccountConfig {
  return {
    aor: account.aor,
    password: account.password ?? '',
    transport: account.transport,
    expires: account.expires,
    instanceId: account.instance ?? stableInstanceId(formatUri(account.aor)),
    backoff: { baseMs: account.retryBaseSeconds * 1000, maxMs: account.retryMaxSeconds * 1000 },
    ...(account.authUser ? { authUser: account.authUser } : {}),
    ...(account.displayName ? { displayName: account.displayName } : {}),
    ...(account.proxy ? { outboundProxy: account.proxy } : {}),
    ...(account.registrar ? { registrar: account.registrar } : {}),
    ...(account.keepAliveSeconds > 0
      ? { keepAlive: { kind: account.keepAliveKind, intervalMs: account.keepAliveSeconds * 1000 } }
      : {}),
  };
}

export function registrationEvent(aor: string, state: RegistrationState): Record<string, unknown> {
  const event: Record<string, unknown> = { event: 'registration', aor, state: state.name };
  if (state.name === 'registered') {
    event['expires'] = state.expires;
    event['contact'] = state.contact;
    event['status'] = 200;
  }
  if (state.name === 'registering' && state.previous) {
    // A retry after a failure: say what it follows, as the window does.
    event['previous'] = {
      reason: state.previous.reason,
      detail: state.previous.detail,
      status: state.previous.status ?? null,
    };
  }
  if (state.name === 'failed') {
    event['reason'] = state.reason;
    event['detail'] = state.detail;
    event['status'] = state.status ?? null;
    event['retryInMs'] = state.retryInMs ?? null;
  }
  return event;
}
