/** Why an XML document was refused. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  constructor(
    readonly code: 'too-large' | 'dtd-forbidden' | 'too-deep' | 'too-many-nodes' | 'malformed' | 'schema',
    message: string,
  ) {
    super(message);
  }
}
