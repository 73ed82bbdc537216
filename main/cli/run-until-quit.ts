// Keeps a long-running command alive until SIGINT, SIGTERM or a `quit` line on stdin, then runs its shutdown once.
import { createInterface } from 'node:readline';

export function runUntilQuit(stdin: NodeJS.ReadableStream, shutdown: () => Promise<number>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const lines = createInterface({ input: stdin });
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      lines.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void shutdown().then(resolve, () => resolve(1));
    };
    lines.on('line', (line) => {
      if (line.trim() === 'quit') stop();
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
