// Types for compiled-cli.js (plain JavaScript so the launcher needs no loader).
export declare function currentCompiledCli(projectRoot: string): string | null;
