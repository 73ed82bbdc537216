// The link to the engine as a reactive value, for the status bar's "reconnecting" notice.
import type { ConnectionState } from '../bridge';

export class ConnectionStatus {
  state = $state<ConnectionState>({ kind: 'connecting', attempt: 0 });
}
