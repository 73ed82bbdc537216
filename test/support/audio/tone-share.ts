// How much of a signal's energy is one frequency: the Goertzel power at `hz` against the total energy, so a pure
// tone of that frequency gives 1 and silence or another tone gives about 0. A quick check for short frames; the
// windowed band judge in tone-judge.ts is the one for recordings.
export function toneShare(samples: Int16Array, hz: number, sampleRate = 48_000): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  let total = 0;
  for (const sample of samples) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
    total += sample * sample;
  }
  const power =
    previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  // A pure tone over N samples has Goertzel power N²A²/4 and energy NA²/2: the ratio below is 1 for it.
  return total === 0 ? 0 : (2 * power) / (samples.length * total);
}
