/**
 * The eID-Client's PAOS messages altered on the wire (TR-03130-4 C1_3_*):
 * a test file replaces src/client/network.js with `tamperingNetwork`
 *
 *   vi.mock('../../src/client/network.js', async (original) =>
 *     (await import('./support/paos-tamper.js')).tamperingNetwork(original));
 *
 * and sets `hook.tamper` for the messages it wants changed. `hook.last` holds
 * the server's last answer to a PAOS POST (at the end: StartPAOSResponse).
 */
type Network = typeof import('../../../src/client/network.js');

export const hook = {
  tamper: undefined as undefined | ((body: string) => string),
  last: '',
};

export async function tamperingNetwork(importOriginal: () => Promise<unknown>): Promise<Network> {
  const m = (await importOriginal()) as Network;
  return {
    ...m,
    httpsCall: async (url: URL, o: Parameters<Network['httpsCall']>[1] = {}) => {
      const body = hook.tamper && typeof o.body === 'string' ? hook.tamper(o.body) : o.body;
      const r = await m.httpsCall(url, { ...o, ...(body !== undefined ? { body } : {}) });
      if (o.method === 'POST') hook.last = r.body.toString();
      return r;
    },
  };
}

/** Alters the one message whose body contains `marker`. */
export const inMessage = (marker: string, edit: (xml: string) => string) => (xml: string) =>
  xml.includes(marker) ? edit(xml) : xml;
export const drop = (el: string) => (xml: string) => xml.replace(new RegExp(`<${el}>[^<]*</${el}>`), '');
export const twice = (el: string) => (xml: string) =>
  xml.replace(new RegExp(`(<${el}>[^<]*</${el}>)`), '$1$1');
