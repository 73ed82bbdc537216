// The help texts, generated from the command table (command-specs.ts). Help goes to stdout: it is what was asked for.
import { type CommandSpec, type OptionSpec, commandSpecs, commonOptions } from './command-specs';

export function generalHelp(version: string): string {
  const width = Math.max(...commandSpecs.map((spec) => spec.name.length));
  return [
    `softphone ${version}: the softphone's engine without a window`,
    '',
    'usage: softphone <command> [options]',
    '       softphone <command> --help',
    '       softphone --version',
    '',
    'commands:',
    ...commandSpecs.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
    '',
    'Events are JSON lines on stdout; logs and errors go to stderr.',
    'The password may also come from the SOFTPHONE_PASSWORD environment variable.',
    '',
  ].join('\n');
}

function optionLabel(option: OptionSpec): string {
  const long = `--${option.name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
  return option.short ? `-${option.short}, ${long}` : `    ${long}`;
}

export function commandHelp(spec: CommandSpec): string {
  const options = [...spec.options, ...commonOptions];
  const width = Math.max(...options.map((option) => optionLabel(option).length));
  const required = spec.options.filter((option) => option.description.endsWith('(required)'));
  const usage = [
    `softphone ${spec.name}`,
    ...required.map((option) => `--${option.name} ${option.value ?? 'VALUE'}`),
    '[options]',
    ...(spec.operands ? [spec.operands] : []),
  ].join(' ');
  return [
    `usage: ${usage}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    '',
    'options:',
    ...options.map((option) => `  ${optionLabel(option).padEnd(width)}  ${option.description}`),
    '',
    ...spec.details,
    '',
    'examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}
