// The router is the engine's validated entry point (main/services/command-router.ts); the IPC transports reach it
// through the engine. Re-exported here for the transports' tests.
export { CommandRouter, type CommandHandlers } from '../services/command-router';
