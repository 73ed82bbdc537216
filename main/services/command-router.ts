// One entry point for every command, whatever carried it (Electron IPC or the web host's WebSocket): check the name,
// validate the arguments, call the service, and answer with a Result — never a throw.
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import { ServiceError } from './service-error';
import type {
  CommandArgs,
  CommandDispatcher,
  CommandError,
  CommandName,
  CommandResult,
  Result,
} from '../contract/contract';
import { commandSchemas, isCommandName } from '../contract/schemas';

export type CommandHandlers = {
  readonly [C in CommandName]: (...args: CommandArgs<C>) => Promise<CommandResult<C>> | CommandResult<C>;
};

export class CommandRouter implements CommandDispatcher {
  constructor(
    private readonly handlers: CommandHandlers,
    private readonly logger: Logger = silentLogger,
  ) {}

  async dispatch(name: unknown, args: unknown): Promise<Result<unknown>> {
    if (!isCommandName(name)) {
      return failure({
        code: 'invalid-argument',
        message: `unknown command ${JSON.stringify(String(name)).slice(0, 80)}`,
      });
    }
    const parsed = commandSchemas[name].safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.filter((part) => typeof part === 'string').join('.') || undefined;
      return failure({
        code: 'invalid-argument',
        message: issue?.message ?? 'invalid arguments',
        ...(field ? { field } : {}),
      });
    }
    try {
      const handler = this.handlers[name] as (...values: unknown[]) => unknown;
      const value = await handler(...(parsed.data as unknown[]));
      return { ok: true, value: value ?? null };
    } catch (error) {
      if (error instanceof ServiceError) {
        return failure({
          code: error.code,
          message: error.message,
          ...(error.details.field ? { field: error.details.field } : {}),
          ...(error.details.status !== undefined ? { status: error.details.status } : {}),
        });
      }
      this.logger.log('error', `command ${name} failed`, {
        error: error instanceof Error ? error.stack : String(error),
      });
      return failure({
        code: 'internal',
        message: 'Something went wrong inside the app; the log has the details.',
      });
    }
  }
}

function failure(error: CommandError): Result<never> {
  return { ok: false, error };
}
