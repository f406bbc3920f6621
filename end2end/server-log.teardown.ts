import { errorLines, readServerLog } from './tests/helpers';

/** Fails the run when the server logged anything at ERROR while the tests ran. */
export default async function checkServerLog(): Promise<void> {
  // Work a page started can finish just after its response; give it a moment to log.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const errors = errorLines(readServerLog());
  if (errors.length > 0) {
    throw new Error(`the server logged ${errors.length} ERROR line(s):\n${errors.join('\n')}`);
  }
}
