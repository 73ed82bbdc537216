// A stand-in for the preload's `window.softphone`, injected into the page by preview.ts. It runs in the browser,
// serialised by Playwright, so it must be self-contained: no imports, nothing from the enclosing module.

export type Scenario =
  | 'accounts'
  | 'empty'
  | 'storage-error'
  | 'calls'
  | 'incoming'
  /** Accounts with contacts, buddies in every state, watchers and our own status (one account failing). */
  | 'people'
  /** 5,000 generated contacts (the contacts bench), a hundred of them watched. */
  | 'contacts-5000'
  /** Accounts with conversations: days, failures, right-to-left text, a hostile name, someone typing. */
  | 'chat';

export function fakeSoftphone(scenario: Scenario): void {
  type Listener = (payload: unknown) => void;
  type Account = {
    id: string;
    displayName: string;
    aor: string;
    authUser: string | null;
    outboundProxy: string | null;
    registrar: string | null;
    transport: 'udp' | 'tcp';
    expires: number;
    keepAliveSeconds: number;
    keepAliveKind: 'crlf' | 'options';
    enabled: boolean;
    order: number;
    hasPassword: boolean;
  };
  type Status = {
    accountId: string;
    state: string;
    expires: number | null;
    failure: string | null;
    detail: string | null;
    status: number | null;
    retryInMs: number | null;
    lastFailure: { failure: string; detail: string; status: number | null } | null;
    server: string | null;
  };

  const listeners = new Map<string, Set<Listener>>();
  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  const ok = (value: unknown) => Promise.resolve({ ok: true, value });
  const make = (id: string, displayName: string, aor: string, order: number, enabled = true): Account => ({
    id,
    displayName,
    aor,
    authUser: null,
    outboundProxy: 'sip:192.0.2.10:5060',
    registrar: null,
    transport: 'udp',
    expires: 600,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled,
    order,
    hasPassword: true,
  });
  const plain = (accountId: string, state: string, extra: Partial<Status> = {}): Status => ({
    accountId,
    state,
    expires: null,
    failure: null,
    detail: null,
    status: null,
    retryInMs: null,
    lastFailure: null,
    server: null,
    ...extra,
  });
  const wrongPassword = (accountId: string) =>
    plain(accountId, 'failed', {
      failure: 'bad-credentials',
      detail: '401 Unauthorized from 192.0.2.10:5060',
      server: '192.0.2.10:5060',
      status: 401,
      retryInMs: 60_000,
    });

  const withAccounts =
    scenario === 'accounts' ||
    scenario === 'calls' ||
    scenario === 'incoming' ||
    scenario === 'people' ||
    scenario === 'contacts-5000' ||
    scenario === 'chat';
  let accounts: Account[] = withAccounts
    ? [
        make('a', 'Office', 'sip:alice@pbx.example.com', 0),
        make('b', 'Home', 'sip:alice.home@voip.example.net', 1),
        make('c', 'Lab', 'sip:lab-7@192.0.2.10', 2),
        make('d', 'Old provider', 'sip:4471234@old.example.org', 3, false),
      ]
    : [];
  const statuses: Status[] = withAccounts
    ? [
        plain('a', 'registered', { expires: 3600 }),
        wrongPassword('b'),
        plain('c', 'registering'),
        plain('d', 'disabled'),
      ]
    : [];
  let settings = {
    theme: 'system',
    sipPort: 0,
    audioInputId: '',
    audioOutputId: '',
    audioRingerId: '',
    audioEchoCancellation: true,
    audioNoiseSuppression: true,
    audioAutoGainControl: true,
    ringOnDefaultDevice: false,
    idleAwayMinutes: 10,
  };

  type Call = {
    id: string;
    accountId: string | null;
    direction: 'incoming' | 'outgoing';
    peerUri: string;
    peerName: string | null;
    state: string;
    muted: boolean;
    startedAt: number;
    answeredAt: number | null;
    endedAt: number | null;
    end: { by: string; reason: string; status: number | null; detail: string | null } | null;
  };
  const now = Date.now();
  const makeCall = (
    id: string,
    peerName: string | null,
    peerUri: string,
    state: string,
    answeredAt: number | null,
  ): Call => ({
    id,
    accountId: 'a',
    direction: state === 'incoming' ? 'incoming' : 'outgoing',
    peerUri,
    peerName,
    state,
    muted: false,
    startedAt: answeredAt ?? now,
    answeredAt,
    endedAt: null,
    end: null,
  });
  // A caller who tries everything a From header allows: an override that reverses text, a line break, great length.
  const hostileName = `\u202Eecnarusni ruoy\u202C Answer\n${'Mallory '.repeat(40)}`;
  let calls: Call[] =
    scenario === 'calls'
      ? [
          makeCall('c2', 'Carol Jones', 'sip:carol@pbx.example.com', 'on-hold', now - 300_000),
          makeCall('c1', 'Bob Example', 'sip:bob@pbx.example.com', 'connected', now - 83_000),
        ]
      : scenario === 'incoming'
        ? [
            makeCall('c1', 'Bob Example', 'sip:bob@pbx.example.com', 'connected', now - 83_000),
            makeCall('i1', hostileName, `sip:${'x'.repeat(120)}@evil.example`, 'incoming', null),
          ]
        : [];
  const changeCall = (id: string, changes: Partial<Call>): Call => {
    const changed = { ...calls.find((item) => item.id === id)!, ...changes };
    calls =
      changed.state === 'ended'
        ? calls.filter((item) => item.id !== id)
        : calls.map((item) => (item.id === id ? changed : item));
    emit('call.changed', changed);
    return changed;
  };
  const entry = (
    id: string,
    direction: string,
    name: string | null,
    uri: string,
    ago: number,
    talk: number,
    reason: string,
    mos: number | null,
  ) => ({
    id,
    accountId: 'a',
    direction,
    peerUri: uri,
    peerName: name,
    startedAt: now - ago,
    answeredAt: talk > 0 ? now - ago + 3_000 : null,
    endedAt: now - ago + 3_000 + talk,
    durationMs: talk,
    end: { by: 'remote', reason, status: null, detail: null },
    codec: talk > 0 ? 'opus' : null,
    quality: mos === null ? null : { mos, lossPercent: 0.4, jitterMs: 4 },
  });
  let history = withAccounts
    ? [
        entry('h1', 'incoming', 'Dave Missed', 'sip:dave@pbx.example.com', 600_000, 0, 'missed', null),
        entry('h2', 'outgoing', 'Bob Example', 'sip:bob@pbx.example.com', 3_600_000, 83_000, 'hangup', 4.3),
        entry('h3', 'incoming', null, 'sip:+4930123456@pbx.example.com', 86_400_000, 754_000, 'hangup', 3.4),
        entry('h4', 'outgoing', 'Reception', 'sip:100@pbx.example.com', 90_000_000, 0, 'busy', null),
      ]
    : [];
  if (scenario === 'calls') {
    setTimeout(
      () =>
        emit('call.quality', {
          callId: 'c1',
          codec: 'opus',
          sendBitrate: 32_000,
          receiveBitrate: 31_500,
          jitterMs: 4.2,
          lossPercent: 0.3,
          roundTripMs: 42,
          jitterBufferDelayMs: 40,
          jitterBufferTargetMs: 40,
          lateFrames: 0,
          concealedFrames: 0,
          recoveredFrames: 0,
          mos: 4.2,
        }),
      100,
    );
  }

  type Contact = {
    id: string;
    name: string;
    sipAddresses: { uri: string; label: string | null }[];
    phoneNumbers: { number: string; label: string | null }[];
    note: string;
    favorite: boolean;
    watchPresence: boolean;
    accountId: string | null;
    createdAt: number;
    updatedAt: number;
  };
  const person = (id: string, name: string, uri: string | null, extra: Partial<Contact> = {}): Contact => ({
    id,
    name,
    sipAddresses: uri ? [{ uri, label: null }] : [],
    phoneNumbers: [],
    note: '',
    favorite: false,
    watchPresence: uri !== null,
    accountId: null,
    createdAt: now,
    updatedAt: now,
    ...extra,
  });
  const FIRST = [
    'María',
    'José',
    'Anna',
    'Bob',
    'Chen',
    'Dana',
    'Émile',
    'Fatima',
    'Grace',
    'Hiro',
    'Ivan',
    'Jo',
  ];
  const LAST = [
    'García',
    'Smith',
    'Müller',
    'Okafor',
    'Nguyen',
    'Rossi',
    'Kowalski',
    'Silva',
    'Dubois',
    'Tanaka',
  ];
  let contacts: Contact[] =
    scenario === 'people'
      ? [
          person('p1', 'Bob Example', 'sip:bob@pbx.example.com', {
            favorite: true,
            phoneNumbers: [{ number: '+44 20 7946 0000', label: 'mobile' }],
            note: 'Team lead. Prefers chat before calls.',
          }),
          person('p2', 'Carol Jones', 'sip:carol@pbx.example.com', { favorite: true }),
          person('p3', 'Dave Missed', 'sip:dave@pbx.example.com'),
          person('p4', 'Émile Dubois', 'sip:emile@voip.example.net'),
          person('p5', 'فاطمة الزهراء', 'sip:fatima@pbx.example.com'),
          person('p6', `\u202Eevil reversed\u202C ${'Mallory '.repeat(12)}`, 'sip:mallory@evil.example'),
          person('p7', 'Grace Hopper', 'sip:grace@pbx.example.com'),
          person('p8', 'Reception', null, { phoneNumbers: [{ number: '100', label: 'desk' }] }),
          person('p9', 'Hiro Tanaka', 'sip:hiro@pbx.example.com'),
        ]
      : scenario === 'contacts-5000'
        ? Array.from({ length: 5_000 }, (_, index) => {
            const first = FIRST[index % FIRST.length]!;
            const last = LAST[Math.floor(index / FIRST.length) % LAST.length]!;
            const user = `${first}.${last}.${index}`.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
            return person(`k${index}`, `${first} ${last} ${index}`, `sip:${user}@example.org`, {
              phoneNumbers: [{ number: `+1 555 ${String(index).padStart(4, '0')}`, label: 'work' }],
              favorite: index % 50 === 0,
              watchPresence: index % 50 === 0,
            });
          })
        : [];
  contacts.sort((a, b) => a.name.localeCompare(b.name));
  const AVAILABLE = ['available', 'on-the-phone', 'busy', 'do-not-disturb', 'away', 'offline', 'unknown'];
  const buddies = contacts
    .filter((item) => item.watchPresence)
    .map((item, index) => ({
      contactId: item.id,
      uri: item.sipAddresses[0]!.uri,
      accountId: 'a',
      availability: AVAILABLE[index % AVAILABLE.length],
      activities: [],
      note:
        index === 0
          ? 'In the lab until 3'
          : index === 4
            ? `\u202Egnitteem ni\u202C ${'very long note '.repeat(8)}`
            : index === 3
              ? 'في اجتماع حتى الساعة الثالثة'
              : null,
      subscription: index % AVAILABLE.length === 6 ? 'pending' : 'active',
      changedAt: now,
    }));
  const own = withAccounts
    ? accounts
        .filter((item) => item.enabled)
        .map((item) => ({
          accountId: item.id,
          status: 'available',
          note: null as string | null,
          published: item.id === 'a' && scenario === 'people' ? 'away' : 'available',
          automatic: item.id === 'a' && scenario === 'people' ? 'idle' : null,
          publication: item.id === 'b' ? 'failed' : 'published',
          detail: item.id === 'b' ? '403 Forbidden from 192.0.2.10:5060' : null,
        }))
    : [];
  let watchers =
    scenario === 'people'
      ? [
          {
            accountId: 'a',
            uri: 'sip:newcomer@pbx.example.com',
            displayName: 'Nina Newcomer',
            status: 'pending',
            firstSeenAt: now,
            isNew: true,
          },
          {
            accountId: 'a',
            uri: 'sip:bob@pbx.example.com',
            displayName: 'Bob',
            status: 'active',
            firstSeenAt: now - 86_400_000,
            isNew: false,
          },
        ]
      : [];
  (globalThis as { __fakeSoftphoneEmit?: unknown }).__fakeSoftphoneEmit = emit;
  let nextId = 1;

  // The chat: a few conversations, one thread with days, delivery marks, a failure, right-to-left text, emoji and
  // a long word; a hostile name; the peer typing in the open thread.
  type Message = {
    id: string;
    conversationId: string;
    direction: 'incoming' | 'outgoing';
    body: string;
    sentAt: number;
    deliveredAt: number | null;
    delivery: 'sending' | 'delivered' | 'failed' | 'received';
    failure: { reason: string; status: number | null; detail: string | null } | null;
  };
  const chatNow = Date.now();
  const today = new Date(chatNow);
  today.setHours(9, 0, 0, 0);
  const at = (daysAgo: number, minutes: number) => today.getTime() - daysAgo * 86_400_000 + minutes * 60_000;
  const said = (
    id: string,
    conversationId: string,
    direction: Message['direction'],
    body: string,
    sentAt: number,
    delivery: Message['delivery'] = direction === 'incoming' ? 'received' : 'delivered',
    failure: Message['failure'] = null,
  ): Message => ({
    id,
    conversationId,
    direction,
    body,
    sentAt,
    deliveredAt: delivery === 'sending' || delivery === 'failed' ? null : sentAt + 400,
    delivery,
    failure,
  });
  let messages: Message[] =
    scenario === 'chat'
      ? [
          said('m1', 'bob', 'incoming', 'Are we still on for lunch on Friday?', at(1, 30)),
          said('m2', 'bob', 'outgoing', 'Yes! 12:30 at the usual place 🍜', at(1, 34)),
          said(
            'm3',
            'bob',
            'outgoing',
            'Here is the menu: https://example.com/menus/this-is-a-very-long-link-without-any-spaces-at-all-0123456789',
            at(1, 36),
          ),
          said('m4', 'bob', 'incoming', 'مرحبا! See you then 👋', at(0, 5)),
          said('m5', 'bob', 'outgoing', 'Can you bring the slides?', at(0, 12), 'failed', {
            reason: 'unavailable',
            status: 480,
            detail: '480 Temporarily Unavailable from 192.0.2.10:5060',
          }),
          said('m6', 'bob', 'outgoing', 'Trying again later', at(0, 14), 'sending'),
          said(
            'm7',
            'bob',
            'incoming',
            'Running ten minutes late for lunch, sorry!\nOrder for me?',
            at(0, 20),
          ),
          said('n1', 'carol', 'outgoing', 'Thanks for the call earlier.', at(2, 100)),
          said('p1', 'mallory', 'incoming', '\u202eevil text <b>not bold</b>', at(0, 2)),
          said('q1', 'reception', 'incoming', 'Your parcel is at the front desk.', at(40, 0)),
        ]
      : [];
  type Conversation = {
    id: string;
    accountId: string | null;
    peerUri: string;
    peerName: string | null;
    lastMessage: Message | null;
    unread: number;
    updatedAt: number;
  };
  const peers: Record<string, [string, string | null, number]> = {
    bob: ['sip:bob@pbx.example.com', 'Bob Example', 2],
    carol: ['sip:carol@pbx.example.com', null, 0],
    mallory: ['sip:mallory@evil.example', '\u202eMallory\u202c <img src=x>', 1],
    reception: ['sip:100@pbx.example.com', 'Reception', 0],
  };
  const conversationOf = (id: string): Conversation => {
    const thread = messages.filter((item) => item.conversationId === id);
    const last = thread.reduce<Message | null>((a, b) => (a && a.sentAt > b.sentAt ? a : b), null);
    const [peerUri, peerName, unread] = peers[id] ?? [`sip:${id}@pbx.example.com`, null, 0];
    return {
      id,
      accountId: 'a',
      peerUri,
      peerName,
      lastMessage: last,
      unread,
      updatedAt: last?.sentAt ?? chatNow,
    };
  };
  const conversations = (): Conversation[] =>
    [...new Set(messages.map((item) => item.conversationId))]
      .map(conversationOf)
      .sort((a, b) => b.updatedAt - a.updatedAt);
  (globalThis as { __softphoneEmit?: unknown }).__softphoneEmit = emit;

  const changed = () => emit('accounts.changed', accounts);
  const register = (id: string) => {
    emit('registration.changed', plain(id, 'registering'));
    setTimeout(() => {
      const account = accounts.find((a) => a.id === id);
      if (!account) return;
      emit(
        'registration.changed',
        account.aor.includes('home')
          ? wrongPassword(id)
          : plain(id, 'registered', { expires: account.expires }),
      );
    }, 500);
  };
  const save = (id: string, input: Account & { password?: string | null }, order: number): Account => {
    const { password, ...rest } = input;
    const before = accounts.find((a) => a.id === id);
    return { ...rest, id, order, hasPassword: Boolean(password) || Boolean(before?.hasPassword) };
  };

  (globalThis as { softphone?: unknown }).softphone = {
    app: {
      info: () =>
        ok({
          version: '0.1.0',
          host: 'electron',
          passwordProtection: { kind: 'os-keychain', detail: 'gnome_libsecret' },
          storageError:
            scenario === 'storage-error'
              ? {
                  kind: 'read-only',
                  path: '/home/alice/.config/softphone/softphone.sqlite',
                  detail: 'SQLITE_READONLY: attempt to write a readonly database',
                  holderPid: null,
                }
              : null,
        }),
    },
    accounts: {
      list: () => ok(accounts),
      create: (input: Account) => {
        const account = save(`n${nextId++}`, input, accounts.length);
        accounts = [...accounts, account];
        changed();
        return ok(account);
      },
      update: (id: string, input: Account) => {
        const account = save(id, input, accounts.find((a) => a.id === id)?.order ?? 0);
        accounts = accounts.map((a) => (a.id === id ? account : a));
        changed();
        return ok(account);
      },
      delete: (id: string) => {
        accounts = accounts.filter((a) => a.id !== id);
        changed();
        return ok(null);
      },
      setEnabled: (id: string, enabled: boolean) => {
        accounts = accounts.map((a) => (a.id === id ? { ...a, enabled } : a));
        changed();
        return ok(accounts.find((a) => a.id === id));
      },
      setDoNotDisturb: (id: string, doNotDisturb: boolean) => {
        accounts = accounts.map((a) => (a.id === id ? { ...a, doNotDisturb } : a));
        changed();
        return ok(accounts.find((a) => a.id === id));
      },
      reorder: () => ok(accounts),
      registerNow: (id: string) => {
        register(id);
        return ok(null);
      },
    },
    registration: { list: () => ok(statuses) },
    calls: {
      list: () => ok(calls),
      dial: (request: { target: string; accountId: string | null }) => {
        const placed = makeCall(`d${nextId++}`, null, request.target, 'dialing', null);
        calls = [...calls, placed];
        emit('call.changed', placed);
        return ok(placed);
      },
      answer: (id: string) => ok(changeCall(id, { state: 'connected', answeredAt: Date.now() })),
      reject: (id: string) => {
        changeCall(id, {
          state: 'ended',
          end: { by: 'local', reason: 'rejected', status: 486, detail: null },
        });
        return ok(null);
      },
      hangup: (id: string) => {
        changeCall(id, {
          state: 'ended',
          end: { by: 'local', reason: 'hangup', status: null, detail: null },
        });
        return ok(null);
      },
      hold: (id: string) => ok(changeCall(id, { state: 'on-hold' })),
      resume: (id: string) => ok(changeCall(id, { state: 'connected' })),
      mute: (id: string, muted: boolean) => ok(changeCall(id, { muted })),
      sendDtmf: () => ok(null),
      transfer: (id: string) => {
        changeCall(id, { state: 'transferring' });
        return ok(null);
      },
    },
    history: {
      list: () => ok({ entries: history, next: null }),
      delete: (id: string) => {
        history = history.filter((entry) => entry.id !== id);
        return ok(null);
      },
      clear: () => {
        history = [];
        return ok(null);
      },
    },
    dialpad: { ready: () => ok([]) },
    messages: {
      conversations: () => ok(conversations()),
      list: (page: { conversationId: string; limit: number }) => {
        const thread = messages
          .filter((item) => item.conversationId === page.conversationId)
          .sort((a, b) => b.sentAt - a.sentAt);
        if (page.conversationId === 'bob') {
          setTimeout(
            () =>
              emit('message.composing', {
                conversationId: 'bob',
                accountId: 'a',
                peerUri: 'sip:bob@pbx.example.com',
                state: 'active',
              }),
            50,
          );
        }
        return ok({ messages: thread.slice(0, page.limit), next: null });
      },
      send: (request: { accountId: string | null; to: string; body: string }) => {
        const id = Object.keys(peers).find((key) => peers[key]?.[0] === request.to) ?? 'new';
        const sent = said(`s${nextId++}`, id, 'outgoing', request.body, Date.now(), 'sending');
        messages = [...messages, sent];
        emit('message.changed', sent);
        emit('conversation.changed', conversationOf(id));
        return ok(sent);
      },
      retry: (id: string) => {
        const found = messages.find((item) => item.id === id);
        const again = { ...found, delivery: 'sending', failure: null };
        emit('message.changed', again);
        return ok(again);
      },
      markRead: () => ok(null),
      setComposing: () => ok(null),
      search: (request: { text: string }) => {
        const words = request.text.toLowerCase().split(/\s+/u).filter(Boolean);
        return ok(
          messages
            .filter((item) => words.every((word) => item.body.toLowerCase().includes(word)))
            .map((item) => ({ message: item, conversation: conversationOf(item.conversationId) })),
        );
      },
      deleteConversation: () => ok(null),
    },
    settings: {
      get: () => ok(settings),
      update: (patch: object) => {
        settings = { ...settings, ...patch };
        emit('settings.changed', settings);
        return ok(settings);
      },
    },
    presence: {
      buddies: () => ok(buddies),
      own: () => ok(own),
      setStatus: (request: { accountId: string | null; status: string; note: string | null }) => {
        for (const item of own) {
          if (request.accountId !== null && item.accountId !== request.accountId) continue;
          item.status = request.status;
          item.published = request.status;
          item.automatic = null;
          item.note = request.note;
          emit('presence.changed', { ...item });
        }
        return ok(own.map((item) => ({ ...item })));
      },
      watchers: () => ok(watchers),
      watchersSeen: () => {
        watchers = watchers.map((item) => ({ ...item, isNew: false }));
        return ok(null);
      },
    },
    contacts: {
      list: () => ok(contacts),
      create: (input: Omit<Contact, 'id' | 'createdAt' | 'updatedAt'>) => {
        const saved = { ...input, id: `n${nextId++}`, createdAt: Date.now(), updatedAt: Date.now() };
        contacts = [...contacts, saved];
        emit('contacts.changed', { upserted: [saved], deleted: [] });
        return ok(saved);
      },
      update: (id: string, input: Omit<Contact, 'id' | 'createdAt' | 'updatedAt'>) => {
        const saved = { ...input, id, createdAt: now, updatedAt: Date.now() };
        contacts = contacts.map((item) => (item.id === id ? saved : item));
        emit('contacts.changed', { upserted: [saved], deleted: [] });
        return ok(saved);
      },
      delete: (id: string) => {
        contacts = contacts.filter((item) => item.id !== id);
        emit('contacts.changed', { upserted: [], deleted: [id] });
        return ok(null);
      },
      importVcard: () => ok({ imported: 0, skipped: [] }),
      exportVcard: () => ok(''),
    },
    on: (event: string, listener: Listener) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}
