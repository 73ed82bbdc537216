// `softphone parse [FILE|-]`: parse one SIP message and print it as JSON, or say why it is not one.
import { readFile } from 'node:fs/promises';
import { parseMessage } from '../sip/message/parse';
import { messageToJson } from './message-json';
import type { Output } from './output';

export async function parseCommand(
  args: readonly string[],
  output: Output,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  const source = args[0] ?? '-';
  let data: Buffer;
  try {
    data = source === '-' ? await readAll(stdin) : await readFile(source);
  } catch (error) {
    output.error({
      error: `cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`,
    });
    return 2;
  }
  const result = parseMessage(data, { strict: true });
  if (!result.ok) {
    output.error({ error: result.error.reason, status: result.error.status });
    return 1;
  }
  output.event(messageToJson(result.message) as unknown as Record<string, unknown>);
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
