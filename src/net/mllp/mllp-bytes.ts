/** MLLP start-of-block byte (vertical tab). */
export const VT = 0x0b;
/** MLLP end-of-block byte (file separator). */
export const FS = 0x1c;
/** MLLP trailer byte that follows FS (carriage return). */
export const CR = 0x0d;

/** Default maximum payload size of one frame, in bytes (16 MiB: room for HL7 messages carrying embedded documents). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
