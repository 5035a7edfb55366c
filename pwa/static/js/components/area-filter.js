// Offline, the service worker answers /helplines?area=x with the saved page for all areas when the page for that
// area was never saved. Says so beside the filter rather than silently showing every area.
export function initAreaFilter (scope) {
  const form = scope.querySelector('[data-module="area-filter"]')
  const notice = scope.querySelector('[data-area-not-saved]')
  if (!form || !notice) return
  const wanted = new URLSearchParams(location.search).get('area') || ''
  if (wanted === form.dataset.areaShown) return
  const option = [...form.querySelector('select').options].find((choice) => choice.value === wanted)
  notice.querySelector('[data-area-name]').textContent = option ? option.text : 'that area'
  notice.hidden = false
}
