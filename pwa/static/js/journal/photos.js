// Photos: hashed (SHA-256 of the original bytes) the moment they are taken or chosen, then sealed under their
// own content key. The hash goes into the entry's record, so the photo is covered by the hash chain too.
import { t } from '../i18n.js'
import { aad, newContentKey, open, seal, sha256Hex, unwrapKey } from './crypto.js'

export const MAX_PHOTO_BYTES = 25 * 1024 * 1024

export async function addPhoto (vault, file) {
  const key = vault.key
  if (!key) throw new Error(t('The journal is locked'))
  if (file.size > MAX_PHOTO_BYTES) throw new Error(t('That photo is too big (over %(megabytes)s MB)', { megabytes: MAX_PHOTO_BYTES / 1024 / 1024 }))
  const bytes = new Uint8Array(await file.arrayBuffer())
  const id = crypto.randomUUID()
  const ref = {
    id,
    sha256: await sha256Hex(bytes),
    type: file.type || 'application/octet-stream',
    name: file.name || 'photo',
    size: bytes.length,
    capturedAt: new Date().toISOString()
  }
  const contentKey = await newContentKey(key, aad.attachmentKey(id))
  const body = await seal(contentKey.key, bytes, aad.attachment(id))
  bytes.fill(0)
  await vault.store.write(['attachments'], ({ attachments }) => attachments.add({ id, key: contentKey.wrapped, body }))
  return ref
}

export async function readPhoto (vault, ref) {
  const stored = await vault.store.get('attachments', ref.id)
  if (!stored) throw new Error(t('Photo missing'))
  const photoKey = await unwrapKey(vault.key, stored.key, aad.attachmentKey(ref.id))
  return new Blob([await open(photoKey, stored.body, aad.attachment(ref.id))], { type: ref.type })
}

// Only for photos that were never part of a saved revision (a discarded draft).
export function forgetPhotos (vault, ids) {
  if (ids.length === 0) return Promise.resolve()
  return vault.store.write(['attachments'], ({ attachments }) => ids.forEach((id) => attachments.delete(id)))
}
