// The shell's IdleSource: Electron's powerMonitor asks the OS how long there has been no input (on Linux through the
// X screensaver extension; where the OS cannot say it answers 0, which reads as "not idle").
import type { PowerMonitor } from 'electron';
import type { IdleSource } from '../platform/idle-source';

export function systemIdleSource(powerMonitor: Pick<PowerMonitor, 'getSystemIdleTime'>): IdleSource {
  return {
    idleSeconds: () => {
      const seconds = powerMonitor.getSystemIdleTime();
      return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    },
  };
}
