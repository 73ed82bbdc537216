// Runtime checks of every command's arguments (DESIGN.md habit 6): a payload from the renderer or the web host's
// socket is untrusted until it passes these. Each schema is typed against the contract (`z.ZodType<CommandArgs<C>>`),
// so a field added to a DTO and not here, or a command without a schema, fails to compile. The engine imports this
// file; the window never does (it would bundle zod for nothing: its forms check the same limits from limits.ts).
//
// What is checked here is the shape: types, lengths, enums, and that no text field can smuggle a line break or a NUL
// into something the engine later writes into a SIP header. Whether a URI parses by RFC 3261's grammar is the
// account service's check, because the parser lives below the contract.
import { z } from 'zod';
import type { CommandArgs, CommandName } from './contract';
import {
  ACCOUNT_ID_MAX,
  AUDIO_DEVICE_ID_MAX,
  AUDIO_DEVICE_ID_PATTERN,
  AUTH_USER_MAX,
  CALL_CODECS,
  CALL_ID_MAX,
  DTMF_DIGITS_MAX,
  DTMF_DIGITS_PATTERN,
  HISTORY_PAGE_MAX,
  REJECT_STATUSES,
  DISPLAY_NAME_MAX,
  EXPIRES_MAX,
  EXPIRES_MIN,
  KEEP_ALIVE_KINDS,
  KEEP_ALIVE_MAX,
  KEEP_ALIVE_MIN,
  KEEP_ALIVE_SHORTEST,
  PASSWORD_MAX,
  REORDER_MAX,
  SIP_PORT_MAX,
  SIP_PORT_MIN,
  SIP_URI_MAX,
  THEMES,
  TRANSPORTS,
  CONTACT_ADDRESSES_MAX,
  CONTACT_LABEL_MAX,
  CONTACT_NAME_MAX,
  CONTACT_NOTE_MAX,
  CONTROL_CHARACTERS,
  IDLE_AWAY_MINUTES_MAX,
  MESSAGE_BODY_MAX,
  MESSAGE_PAGE_MAX,
  MESSAGE_SEARCH_MAX,
  OWN_STATUSES,
  PHONE_NUMBER_MAX,
  PHONE_NUMBER_PATTERN,
  PRESENCE_NOTE_MAX,
  TEXT_CONTROL_CHARACTERS,
  VCARD_TEXT_MAX,
  CONTACTS_MAX,
} from './limits';

const noControls = (text: string): boolean => !CONTROL_CHARACTERS.test(text);

const plainText = (what: string, max: number) =>
  z
    .string()
    .max(max, `${what} is longer than ${max} characters`)
    .refine(noControls, `${what} contains a control character`)
    .transform((text) => text.trim());

const sipUriText = (what: string, options: { requireUser: boolean }) =>
  z
    .string()
    .max(SIP_URI_MAX, `${what} is longer than ${SIP_URI_MAX} characters`)
    .refine(noControls, `${what} contains a control character`)
    .transform((text) => text.trim())
    .refine((text) => text.length > 0, `${what} is required`)
    .refine((text) => /^sips?:\S+$/i.test(text), `${what} must be a SIP URI`)
    .refine(
      (text) => !options.requireUser || /^sips?:[^@]+@\S+$/i.test(text),
      `${what} needs a user part, as in sip:alice@example.com`,
    );

const id = z.string().min(1).max(ACCOUNT_ID_MAX);

const callId = z.string().min(1).max(CALL_ID_MAX).refine(noControls, 'Call id contains a control character');
/** A call id as the web host's audio.open carries it (main/contract/wire-frames.ts). */
export const callIdSchema = callId;

/** Best first, each codec once, at least one. */
export const codecListSchema = z
  .array(z.enum(CALL_CODECS))
  .min(1, 'Choose at least one codec')
  .max(CALL_CODECS.length)
  .refine((codecs) => new Set(codecs).size === codecs.length, 'Each codec may be listed once');

export const accountInputSchema = z.strictObject({
  displayName: plainText('Display name', DISPLAY_NAME_MAX),
  aor: sipUriText('Address', { requireUser: true }),
  authUser: plainText('Authentication user', AUTH_USER_MAX).nullable(),
  password: z.string().max(PASSWORD_MAX).nullable().optional(),
  outboundProxy: sipUriText('Outbound proxy', { requireUser: false }).nullable(),
  registrar: sipUriText('Registrar', { requireUser: false }).nullable(),
  transport: z.enum(TRANSPORTS),
  expires: z
    .number()
    .int()
    .min(EXPIRES_MIN, `Expires must be at least ${EXPIRES_MIN} seconds`)
    .max(EXPIRES_MAX, `Expires must be at most ${EXPIRES_MAX} seconds`),
  keepAliveSeconds: z
    .number()
    .int()
    .min(KEEP_ALIVE_MIN)
    .max(KEEP_ALIVE_MAX)
    .refine((seconds) => seconds === 0 || seconds >= KEEP_ALIVE_SHORTEST, {
      message: `0 (off) or at least ${KEEP_ALIVE_SHORTEST} seconds`,
    }),
  keepAliveKind: z.enum(KEEP_ALIVE_KINDS),
  enabled: z.boolean(),
  register: z.boolean().optional(),
  codecs: codecListSchema.optional(),
  earlyMedia: z.boolean().optional(),
  doNotDisturb: z.boolean().optional(),
  presenceListUri: sipUriText('Presence list', { requireUser: true }).nullable().optional(),
});

