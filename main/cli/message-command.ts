// `softphone message URI TEXT`: sends one page-mode MESSAGE (RFC 3428, text/plain; charset=UTF-8) from the account
// the flags describe (through its proxy, answering a 401/407 with its password) or, without --aor, straight to URI.
// It does not register: sending needs no binding. Prints "listening", then "message-sent" with the 2xx and exits 0,
// or "message-failed" with the reason code, the status and the technical line and exits 1.
import type { ExchangeOutcome } from '../messaging/message-exchange';
import { formatUri } from '../sip/message/uri';
import { optionalAccountArgs } from './account-args';
import { type ParsedOptions, UsageError, sipUriOperand } from './args';
import { messageAccountOptions } from './command-specs';
import { printIncomingMessages } from './incoming-messages';
import type { Output } from './output';
import { accountConfig } from './register-command';
import { type StartUserAgent, startCommandAgent } from './user-agent-factory';

export interface MessageCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startUserAgent: StartUserAgent;
}

export async function messageCommand(
  options: ParsedOptions,
  output: Output,
  deps: MessageCommandDeps,
): Promise<number> {
  const [uriText, text, ...extra] = options.positionals;
  if (uriText === undefined || text === undefined)
    throw new UsageError('give the URI to write to and the TEXT to send');
  if (extra.length > 0) throw new UsageError('give the text as one argument (quote it)');
  const target = sipUriOperand('write to', uriText);
  if (options.string('aor') === undefined) {
    const stray = messageAccountOptions.find((option) => options.string(option.name) !== undefined);
    if (stray !== undefined)
      throw new UsageError(
        `--${stray.name} needs --aor: without an account the message goes straight to URI`,
      );
  }
  const args = optionalAccountArgs(options, deps.env);
  const ua = await startCommandAgent(options, args?.proxy ?? target, output, deps.startUserAgent);
  const usage = printIncomingMessages(ua, output);
  try {
    const account = args
      ? ua.addAccount({ ...accountConfig(args), password: args.password ?? '' })
      : undefined;
    const outcome = await usage.send(account, target, text);
    output.event(messageOutcomeJson(formatUri(target), outcome));
    return outcome.ok ? 0 : 1;
  } finally {
    usage.dispose();
    await ua.shutdown(1_000);
  }
}

export function messageOutcomeJson(to: string, outcome: ExchangeOutcome): Record<string, unknown> {
  if (outcome.ok) return { event: 'message-sent', to, status: outcome.status, detail: outcome.detail };
  const failure = outcome.failure;
  return {
    event: 'message-failed',
    to,
    reason: failure.reason,
    status: failure.status,
    detail: failure.detail,
  };
}
