/** Minimal types for the `xml-encryption` package (it ships none); used only by SAML tests. */
declare module 'xml-encryption' {
  type Callback = (err: Error | null, result: string) => void;
  const xmlenc: {
    encrypt(content: string, options: Record<string, unknown>, callback: Callback): void;
    decrypt(xml: string, options: Record<string, unknown>, callback: Callback): void;
  };
  export default xmlenc;
}