export const dialRequestSchema = z.strictObject({
  target: sipUriText('Target', { requireUser: false }),
  accountId: id.nullable(),
});

/** Lower-case a–d are accepted and sent as upper case; anything else is refused. */
export const dtmfDigitsSchema = z
  .string()
  .min(1, 'Digits are required')
  .max(DTMF_DIGITS_MAX, `At most ${DTMF_DIGITS_MAX} digits`)
  .transform((digits) => digits.toUpperCase())
  .refine((digits) => DTMF_DIGITS_PATTERN.test(digits), 'Digits may only be 0-9, *, # and A-D');

export const transferRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('blind'), target: sipUriText('Transfer target', { requireUser: false }) }),
  z.strictObject({ kind: z.literal('attended'), callId }),
]);

const rejectStatus = z
  .number()
  .int()
  .refine(
    (status): status is (typeof REJECT_STATUSES)[number] =>
      (REJECT_STATUSES as readonly number[]).includes(status),
    `Reject with one of ${REJECT_STATUSES.join(', ')}`,
  );

export const historyPageSchema = z.strictObject({
  limit: z.number().int().min(1).max(HISTORY_PAGE_MAX),
  before: z.strictObject({ startedAt: z.number().int().min(0), id: callId }).nullable(),
});

export const audioDeviceIdSchema = z
  .string()
  .max(AUDIO_DEVICE_ID_MAX, `An audio device id is longer than ${AUDIO_DEVICE_ID_MAX} characters`)
  .regex(AUDIO_DEVICE_ID_PATTERN, 'An audio device id is printable ASCII without spaces');

export const settingsPatchSchema = z.strictObject({
  theme: z.enum(THEMES).optional(),
  sipPort: z.number().int().min(SIP_PORT_MIN).max(SIP_PORT_MAX).optional(),
  audioInputId: audioDeviceIdSchema.optional(),
  audioOutputId: audioDeviceIdSchema.optional(),
  audioRingerId: audioDeviceIdSchema.optional(),
  audioEchoCancellation: z.boolean().optional(),
  audioNoiseSuppression: z.boolean().optional(),
  audioAutoGainControl: z.boolean().optional(),
  ringOnDefaultDevice: z.boolean().optional(),
  idleAwayMinutes: z.number().int().min(0).max(IDLE_AWAY_MINUTES_MAX).optional(),
});

/**
 * Text a person wrote that may span lines (a note, a message): any character but TEXT_CONTROL_CHARACTERS.
 * Bidirectional overrides are allowed through: the window isolates what it shows.
 */
const multiLineText = (what: string, max: number) =>
  z
    .string()
    .max(max, `${what} is longer than ${max} characters`)
    .refine((text) => !TEXT_CONTROL_CHARACTERS.test(text), `${what} contains a control character`);

const presenceNote = plainText('Note', PRESENCE_NOTE_MAX)
  .nullable()
  .transform((note) => (note === null || note.length === 0 ? null : note));

export const setOwnStatusSchema = z.strictObject({
  accountId: id.nullable(),
  status: z.enum(OWN_STATUSES),
  note: presenceNote,
});

const contactLabel = plainText('Label', CONTACT_LABEL_MAX)
  .nullable()
  .transform((label) => (label === null || label.length === 0 ? null : label));

