import { defineMapping } from '../src/engine/define.js';
import { serializeHl7, type Hl7Message } from '../src/formats/hl7v2/index.js';

/**
 * The parsed HL7 v2 message, re-serialised without loss (same segments, fields, escapes and character set, the
 * bytes of the input when the parser left it untouched), for a destination that forwards the message itself to
 * another HL7 peer. As a destination mapping (`route[].map`) of a channel that parses `hl7v2`, it receives the
 * parsed message, not the channel's mapped output (see src/engine/pipeline.ts).
 */
export default defineMapping<Hl7Message>({
  name: 'hl7v2-forward',
  description: 'the parsed HL7 v2 message re-serialised as it was received (ER7, its own MSH-18 character set), to forward it to another peer',
  input: 'hl7v2',
  map(message) {
    return { output: { content: serializeHl7(message), contentType: 'x-application/hl7-v2+er7' }, issues: [] };
  },
});
