// The local finder: a typed postcode is matched, on this phone, against the postcode districts each area lists
// (data-postcodes on the contacts page's list of areas, saved with the page for use offline). The postcode is never
// sent anywhere, put in the address or history, or kept: the field has no form to submit it, and is emptied on
// quick-hide (lock.js) and whenever the page is left.
import { onLock } from '../lock.js'

// A UK outward code (the first part of a postcode): A9, A99, AA9, AA99, A9A or AA9A.
const OUTWARD = '[A-Z]{1,2}[0-9][A-Z0-9]?'
const DISTRICT_ONLY = new RegExp(`^(${OUTWARD})$`)
// A whole postcode, with or without its space ("CW12AB" is CW1 2AB: the second part is always digit, letter, letter).
const WHOLE = new RegExp(`^(${OUTWARD}) ?[0-9][A-Z]{2}$`)
// The first part and a second part not finished or not known ("CH4 8", "CH4 8XX" with letters to hide).
const STARTED = new RegExp(`^(${OUTWARD}) [0-9A-Z]{0,3}$`)

// The outward code of what was typed, or '' when it is not a postcode.
export function outwardCode (typed) {
  const text = typed.toUpperCase().replace(/\s+/g, ' ').trim()
  for (const pattern of [DISTRICT_ONLY, WHOLE, STARTED]) {
    const match = text.match(pattern)
    if (match) return match[1]
  }
  return ''
}

// The areas (options of the list of areas) that list this district, in the list's order.
function areasFor (district, select) {
  return [...select.options].filter((option) => (option.dataset.postcodes || '').split(' ').includes(district))
}

export function initAreaFinder (scope) {
  const finder = scope.querySelector('[data-module="area-finder"]')
  const filter = scope.querySelector('[data-module="area-filter"]')
  if (!finder || !filter) return
  const select = filter.elements.area
  if (![...select.options].some((option) => option.dataset.postcodes)) return // no area lists any: nothing to find
  const input = finder.querySelector('#postcode')
  const field = finder.querySelector('[data-postcode-field]')
  const error = finder.querySelector('[data-postcode-error]')
  const found = finder.querySelector('[data-found]')
  const list = finder.querySelector('[data-found-list]')
  const notFound = finder.querySelector('[data-not-found]')
  const perArea = filter.hasAttribute('data-per-area')

  const showError = (shown) => {
    error.hidden = !shown
    field.classList.toggle('area-finder__field--error', shown)
    if (shown) {
      input.setAttribute('aria-invalid', 'true')
      input.setAttribute('aria-describedby', 'postcode-hint postcode-error')
    } else {
      input.removeAttribute('aria-invalid')
      input.setAttribute('aria-describedby', 'postcode-hint')
    }
  }

  const clear = () => {
    input.value = ''
    list.replaceChildren()
    found.hidden = true
    notFound.hidden = true
    showError(false)
  }

  const find = () => {
    list.replaceChildren()
    found.hidden = true
    notFound.hidden = true
    const district = outwardCode(input.value)
    showError(!district)
    if (!district) {
      input.focus()
      return
    }
    const areas = areasFor(district, select)
    for (const option of areas) {
      const item = document.createElement('li')
      const link = document.createElement('a')
      link.href = `?${new URLSearchParams({ area: option.value })}` // the area's, never the postcode
      link.textContent = option.textContent
      if (option.lang) link.lang = option.lang
      if (!perArea) {
        // Every area is on this page: show the chosen one in place (area-filter.js does, and updates the address).
        link.addEventListener('click', (event) => {
          event.preventDefault()
          select.value = option.value
          select.dispatchEvent(new Event('change', { bubbles: true }))
          const heading = document.getElementById(`area-${option.value}`)
          if (heading) {
            heading.tabIndex = -1
            heading.focus()
          }
        })
      }
      item.append(link)
      list.append(item)
    }
    found.hidden = !areas.length
    notFound.hidden = areas.length > 0
  }

  finder.querySelector('[data-find-area]').addEventListener('click', find)
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault()
      find()
    }
  })
  onLock(clear)
  // Leaving the page (or it going into the back-forward cache): the postcode goes with it.
  window.addEventListener('pagehide', clear)
  finder.hidden = false
}
