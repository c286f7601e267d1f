/**
 * A piece of formatted text and the engine words it was written from: words `[from, to)`.
 * Keeping the word range lets detailed tokens carry the times of the words a number was spoken in.
 */
export interface Segment {
  text: string;
  from: number;
  to: number;
}
