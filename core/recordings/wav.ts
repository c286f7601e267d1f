/**
 * The recordings' audio format: RIFF/WAVE, PCM 16-bit little-endian, 8 kHz, two channels (customer
 * left, agent right). The header is written by hand because a recording is streamed: its sizes are
 * known only when the span ends, and the header is then written in front of audio already uploaded.
 */
export const RECORDING_SAMPLE_RATE = 8000;
const RECORDING_CHANNELS = 2;
const BYTES_PER_SAMPLE = 2;
/** Bytes of one stereo sample frame. */
export const RECORDING_FRAME_BYTES = RECORDING_CHANNELS * BYTES_PER_SAMPLE;
export const WAV_HEADER_BYTES = 44;
/** The largest `data` chunk a RIFF file can declare (its size fields are 32-bit). */
export const MAX_WAV_DATA_BYTES = 0xffff_ffff - (WAV_HEADER_BYTES - 8);

/** The 44-byte canonical header for `dataBytes` of interleaved stereo PCM16. */
export function wavHeader(dataBytes: number): Buffer {
  if (!Number.isSafeInteger(dataBytes) || dataBytes < 0 || dataBytes > MAX_WAV_DATA_BYTES)
    throw new RangeError(`wavHeader: data size out of range: ${dataBytes}`);
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(WAV_HEADER_BYTES - 8 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(RECORDING_CHANNELS, 22);
  header.writeUInt32LE(RECORDING_SAMPLE_RATE, 24);
  header.writeUInt32LE(RECORDING_SAMPLE_RATE * RECORDING_FRAME_BYTES, 28); // byte rate
  header.writeUInt16LE(RECORDING_FRAME_BYTES, 32); // block align
  header.writeUInt16LE(BYTES_PER_SAMPLE * 8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
