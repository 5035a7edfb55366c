// Filters the contacts page in place, with no request, so it works offline. The page holds every area and
// service (the server hides those its filters leave out). Offline, the worker may answer
// /helplines?area=x&category=y with a saved page made for other choices, so the address's choices are applied
// on load too.
// A national pack (data-per-area on the form): the page holds national help and one area. Choosing another area
// opens its page (the worker answers offline with it once kept, else with this page: then the page says that
// area is not saved on this phone yet, above national help). Kinds of help still filter in place.
import { nt } from '../i18n.js'

function apply (scope, form) {
  const area = form.elements.area.value
  const category = form.elements.category.value
  let total = 0
  for (const section of scope.querySelectorAll('[data-area]')) {
    const inArea = !area || section.dataset.area === area || section.dataset.areaKind === 'national'
    let matches = 0
    for (const card of section.querySelectorAll('[data-categories]')) {
      const match = inArea && (!category || card.dataset.categories.split(' ').includes(category))
      card.hidden = !match
      if (match) matches++
    }
    section.hidden = !inArea || (category !== '' && matches === 0)
    total += matches
  }
  scope.querySelector('[data-match-count]').textContent = nt('%(count)s contact shown', '%(count)s contacts shown', total)
  scope.querySelector('[data-no-match]').hidden = total > 0
}

// A national pack's contacts page with no area chosen: links to the areas already on this phone, named as the
// list of areas names them, so that a person's own area is one tap away (offline too).
function offerKeptAreas (scope, select) {
  const box = scope.querySelector('[data-kept-areas]')
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller
  if (!box || !worker) return
  const channel = new MessageChannel()
  channel.port1.onmessage = ({ data }) => {
    const names = new Map([...select.options].map((option) => [option.value, option]))
    const list = box.querySelector('ul')
    for (const slug of (data && data.areas) || []) {
      const option = names.get(slug)
      if (!option || !slug) continue
      const item = document.createElement('li')
      const link = document.createElement('a')
      link.href = `?${new URLSearchParams({ area: slug })}`
      link.textContent = option.textContent
      if (option.lang) link.lang = option.lang
      item.append(link)
      list.append(item)
    }
    box.hidden = !list.children.length
  }
  worker.postMessage({ type: 'KEPT_AREAS' }, [channel.port2])
}

function choose (select, value) {
  // A choice the page does not offer (say, an address typed by hand) leaves the select as it is.
  if ([...select.options].some((option) => option.value === value)) select.value = value
}

export function initAreaFilter (scope) {
  const form = scope.querySelector('[data-module="area-filter"]')
  if (!form) return
  const wanted = new URLSearchParams(location.search)
  choose(form.elements.area, wanted.get('area') || '')
  choose(form.elements.category, wanted.get('category') || '')
  const perArea = form.hasAttribute('data-per-area')
  const local = scope.querySelector('[data-area]:not([data-area-kind="national"])')
  const pageArea = local ? local.dataset.area : '' // the area this page holds (a national pack)
  const notSaved = scope.querySelector('[data-area-not-saved]')
  if (perArea && notSaved) notSaved.hidden = form.elements.area.value === pageArea
  if (perArea && !pageArea) offerKeptAreas(scope, form.elements.area)
  apply(scope, form)
  const update = (event) => {
    event.preventDefault()
    if (perArea && form.elements.area.value !== pageArea) {
      const query = new URLSearchParams([...new FormData(form)].filter(([, value]) => value)).toString()
      location.assign(query ? `?${query}` : location.pathname)
      return
    }
    apply(scope, form)
    const query = new URLSearchParams([...new FormData(form)].filter(([, value]) => value)).toString()
    history.replaceState(history.state, '', query ? `?${query}` : location.pathname)
  }
  form.addEventListener('change', update)
  form.addEventListener('submit', update)
}
