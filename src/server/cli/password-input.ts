/**
 * Reading a new password: never from an argument (process lists and shell history would leak it),
 * but asked for twice on the terminal without echo, or read from the first line of stdin with
 * --password-stdin.
 */
import type { Readable, Writable } from 'node:stream';
import { Option } from 'commander';
import { CliError, type Cli, type CliIo } from './context.js';

export interface PasswordSource {
  passwordStdin?: boolean;
}

/** The first line of stdin, without its line ending (spaces are kept: they can be part of a password). */
export function readFirstLineOfStdin(input: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const finish = (line: string) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      // Nothing more is read: let the process end even if the writer keeps the pipe open.
      input.destroy();
      resolve(line.replace(/\r$/, ''));
    };
    const onData = (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline !== -1) finish(buffered.slice(0, newline));
    };
    const onEnd = () => finish(buffered);
    const onError = (error: Error) => reject(error);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
  });
}

export type Terminal = Readable & { setRawMode: (mode: boolean) => unknown };

export const isTerminal = (input: CliIo['stdin']): input is Terminal =>
  input.isTTY === true && typeof input.setRawMode === 'function';

/** Asks for a secret on the terminal without echoing it (raw mode; Backspace and Ctrl-U edit, Ctrl-C cancels). */
export function promptHidden(input: Terminal, output: Writable, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const done = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string) => {
      if (chunk.startsWith('\u001b')) return; // arrow keys and other escape sequences
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          done();
          resolve(value);
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && value === '')) {
          done();
          reject(new CliError('Cancelled.', 130));
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char === '\u0015') value = '';
        else if (char >= ' ') value += char;
      }
    };
    // Echo off before the prompt shows: keys typed (or pasted) as soon as it does are not echoed.
    input.setEncoding('utf8');
    input.setRawMode(true);
    output.write(prompt);
    input.resume();
    input.on('data', onData);
  });
}

export async function readNewPassword({ io }: Cli, source: PasswordSource): Promise<string> {
  let password: string;
  const { stdin } = io;
  if (source.passwordStdin) {
    password = await readFirstLineOfStdin(stdin);
  } else if (isTerminal(stdin)) {
    password = await promptHidden(stdin, io.stderr, 'New password: ');
    const confirmation = await promptHidden(stdin, io.stderr, 'Confirm new password: ');
    if (password !== confirmation) throw new CliError('The passwords do not match.');
  } else {
    throw new CliError(
      'stdin is not a terminal, so the password cannot be asked for: pipe it in and add --password-stdin.',
    );
  }
  if (password === '') throw new CliError('The password is empty.');
  return password;
}

export const passwordStdinOption = () =>
  new Option('--password-stdin', 'read the password from the first line of stdin instead of asking for it');