export const contactInputSchema = z
  .strictObject({
    name: plainText('Name', CONTACT_NAME_MAX),
    sipAddresses: z
      .array(z.strictObject({ uri: sipUriText('SIP address', { requireUser: false }), label: contactLabel }))
      .max(CONTACT_ADDRESSES_MAX, `At most ${CONTACT_ADDRESSES_MAX} SIP addresses`),
    phoneNumbers: z
      .array(
        z.strictObject({
          number: plainText('Phone number', PHONE_NUMBER_MAX).refine(
            (number) => PHONE_NUMBER_PATTERN.test(number),
            'A phone number may hold digits, + at the start, spaces and ( ) . - / * #',
          ),
          label: contactLabel,
        }),
      )
      .max(CONTACT_ADDRESSES_MAX, `At most ${CONTACT_ADDRESSES_MAX} phone numbers`),
    note: multiLineText('Note', CONTACT_NOTE_MAX),
    favorite: z.boolean(),
    watchPresence: z.boolean(),
    accountId: id.nullable(),
  })
  .refine(
    (input) => input.name.length > 0 || input.sipAddresses.length > 0 || input.phoneNumbers.length > 0,
    {
      message: 'A contact needs a name, a SIP address or a phone number',
      path: ['name'],
    },
  )
  .refine((input) => !input.watchPresence || input.sipAddresses.length > 0, {
    message: 'Watching presence needs a SIP address',
    path: ['watchPresence'],
  });

const sipUri = sipUriText('Address', { requireUser: true });

export const sendMessageSchema = z.strictObject({
  accountId: id.nullable(),
  to: sipUri,
  body: multiLineText('Message', MESSAGE_BODY_MAX).refine(
    (body) => body.trim().length > 0,
    'A message needs some text',
  ),
});

export const messagePageSchema = z.strictObject({
  conversationId: id,
  limit: z.number().int().min(1).max(MESSAGE_PAGE_MAX),
  before: z.strictObject({ sentAt: z.number().int().min(0), id }).nullable(),
});

export const messageSearchSchema = z.strictObject({
  text: plainText('Search', MESSAGE_SEARCH_MAX).refine((text) => text.length > 0, 'Search text is required'),
  limit: z.number().int().min(1).max(MESSAGE_PAGE_MAX),
});

export const composingSchema = z.strictObject({
  accountId: id.nullable(),
  to: sipUri,
  state: z.enum(['active', 'idle']),
});

/** Each command's argument tuple; the mapped type makes a command without a schema a compile error. */
export type CommandSchemas = { readonly [C in CommandName]: z.ZodType<CommandArgs<C>> };

export const commandSchemas = {
  'app.info': z.tuple([]),
  'accounts.list': z.tuple([]),
  'accounts.create': z.tuple([accountInputSchema]),
  'accounts.update': z.tuple([id, accountInputSchema]),
  'accounts.delete': z.tuple([id]),
  'accounts.setEnabled': z.tuple([id, z.boolean()]),
  'accounts.setDoNotDisturb': z.tuple([id, z.boolean()]),
  'dialpad.ready': z.tuple([]),
  'accounts.reorder': z.tuple([z.array(id).max(REORDER_MAX)]),
  'accounts.registerNow': z.tuple([id]),
  'registration.list': z.tuple([]),
  'settings.get': z.tuple([]),
  'settings.update': z.tuple([settingsPatchSchema]),
  'calls.dial': z.tuple([dialRequestSchema]),
  'calls.answer': z.tuple([callId]),
  'calls.reject': z.tuple([callId, rejectStatus]),
  'calls.hangup': z.tuple([callId]),
  'calls.hold': z.tuple([callId]),
  'calls.resume': z.tuple([callId]),
  'calls.mute': z.tuple([callId, z.boolean()]),
  'calls.sendDtmf': z.tuple([callId, dtmfDigitsSchema]),
  'calls.transfer': z.tuple([callId, transferRequestSchema]),
  'calls.list': z.tuple([]),
  'history.list': z.tuple([historyPageSchema]),
  'history.delete': z.tuple([callId]),
  'history.clear': z.tuple([]),
  'presence.buddies': z.tuple([]),
  'presence.own': z.tuple([]),
  'presence.setStatus': z.tuple([setOwnStatusSchema]),
  'presence.watchers': z.tuple([]),
  'presence.watchersSeen': z.tuple([]),
  'contacts.list': z.tuple([]),
  'contacts.create': z.tuple([contactInputSchema]),
  'contacts.update': z.tuple([id, contactInputSchema]),
  'contacts.delete': z.tuple([id]),
  'contacts.importVcard': z.tuple([
    z.string().max(VCARD_TEXT_MAX, `A vCard file of at most ${VCARD_TEXT_MAX} characters`),
  ]),
  'contacts.exportVcard': z.tuple([z.array(id).max(CONTACTS_MAX).nullable(), z.enum(['3.0', '4.0'])]),
  'messages.conversations': z.tuple([]),
  'messages.list': z.tuple([messagePageSchema]),
  'messages.send': z.tuple([sendMessageSchema]),
  'messages.retry': z.tuple([id]),
  'messages.markRead': z.tuple([id]),
  'messages.setComposing': z.tuple([composingSchema]),
  'messages.search': z.tuple([messageSearchSchema]),
  'messages.deleteConversation': z.tuple([id]),
} as const satisfies CommandSchemas;

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commandSchemas, name);
}
