/** Counting turns of the event loop, to show that long work gives the loop back between pieces. */

/**
 * Counts turns of the event loop (setImmediate callbacks) from now until the returned stop is
 * called; stop answers the count. Call stop once the work under test has settled.
 */
export function countTurns(): () => number {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return () => {
    running = false;
    return turns;
  };
}
