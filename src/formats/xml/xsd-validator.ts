/**
 * W3C XML Schema validation with libxml2 (WebAssembly). A schema is compiled once — `xs:include` / `xs:import`
 * resolved relative to the schema file, from the local file system only — then documents are validated against the
 * compiled form in a few milliseconds each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XmlDocument, XmlElement, XmlValidateError, XsdValidator as LibXsdValidator, type ErrorDetail } from 'libxml2-wasm';
import { IssuesError, error, type Issue } from '../../engine/issues.js';
import { elementPath } from './element-path.js';
import { allowSchemaDirectory } from './libxml-schema-files.js';
import { detailToIssue, parseUntrustedXml } from './untrusted-xml.js';

/** Issue code of schema validation errors. */
export const XSD_CODE = 'XSD';
/** Issue code of a schema that cannot be loaded or compiled. */
export const XSD_SCHEMA_CODE = 'XSD_SCHEMA';

/** A compiled schema. Holds WebAssembly memory: call {@link XsdValidator.dispose} when it is no longer needed. */
export interface XsdValidator {
  /** Absolute path of the main schema file. */
  readonly schemaPath: string;
  /**
   * Validates one document. Never throws for bad input: parse errors (`XML_PARSE`), refused DOCTYPEs
   * (`XML_DOCTYPE`, `XML_EXTERNAL_ENTITY`) and schema violations (`XSD`, path `line N, /Root/child[1]`) are issues.
   * @returns an empty list when the document is valid.
   */
  validate(xml: string | Uint8Array): Issue[];
  /** Frees the compiled schema; `validate` throws afterwards. Idempotent. */
  dispose(): void;
}

/** Options of {@link compileXsd}. */
export interface CompileXsdOptions {
  /**
   * Directories (besides the schema's own directory, always allowed) from which includes/imports may be read,
   * for schemas that include `../something.xsd`.
   */
  extraSchemaDirs?: readonly string[];
}

/** `line N, /path/to/element[1]` from a libxml2 diagnostic, resolving its node XPath in the document. */
function locate(doc: XmlDocument, d: ErrorDetail): string | undefined {
  const line = d.line > 0 ? `line ${d.line}` : undefined;
  let element: string | undefined;
  if (d.xpath) {
    try {
      const node = doc.get(d.xpath);
      if (node instanceof XmlElement) element = elementPath(node);
    } catch {
      // libxml2 gave a path its own XPath engine cannot evaluate: keep the line number only
    }
  }
  if (line && element) return `${line}, ${element}`;
  return line ?? element;
}

function schemaIssues(schemaPath: string, e: unknown): Issue[] {
  if (e instanceof XmlValidateError && e.details.length > 0) {
    return e.details.map((d) =>
      error(XSD_SCHEMA_CODE, d.message.trim(), `${d.file ?? schemaPath}${d.line > 0 ? `:${d.line}` : ''}`),
    );
  }
  return [error(XSD_SCHEMA_CODE, e instanceof Error ? e.message : String(e), schemaPath)];
}

/**
 * Loads and compiles an XSD schema.
 * @param schemaPath path of the main schema file (e.g. the operator's copy of `CDA_extended.xsd`).
 * @throws IssuesError with `XSD_SCHEMA` issues when the schema cannot be read or compiled.
 */
export function compileXsd(schemaPath: string, options: CompileXsdOptions = {}): XsdValidator {
  const absolute = path.resolve(schemaPath);
  let source: Buffer;
  try {
    source = fs.readFileSync(absolute);
  } catch (e) {
    throw new IssuesError(schemaIssues(absolute, e));
  }
  allowSchemaDirectory(path.dirname(absolute));
  for (const dir of options.extraSchemaDirs ?? []) allowSchemaDirectory(dir);

  let schemaDoc: XmlDocument | undefined;
  let compiled: LibXsdValidator;
  try {
    schemaDoc = XmlDocument.fromBuffer(source, { url: absolute });
    compiled = LibXsdValidator.fromDoc(schemaDoc);
  } catch (e) {
    schemaDoc?.dispose();
    throw new IssuesError(schemaIssues(absolute, e));
  }
  // The compiled schema may point into the schema document: both live until dispose().
  const ownedSchemaDoc = schemaDoc;
  let disposed = false;

  return {
    schemaPath: absolute,
    validate(xml) {
      if (disposed) throw new Error(`XSD validator for ${absolute} has been disposed`);
      const parsed = parseUntrustedXml(xml);
      if (!parsed.ok) return parsed.issues;
      const doc = parsed.doc;
      try {
        compiled.validate(doc);
        return [];
      } catch (e) {
        if (e instanceof XmlValidateError && e.details.length > 0) {
          return e.details.map((d) => detailToIssue(XSD_CODE, d, locate(doc, d)));
        }
        return [error(XSD_CODE, e instanceof Error ? e.message : String(e))];
      } finally {
        doc.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      compiled.dispose();
      ownedSchemaDoc.dispose();
    },
  };
}
