// The app's identity, shared by the shell (Windows notifications need the same id as the installer) and the
// packaging configuration.

export const appId = 'org.softphone.app';
export const productName = 'Softphone';
