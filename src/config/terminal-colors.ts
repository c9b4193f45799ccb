/**
 * Whether log lines written to `stream` may carry colour codes: only for a terminal, and never with NO_COLOR set
 * (no-color.org). A log file or a container's log takes escape codes as text.
 */
export function terminalColors(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}
