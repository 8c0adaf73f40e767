/**
 * `neid admin invite --name NAME --roles ROLE[,ROLE…] [--eservice ID …] [--config FILE]` — invites a
 * person as an admin of the web console (the first one, typically with security-officer, who
 * invites the others there). Prints the one-time invitation link: the person opens it and signs in
 * with their own New eID card, which binds the card to the account. Also sets up the console's
 * own eService (card login through this server's OpenID Provider); with the Ministry's DV its
 * terminal certificate request must be imported first (`neid terminal request/import`).
 */
import { parse, UsageError } from '../../config/args.js';
import { cliPrincipal, isRole, type Role } from '../../registry/roles.js';
import { ensureConsoleEService } from '../../registry/workflow/console-eservice.js';
import { invitePerson } from '../../registry/workflow/people.js';
import { withRegistry } from './registry-open.js';

export async function adminInvite(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'string' },
    eservice: { type: 'string', multiple: true },
  });
  if (!values.name) throw new UsageError('--name NAME is required');
  const roles = (values.roles ?? 'security-officer').split(',').map((r) => r.trim());
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length) throw new UsageError(`unknown role(s) ${bad.join(', ')}`);
  return withRegistry(values.config, async (r) => {
    const ctx = await r.context();
    const web = r.config.web.publicUrl;
    const inv = await invitePerson(ctx, cliPrincipal(), {
      name: values.name!,
      roles: roles as Role[],
      ...(values.eservice?.length ? { eServices: values.eservice } : {}),
      hours: r.config.admin.invitationHours,
    });
    const terminal = await ensureConsoleEService(ctx, {
      id: r.config.admin.eServiceId,
      redirectUri: `${web}/admin/callback`,
    });
    process.stdout.write(`${web}/admin/invitation/${inv.token}\n`);
    process.stderr.write(
      `${inv.account.id} (${inv.account.name}; roles: ${inv.account.roles.join(', ')}) invited until ${inv.expires.toISOString()}; give them the link above (shown once)\n`,
    );
    if (terminal && terminal.status !== 'active')
      process.stderr.write(
        `the console's terminal certificate ${terminal.chr} is ${terminal.status}: card sign-in works once "neid terminal import" has put the DV's certificate in force\n`,
      );
    return 0;
  });
}
