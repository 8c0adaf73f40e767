/**
 * The WSDL and XSD files of the eID-Interface (schemas/), served from the
 * SOAP listener: GET <endpoint>?wsdl and GET <endpoint>/schemas/<file>. The
 * WSDL is served with the configured endpoint address and absolute schema
 * locations; the XSDs as they are (their imports are relative).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SOAP_PATH } from './namespaces.js';

/** The product's schema directory (schemas/ at the repository root, also in the installed package). */
export const SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/', import.meta.url));

export const WSDL_FILE = 'neid-eid-interface.wsdl';
export const XSD_FILES = ['TR-03130-eID-Server.xsd', 'neid-eid-tw.xsd', 'dss-result.xsd', 'xml.xsd'] as const;

export interface SchemaFiles {
  readonly wsdl: string;
  readonly xsd: ReadonlyMap<string, string>;
}

export function loadSchemaFiles(publicUrl: string, dir = SCHEMA_DIR): SchemaFiles {
  const endpoint = `${publicUrl}${SOAP_PATH}`;
  const wsdl = readFileSync(`${dir}${WSDL_FILE}`, 'utf8')
    .replace(
      /schemaLocation="([^"/]+\.xsd)"/g,
      (_m, f: string) => `schemaLocation="${endpoint}/schemas/${f}"`,
    )
    .replace(/<soap:address location="[^"]*"\/>/, `<soap:address location="${endpoint}"/>`);
  return { wsdl, xsd: new Map(XSD_FILES.map((f) => [f, readFileSync(`${dir}${f}`, 'utf8')])) };
}
