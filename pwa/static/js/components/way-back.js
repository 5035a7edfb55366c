// In the plain look, says once how to come back from the page "Hide" switches to, before it is ever needed.
import { hasPin } from '../decoys/door.js'
import { readItem, writeItem } from '../storage.js'

const TOLD_KEY = 'way-back-told'

export function initWayBack (scope) {
  const notice = scope.querySelector('[data-module="way-back"]')
  if (!notice || readItem(TOLD_KEY)) return
  const pin = hasPin()
  notice.querySelector('[data-way-back-pin]').hidden = !pin
  notice.querySelector('[data-way-back-no-pin]').hidden = pin
  notice.hidden = false
  notice.querySelector('[data-way-back-dismiss]').addEventListener('click', () => {
    writeItem(TOLD_KEY, '1')
    notice.hidden = true
  })
}
