// What `watch` and `publish` share: start the user agent for the account flags, register the account (unless
// --no-register) with its registration events printed, and the presence usage on the same agent and clock.
import type { MessagingUsage } from '../messaging/messaging-usage';
import { SubscriptionUsage, hostOf } from '../presence/subscription-usage';
import { formatUri } from '../sip/message/uri';
import type { Account, UserAgent } from '../ua/user-agent';
import { type AccountArgs, requiredAccountArgs } from './account-args';
import type { ParsedOptions } from './args';
import { printIncomingMessages } from './incoming-messages';
import type { Output } from './output';
import { accountConfig, registerPrinting } from './register-command';
import { type StartUserAgent, startCommandAgent } from './user-agent-factory';

export interface PresenceCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startUserAgent: StartUserAgent;
}

export interface PresenceAccount {
  readonly ua: UserAgent;
  readonly account: Account;
  readonly args: AccountArgs;
  readonly usage: SubscriptionUsage;
  /** Incoming MESSAGEs print as events while the command runs. */
  readonly messages: MessagingUsage;
  /** Resolves with 1 when the registration fails for good. */
  readonly registrationFailed: Promise<number>;
}

export async function startPresenceAccount(
  options: ParsedOptions,
  output: Output,
  deps: PresenceCommandDeps,
): Promise<PresenceAccount> {
  const args = requiredAccountArgs(options, deps.env);
  const ua = await startCommandAgent(
    options,
    args.proxy ?? args.registrar ?? args.aor,
    output,
    deps.startUserAgent,
  );
  const account = ua.addAccount(accountConfig(args));
  const registrationFailed = args.register
    ? registerPrinting(account, formatUri(args.aor), output)
    : new Promise<number>(() => undefined);
  const messages = printIncomingMessages(ua, output);
  return { ua, account, args, usage: new SubscriptionUsage(hostOf(ua)), messages, registrationFailed };
}
