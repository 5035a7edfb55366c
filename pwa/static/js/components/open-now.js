// Keeps "Open now / Closed now" right on cached pages, in UK time (mirrors pwa/hours.py).
import { t } from '../i18n.js'

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

function ukNow (date) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
  }).formatToParts(date)
  const get = (type) => parts.find((p) => p.type === type).value
  return { day: DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3)), minutes: Number(get('hour')) * 60 + Number(get('minute')) }
}

const toMinutes = (hhmm) => { const [h, m] = hhmm.split(':').map(Number); return h * 60 + m }

export function isOpen ({ open_24_hours: always, hours }, date = new Date()) {
  if (always) return true
  if (!hours || hours.length === 0) return null
  const { day, minutes } = ukNow(date)
  const today = DAYS[day]
  const yesterday = DAYS[(day + 6) % 7]
  return hours.some(({ days, opens, closes, overnight: marked }) => {
    const o = toMinutes(opens)
    const c = toMinutes(closes)
    const overnight = Boolean(marked) || c <= o // closes the next day
    if (days.includes(today) && minutes >= o && minutes < (overnight ? 24 * 60 : c)) return true
    return overnight && days.includes(yesterday) && minutes < c
  })
}

function update (element) {
  const open = isOpen(JSON.parse(element.dataset.hours))
  if (open === null) return
  element.textContent = open ? t('Open now') : t('Closed now')
  element.classList.toggle('open-now--open', open)
  element.classList.toggle('open-now--closed', !open)
}

export function initOpenNow (scope) {
  const elements = scope.querySelectorAll('[data-module="open-now"]')
  if (elements.length === 0) return
  const refresh = () => elements.forEach(update)
  refresh()
  setInterval(refresh, 60 * 1000)
}
