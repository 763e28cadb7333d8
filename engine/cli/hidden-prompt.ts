import { UsageError } from '../errors/usage-errors.js';

/**
 * Asks for a secret on the terminal without echoing what is typed (raw mode: the terminal shows
 * nothing, not even asterisks, so the length does not show either). Backspace deletes, Enter
 * ends, Ctrl-C or Ctrl-D on an empty line cancels.
 *
 * @param input - a TTY stream (callers check `isTTY` first).
 * @param output - where the question goes (stderr, so that stdout stays for the result).
 * @throws UsageError when cancelled.
 */
export function promptHidden(question: string, input: NodeJS.ReadStream, output: { write(text: string): unknown }): Promise<string> {
  output.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (outcome: () => void): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      outcome();
    };
    const onData = (chunk: string): void => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') return finish(() => resolve(typed));
        if (character === '\u0003' || (character === '\u0004' && typed === '')) return finish(() => reject(new UsageError('Cancelled; nothing was printed')));
        if (character === '\u007f' || character === '\b') typed = [...typed].slice(0, -1).join('');
        else if (character >= ' ') typed += character;
      }
    };
    input.on('data', onData);
  });
}
