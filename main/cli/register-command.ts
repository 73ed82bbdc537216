// `softphone register`: register one account, print every state change as a JSON line, stay registered until
// SIGINT/SIGTERM or `quit` on stdin, then unregister and exit 0. A registration the server rejects for good
// (wrong password, unknown user, forbidden) exits 1 after saying why.
import { formatUri } from '../sip/message/uri';
import type { RegistrationState } from '../ua/registration/registration-state';
import { type ParsedOptions, UsageError, bindArg, choiceArg, intArg, sipUriArg } from './args';
import type { Output } from './output';
import { runUntilQuit } from './run-until-quit';
import { type StartUserAgent, stableInstanceId } from './user-agent-factory';

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
  const values = {
    aor: options.string('aor'),
    password: options.string('password'),
    'auth-user': options.string('auth-user'),
    'display-name': options.string('display-name'),
    proxy: options.string('proxy'),
    registrar: options.string('registrar'),
    transport: options.string('transport'),
    bind: options.string('bind'),
    expires: options.string('expires'),
    keepalive: options.string('keepalive'),
    'keepalive-kind': options.string('keepalive-kind'),
    'retry-base': options.string('retry-base'),
    'retry-max': options.string('retry-max'),
    instance: options.string('instance'),
    trace: options.flag('trace'),
  };
  const aor = sipUriArg('aor', values.aor);
  const password = values.password ?? deps.env['SOFTPHONE_PASSWORD'];
  if (password === undefined) throw new UsageError('--password (or SOFTPHONE_PASSWORD) is required');
  const proxy = values.proxy !== undefined ? sipUriArg('proxy', values.proxy) : undefined;
  const registrar = values.registrar !== undefined ? sipUriArg('registrar', values.registrar) : undefined;
  const transport = choiceArg('transport', values.transport, ['udp', 'tcp'] as const, 'udp');
  const expires = intArg('expires', values.expires, 600, 1, 0xffff_ffff);
  const keepAliveSeconds = intArg('keepalive', values.keepalive, 0, 0, 86_400);
  const keepAliveKind = choiceArg(
    'keepalive-kind',
    values['keepalive-kind'],
    ['crlf', 'options'] as const,
    'crlf',
  );
  const retryBase = intArg('retry-base', values['retry-base'], 5, 1, 3_600);
  const retryMax = intArg('retry-max', values['retry-max'], 300, retryBase, 86_400);
  const bind = values.bind !== undefined ? bindArg(values.bind) : undefined;

  const ua = await deps.startUserAgent(
    { bind, firstHop: proxy ?? registrar ?? aor, trace: values.trace },
    output,
  );
  output.event({ event: 'listening', address: ua.transport.localAddress, port: ua.transport.localPort });
  const account = ua.addAccount({
    aor,
    password,
    transport,
    expires,
    instanceId: values.instance ?? stableInstanceId(formatUri(aor)),
    backoff: { baseMs: retryBase * 1000, maxMs: retryMax * 1000 },
    ...(values['auth-user'] ? { authUser: values['auth-user'] } : {}),
    ...(values['display-name'] ? { displayName: values['display-name'] } : {}),
    ...(proxy ? { outboundProxy: proxy } : {}),
    ...(registrar ? { registrar } : {}),
    ...(keepAliveSeconds > 0
      ? { keepAlive: { kind: keepAliveKind, intervalMs: keepAliveSeconds * 1000 } }
      : {}),
  });

  let rejected: ((code: number) => void) | undefined;
  const fatal = new Promise<number>((resolve) => (rejected = resolve));
  account.registerer.onStateChanged((state) => {
    output.event(registrationEvent(formatUri(aor), state));
    if (state.name === 'failed' && state.retryInMs === undefined) rejected?.(1);
  });
  account.registerer.register();

  const quit = runUntilQuit(stdin, async () => {
    await ua.shutdown();
    return 0;
  });
  const code = await Promise.race([quit, fatal]);
  if (code !== 0) {
    await ua.shutdown(1_000);
  }
  return code;
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
