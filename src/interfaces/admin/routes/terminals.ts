/** Terminal certificates: list, read, the CV certificate request (DER), import, renew, withdraw. */
import { RegistryError } from '../../../registry/errors.js';
import { getEService } from '../../../registry/store/eservices.js';
import { getTerminal, terminalsOf } from '../../../registry/store/terminals.js';
import {
  importTerminalCertificate,
  withdrawTerminalRequest,
} from '../../../registry/workflow/terminal-import.js';
import { orderTerminal } from '../../../registry/workflow/terminals.js';
import type { AdminDeps } from '../deps.js';
import { type Call, type RouteDef, route } from '../route.js';
import { terminalView } from '../views.js';
import { pathEService } from './eservices.js';

const TAG = 'Terminal certificates';

export function terminalRoutes(d: AdminDeps): RouteDef[] {
  const ofTerminal = async (c: Call<never>) => (await getTerminal(d.ctx.db, c.params.chr!)).eServiceId;
  return [
    route({
      method: 'get',
      path: '/eservices/{id}/terminals',
      operationId: 'listTerminals',
      summary: 'The terminal certificates and requests of an eService, oldest first',
      tag: TAG,
      permission: 'eservice:read',
      target: pathEService,
      handler: async (c) => {
        await getEService(d.ctx.db, c.params.id!);
        return { body: { items: (await terminalsOf(d.ctx.db, c.params.id!)).map(terminalView) } };
      },
    }),
    route({
      method: 'post',
      path: '/eservices/{id}/terminals/renew',
      operationId: 'renewTerminal',
      summary: 'Order a renewal now (new key; request signed by the current key too)',
      tag: TAG,
      permission: 'terminal:manage',
      fresh: true,
      responses: { '201': 'The new terminal (active with the test DV, else requested)' },
      handler: async (c) => {
        const es = await getEService(d.ctx.db, c.params.id!);
        if (es.status !== 'active')
          throw new RegistryError('wrong-state', `eService ${es.id} is ${es.status}`);
        const t = await orderTerminal(d.ctx, c.principal, { eServiceId: es.id, purpose: 'renewal' });
        return { status: 201, body: terminalView(t) };
      },
    }),
    route({
      method: 'get',
      path: '/terminals/{chr}',
      operationId: 'getTerminal',
      summary: 'Read a terminal certificate or request',
      tag: TAG,
      permission: 'eservice:read',
      target: ofTerminal,
      handler: async (c) => ({ body: terminalView(await getTerminal(d.ctx.db, c.params.chr!)) }),
    }),
    route({
      method: 'get',
      path: '/terminals/{chr}/request',
      operationId: 'getTerminalRequest',
      summary: 'The CV certificate request (TR-03110-3 §C.2), DER, for the Ministry’s DV',
      tag: TAG,
      permission: 'terminal:manage',
      responses: { '200': 'application/octet-stream: the request' },
      handler: async (c) => {
        const t = await getTerminal(d.ctx.db, c.params.chr!);
        if (!t.request) throw new RegistryError('not-found', `terminal ${t.chr} has no request (imported)`);
        return {
          body: t.request,
          type: 'application/octet-stream',
          headers: { 'content-disposition': `attachment; filename="${t.chr}.cvreq"` },
        };
      },
    }),
    route<{ certificate: string }>({
      method: 'post',
      path: '/terminals/certificates',
      operationId: 'importTerminalCertificate',
      summary:
        'Import the CV certificate the DV issued for a pending request (base64 DER); it must match the request and the approval',
      tag: TAG,
      permission: 'terminal:manage',
      fresh: true,
      body: 'CertificateImport',
      handler: async (c) => {
        const t = await importTerminalCertificate(
          d.ctx,
          c.principal,
          Buffer.from(c.body.certificate, 'base64'),
        );
        return { body: terminalView(t) };
      },
    }),
    route({
      method: 'post',
      path: '/terminals/{chr}/withdraw',
      operationId: 'withdrawTerminalRequest',
      summary: 'Withdraw a pending request (its key is destroyed)',
      tag: TAG,
      permission: 'terminal:manage',
      fresh: true,
      handler: async (c) => {
        await withdrawTerminalRequest(d.ctx, c.principal, c.params.chr!);
        return { body: terminalView(await getTerminal(d.ctx.db, c.params.chr!)) };
      },
    }),
  ];
}
