// What the hosts (Electron shell, web host, tests) hold of an engine: its command dispatcher, its event stream, and
// the few calls the shell makes directly. Both the running engine and its stand-ins implement this.
import type { CommandDispatcher, EngineEventSource } from '../contract/contract';
import type { AudioStreamEndpoint } from '../media/session/audio-stream-endpoint';

export interface RegistrationCounts {
  readonly registered: number;
  readonly failing: number;
  readonly total: number;
}

export interface Engine {
  readonly router: CommandDispatcher;
  readonly events: EngineEventSource;
  /** A sip:/tel: URI handed over by the OS (protocol handler): shown in the dialpad. */
  openUri(uri: string): void;
  /** For the tray: how many enabled accounts are registered, failing, and in all. */
  registrationSummary(): RegistrationCounts;
  /**
   * A live call's audio stream (20 ms PCM frames at 48 kHz mono, both ways), for the window's microphone and
   * speaker; undefined when the call has no media or the engine runs no calls. Optional: stand-ins have none.
   */
  audioPort?(callId: string): AudioStreamEndpoint | undefined;
  /** Unregisters every account (bounded by timeoutMs) and closes the store. Safe to call twice. */
  shutdown(timeoutMs?: number): Promise<void>;
}
