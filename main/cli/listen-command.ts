// `softphone listen`: run the UAS core without registering and print each incoming request as a JSON line.
import { parseArgs } from 'node:util';
import { formatUri } from '../sip/message/uri';
import { bindArg } from './args';
import type { Output } from './output';
import { runUntilQuit } from './run-until-quit';
import { startUserAgent } from './user-agent-factory';

export async function listenCommand(
  args: readonly string[],
  output: Output,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      bind: { type: 'string', default: '127.0.0.1:5060' },
      trace: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const ua = await startUserAgent(
    { bind: bindArg(values.bind), firstHop: undefined, trace: values.trace },
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
