// Drafts are never lost: the entry form is sealed under the vault key as you type (debounced), on every
// photo, and on lock (quick-hide, update, auto-lock) before the keys are dropped.
import { t } from '../i18n.js'
import { aad, openJson, sealJson } from './crypto.js'

// `key` lets the lock handler seal the last snapshot after the vault itself has dropped its key.
export async function saveDraft (vault, draft, key = vault.key) {
  if (!key) throw new Error(t('The journal is locked'))
  const sealed = await sealJson(key, { ...draft, savedAt: new Date().toISOString() }, aad.draft())
  await vault.store.write(['state'], ({ state }) => state.put(sealed, 'draft'))
}

// The saved draft, or null. A draft that cannot be opened is left where it is (never deleted unseen).
export async function loadDraft (vault) {
  const sealed = await vault.store.get('state', 'draft')
  if (!sealed) return null
  try { return await openJson(vault.key, sealed, aad.draft()) } catch { return null }
}

export function discardDraft (vault) {
  return vault.store.write(['state'], ({ state }) => state.delete('draft'))
}
