// `softphone listen`: run the UAS core without registering and print each incoming request as a JSON line.
import { formatUri } from '../sip/message/uri';
import { type ParsedOptions, bindArg } from './args';
import type { Output } from './output';
import { runUntilQuit } from './run-until-quit';
import type { StartUserAgent } from './user-agent-factory';

export async function listenCommand(
  options: ParsedOptions,
  output: Output,
  stdin: NodeJS.ReadableStream,
  deps: { readonly startUserAgent: StartUserAgent },
): Promise<number> {
  const ua = await deps.startUserAgent(
    {
      bind: bindArg(options.string('bind') ?? '127.0.0.1:5060'),
      firstHop: undefined,
      trace: options.flag('trace'),
    },
    output,
  );
  ua.core.observe((request) => {
    output.event({
      event: 'request',
      method: request.method,
      requestUri: request.requestUriText,
      from: formatUri(request.from.uri),
      to: formatUri(request.to.uri),
      callId: request.callId,
      cseq: request.cseq.seq,
    });
  });
  output.event({ event: 'listening', address: ua.transport.localAddress, port: ua.transport.localPort });
  return runUntilQuit(stdin, async () => {
    await ua.shutdown();
    return 0;
  });
}
