// Entry point: each component finds its own elements (GOV.UK Frontend style).
import { initAreaFilter } from './components/area-filter.js'
import { initAreaFinder } from './components/area-finder.js'
import { initKeepForOffline } from './components/keep-for-offline.js'
import { initLanguageChooser } from './components/language-chooser.js'
import { initLeaving } from './components/leaving.js'
import { initMaskedFields } from './components/masked-field.js'
import { initOpenNow } from './components/open-now.js'
import { initQuickHide } from './components/quick-hide.js'
import { initReadAloud } from './components/read-aloud.js'
import { initStorageStatus } from './components/storage-status.js'
import { initSwUpdate } from './components/sw-update.js'
import { initWayBack } from './components/way-back.js'
import { t, translationsLoaded } from './i18n.js'

initQuickHide(document) // first: nothing another component does may stop the page hiding
// Then the rest, in the page's language (at once from the worker's copy; English if it cannot be had). A promise, not
// a top-level await: a browser without that would not run this file at all, quick-hide included.
translationsLoaded.then(initTheRest)

function initTheRest () {
  initLeaving(document)
  initMaskedFields(document)
  initOpenNow(document)
  initAreaFilter(document)
  initAreaFinder(document)
  initSwUpdate(document)
  initStorageStatus(document)
  initWayBack(document)
  initReadAloud(document)
  initLanguageChooser(document)
  initKeepForOffline()

  // The journal's modules load only on its own page.
  const journal = document.querySelector('[data-module="journal"]')
  if (journal) {
    import('./journal/app.js').then(({ initJournal }) => initJournal(journal)).catch(() => {
      // Offline with the module never saved, or the page left while it loaded: say so, never fail silently.
      journal.querySelector('[data-status]').textContent = t('The journal could not start. Reload the page to try again: nothing saved is lost.')
    })
  }

  // The risk self-check's module loads only on its own page; without it the page still shows every question's reason.
  const riskCheck = document.querySelector('[data-module="risk-check"]')
  if (riskCheck) import('./check/risk-check.js').then(({ initRiskCheck }) => initRiskCheck(riskCheck)).catch(() => {})

  // The safety plan's modules load only on its page; without them it is a blank plan to read or print.
  const plan = document.querySelector('[data-module="plan"]')
  if (plan) {
    import('./plan/app.js').then(({ initPlan }) => initPlan(plan)).catch(() => {
      plan.querySelector('[data-status]').textContent = t('Your answers cannot be kept on this visit: reload the page to try again. You can still read the plan, or print it and fill it in by hand.')
    })
  }

  // The trusted contacts' modules load only on their page; without them the page says it needs JavaScript.
  const trusted = document.querySelector('[data-module="trusted"]')
  if (trusted) {
    import('./trusted/app.js').then(({ initTrusted }) => initTrusted(trusted)).catch(() => {
      trusted.querySelector('[data-status]').textContent = t('Your contacts could not be opened on this visit: reload the page to try again. In an emergency, call 999.')
    })
  }
}
