// Entry point: each component finds its own elements (GOV.UK Frontend style).
import { initOpenNow } from './components/open-now.js'
import { initStorageStatus } from './components/storage-status.js'
import { initSwUpdate } from './components/sw-update.js'

initOpenNow(document)
initSwUpdate(document)
initStorageStatus(document)
