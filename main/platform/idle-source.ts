// How long the person has not touched the machine, as a seam: the Electron shell asks the OS (powerMonitor), the web
// host has no way to know and never reports idle, and tests set the number by hand. Services poll it on the injected
// clock; nothing here keeps a timer.

export interface IdleSource {
  /** Seconds since the last keyboard or mouse input anywhere on the machine. */
  idleSeconds(): number;
}

/** For hosts that cannot see input (the web host serves a browser on another machine): never idle. */
export const neverIdle: IdleSource = { idleSeconds: () => 0 };
