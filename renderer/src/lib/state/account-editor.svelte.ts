// One account editor's state: the form as typed, which messages show, and the phases of a save ("Save and test"
// follows the registration it starts) and of a delete. Focus and scrolling stay in the component; everything a
// person can see change lives here, so it is tested without rendering.
//
//            save() ok, enabled                      save() ok, disabled
//   editing ───────────────────▶ saving ──▶ testing      saving ──▶ saved
//      ▲                           │           │                      │
//      └──── refused / invalid ────┘           └── edit + save() ─────┘ (back through saving)
import type { AccountDto, RegistrationStatusDto } from '../../../../main/contract/contract';
import {
  ACCOUNT_FIELDS,
  URI_FIELDS,
  accountFormFrom,
  accountInputFrom,
  duplicateMessage,
  emptyAccountForm,
  formFieldOf,
  isFormDirty,
  sameAccountAs,
  validateAccountForm,
  withSipScheme,
  type AccountField,
  type AccountForm,
  type AccountFormErrors,
} from '../account-form';
import type { AccountsState } from './accounts.svelte';
import type { RegistrationsState } from './registrations.svelte';

export type EditorPhase = 'editing' | 'saving' | 'testing' | 'saved';

/** What a save came to, so the component knows where focus goes. */
export type SaveOutcome =
  /** Not sent: this field is the first with a problem. */
  | { readonly kind: 'invalid'; readonly field: AccountField }
  /** The engine refused it because of this field; the message is under it. */
  | { readonly kind: 'refused-field'; readonly field: AccountField }
  /** The engine refused it for another reason; `saveError` says why. */
  | { readonly kind: 'refused' }
  | { readonly kind: 'saved' }
  /** A save is already under way. */
  | { readonly kind: 'busy' };

export class AccountEditorState {
  accountId = $state<string | null>(null);
  form = $state<AccountForm>(emptyAccountForm());
  /** The form as last saved (or as opened): what "unsaved edits" are measured against. */
  baseline = $state<AccountForm>(emptyAccountForm());
  touched = $state<Partial<Record<AccountField, boolean>>>({});
  submitted = $state(false);
  serverErrors = $state<AccountFormErrors>({});
  /** Fields the form corrected itself (added `sip:`), with what it did, shown under them. */
  corrections = $state<Partial<Record<AccountField, string>>>({});
  saveError = $state<string | null>(null);
  phase = $state<EditorPhase>('editing');
  /** The account's status revision when the save started: only statuses after it belong to this test. */
  testFrom = $state(0);
  confirmingDelete = $state(false);
  deleting = $state(false);
  deleteError = $state<string | null>(null);

  // Getters rather than $derived fields: a field initializer would run before the constructor's parameters are
  // stored. Each is cheap, and reading one inside a template or effect tracks its sources all the same.
  get clientErrors(): AccountFormErrors {
    return validateAccountForm(this.form, { accounts: this.accounts.list, ownId: this.accountId });
  }

  get saved(): AccountDto | undefined {
    return this.accountId ? this.accounts.byId(this.accountId) : undefined;
  }

  get hasPassword(): boolean {
    return this.saved?.hasPassword ?? false;
  }

  get dirty(): boolean {
    return isFormDirty(this.form, this.baseline);
  }

  /** The account's registration as the engine reports it now, whatever the editor is doing. */
  get currentStatus(): RegistrationStatusDto | undefined {
    return this.accountId ? this.registrations.get(this.accountId) : undefined;
  }

  /** The first status after "Save and test"; null while none has arrived. */
  get testStatus(): RegistrationStatusDto | null {
    if (this.phase !== 'testing' || !this.accountId) return null;
    if (this.registrations.revision(this.accountId) <= this.testFrom) return null;
    return this.registrations.get(this.accountId) ?? null;
  }

  constructor(
    private readonly accounts: AccountsState,
    private readonly registrations: RegistrationsState,
    account: AccountDto | null,
  ) {
    this.accountId = account?.id ?? null;
    this.form = account ? accountFormFrom(account) : emptyAccountForm();
    this.baseline = { ...this.form };
  }

  /** The message under a field: shown once the field was left or a save was tried. */
  errorOf(field: AccountField): string | undefined {
    if (!this.touched[field] && !this.submitted) return undefined;
    return this.clientErrors[field] ?? this.serverErrors[field];
  }

  /** The person left a field: show its problems, and add `sip:` where it was left out. */
  left(field: AccountField): void {
    this.#correct(field);
    this.touched[field] = true;
  }

  /** The person typed in a field: an engine's complaint about the old value no longer applies. */
  edited(field: AccountField): void {
    if (this.serverErrors[field]) {
      const { [field]: _dropped, ...rest } = this.serverErrors;
      this.serverErrors = rest;
    }
    if (this.corrections[field]) {
      const { [field]: _done, ...rest } = this.corrections;
      this.corrections = rest;
    }
  }

  async save(): Promise<SaveOutcome> {
    if (this.phase === 'saving') return { kind: 'busy' };
    for (const field of ACCOUNT_FIELDS) this.#correct(field);
    this.submitted = true;
    this.saveError = null;
    const invalid = ACCOUNT_FIELDS.find((field) => this.clientErrors[field]);
    if (invalid) return { kind: 'invalid', field: invalid };

    this.phase = 'saving';
    const submitted = { ...this.form };
    const input = accountInputFrom(submitted);
    const id = this.accountId;
    this.testFrom = id ? this.registrations.revision(id) : 0;
    const result = id ? await this.accounts.update(id, input) : await this.accounts.create(input);
    if (!result.ok) {
      this.phase = 'editing';
      const { code, field: named, message } = result.error;
      const field = code === 'invalid-argument' || code === 'conflict' ? formFieldOf(named) : null;
      if (field) {
        // The engine's words for a clash are not the window's; say it the way the form does.
        const text =
          code === 'conflict' && field === 'aor'
            ? duplicateMessage(sameAccountAs(submitted, this.accounts.list, id))
            : message;
        this.serverErrors = { ...this.serverErrors, [field]: text };
        return { kind: 'refused-field', field };
      }
      this.saveError = message;
      return { kind: 'refused' };
    }
    this.accountId = result.value.id;
    this.form.password = '';
    this.baseline = { ...submitted, password: '' };
    if (result.value.enabled) {
      this.phase = 'testing';
      const started = await this.accounts.registerNow(result.value.id);
      if (!started.ok)
        this.saveError = `Saved, but the registration could not start: ${started.error.message}`;
    } else {
      this.phase = 'saved';
    }
    return { kind: 'saved' };
  }

  askDelete(): void {
    this.confirmingDelete = true;
    this.deleteError = null;
  }

  keep(): void {
    this.confirmingDelete = false;
  }

  /** Deletes after the question was answered; true when the account is gone. */
  async confirmDelete(): Promise<boolean> {
    if (!this.accountId || this.deleting) return false;
    this.deleting = true;
    const result = await this.accounts.remove(this.accountId);
    this.deleting = false;
    if (result.ok) return true;
    this.deleteError = `The account was not deleted: ${result.error.message}`;
    return false;
  }

  #correct(field: AccountField): void {
    const options = URI_FIELDS[field];
    const value = this.form[field];
    if (!options || typeof value !== 'string') return;
    const corrected = withSipScheme(value, options);
    if (corrected === null) return;
    (this.form as Record<AccountField, unknown>)[field] = corrected;
    this.corrections = { ...this.corrections, [field]: `Added sip: in front: ${corrected}` };
  }
}
