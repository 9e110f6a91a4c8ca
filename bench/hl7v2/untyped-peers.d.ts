/** Minimal typings for the two untyped npm peers, covering only what the benchmark calls. */
declare module 'simple-hl7' {
  interface SimpleComponent {
    value: Array<string | string[]>;
    toString(delimiters?: unknown): string;
  }
  interface SimpleField {
    value: Array<SimpleComponent[] | SimpleField>;
    toString(delimiters?: unknown): string;
  }
  interface SimpleSegment {
    name: string;
    fields: SimpleField[];
  }
  interface SimpleMessage {
    header: SimpleSegment;
    segments: SimpleSegment[];
    toString(): string;
  }
  class Parser {
    constructor(opts?: { segmentSeperator?: string });
    parse(text: string): SimpleMessage;
  }
  const hl7: { Parser: typeof Parser };
  export default hl7;
}

declare module 'hl7-standard' {
  export default class HL7 {
    constructor(raw: string, opts?: Record<string, unknown>);
    transform(cb?: (err: unknown) => void): void;
    get(field: string, index?: number, sectionIndex?: number, subIndex?: number): unknown;
    build(): string;
  }
}
