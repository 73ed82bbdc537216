// Runtime validation of every command's arguments (DESIGN.md habit 6): a payload from the renderer or the web host's
// socket is untrusted until it passes these.
import { z } from 'zod';
import { isSipUri, parseUri } from '../sip/message/uri';
import type { CommandName } from '../ipc/contract';

const sipUriText = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .max(512)
    .refine((text) => {
      const parsed = parseUri(text);
      return parsed.ok && isSipUri(parsed.value);
    }, `${what} must be a SIP URI such as sip:alice@example.com`);

const id = z.string().min(1).max(64);

export const accountInputSchema = z.strictObject({
  displayName: z.string().trim().max(100),
  aor: sipUriText('Address').refine((text) => {
    const parsed = parseUri(text);
    return parsed.ok && isSipUri(parsed.value) && parsed.value.user !== undefined;
  }, 'Address needs a user part, as in sip:alice@example.com'),
  authUser: z.string().trim().max(128).nullable(),
  password: z.string().max(256).nullable().optional(),
  outboundProxy: sipUriText('Outbound proxy').nullable(),
  transport: z.enum(['udp', 'tcp']),
  expires: z
    .number()
    .int()
    .min(30, 'Expires must be at least 30 seconds')
    .max(86_400, 'Expires must be at most 86400 seconds'),
  // Stand-in until the engine's own version of these three fields is merged: accepted, not yet used.
  registrar: sipUriText('Registrar').nullable().optional(),
  keepAliveSeconds: z.number().int().min(0).max(86_400).optional(),
  keepAliveKind: z.enum(['crlf', 'options']).optional(),
  enabled: z.boolean(),
});

export const settingsPatchSchema = z.strictObject({
  theme: z.enum(['system', 'light', 'dark']).optional(),
  sipPort: z.number().int().min(0).max(65_535).optional(),
});

/** Each command's argument tuple. */
export const commandSchemas: { readonly [C in CommandName]: z.ZodType } = {
  'app.info': z.tuple([]),
  'accounts.list': z.tuple([]),
  'accounts.create': z.tuple([accountInputSchema]),
  'accounts.update': z.tuple([id, accountInputSchema]),
  'accounts.delete': z.tuple([id]),
  'accounts.setEnabled': z.tuple([id, z.boolean()]),
  'accounts.reorder': z.tuple([z.array(id).max(100)]),
  'accounts.registerNow': z.tuple([id]),
  'registration.list': z.tuple([]),
  'settings.get': z.tuple([]),
  'settings.update': z.tuple([settingsPatchSchema]),
};
