/**
 * The product's WSDL and XSDs (schemas/) agree with the code: the Taiwan
 * profile declares exactly one element per operation, in the order the
 * server reads and writes them, and every file is well-formed and imports
 * only files that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { elementOf, OPERATION_IDS } from '../../../src/interfaces/soap/operations.js';
import { loadSchemaFiles, SCHEMA_DIR, WSDL_FILE, XSD_FILES } from '../../../src/interfaces/soap/wsdl.js';
import { parseXml } from '../../../src/xml/parse.js';

const XS = 'http://www.w3.org/2001/XMLSchema';
const tw = parseXml(readFileSync(`${SCHEMA_DIR}neid-eid-tw.xsd`)).documentElement!;

function sequenceOf(typeName: string): string[] {
  const types = tw.getElementsByTagNameNS(XS, 'complexType');
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (t.getAttribute('name') !== typeName) continue;
    const els = t.getElementsByTagNameNS(XS, 'element');
    return Array.from({ length: els.length }, (_, j) => els[j]!.getAttribute('name')!);
  }
  throw new Error(`no ${typeName}`);
}

describe('schemas/', () => {
  it('the operation types list every operation in code order', () => {
    const names = OPERATION_IDS.map(elementOf);
    for (const t of ['OperationsRequestorType', 'OperationsResponderType', 'OperationsSelectorType'])
      expect(sequenceOf(t)).toEqual(names);
    expect(sequenceOf('PersonalDataType')).toEqual(
      names.filter((n) => n !== 'AgeVerification' && n !== 'PlaceVerification'),
    );
  });

  it('every file is well-formed and its imports exist', () => {
    for (const f of [WSDL_FILE, ...XSD_FILES]) {
      const text = readFileSync(`${SCHEMA_DIR}${f}`, 'utf8');
      parseXml(text);
      for (const m of text.matchAll(/schemaLocation="([^"]+)"/g))
        expect(existsSync(`${SCHEMA_DIR}${m[1]}`), `${f} → ${m[1]}`).toBe(true);
    }
  });

  it('the served WSDL names the endpoint and absolute schema locations', () => {
    const s = loadSchemaFiles('https://eid.example.gov.tw:8445');
    expect(s.wsdl).toContain('<soap:address location="https://eid.example.gov.tw:8445/eid-interface"/>');
    expect(s.wsdl).toContain(
      'schemaLocation="https://eid.example.gov.tw:8445/eid-interface/schemas/TR-03130-eID-Server.xsd"',
    );
    expect([...s.xsd.keys()]).toEqual([...XSD_FILES]);
  });
});
