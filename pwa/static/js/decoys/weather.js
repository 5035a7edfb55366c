// A plausible, entirely offline forecast: made up from the place and the date (same all day),
// with UK seasonal temperatures. No weather service is contacted. The way in: search for the PIN.
import { readItem, writeItem } from '../storage.js'
import { tryDoor } from './door.js'

const PLACE_KEY = 'weather-place'
const AVERAGE_HIGH = [8, 8, 11, 14, 17, 20, 22, 21, 19, 15, 11, 8] // °C by month, UK lowlands
// Plain text symbols, not emoji: they need no emoji font, which cheap phones may lack.
const SKIES = [
  ['☀', 'Sunny'], ['☀', 'Sunny intervals'], ['☁', 'Partly cloudy'], ['☁', 'Cloudy'],
  ['☂', 'Light showers'], ['☂', 'Light rain'], ['≡', 'Mist'], ['≈', 'Breezy']
]

function seeded (text) {
  let h = 2166136261
  for (const char of text) h = Math.imul(h ^ char.codePointAt(0), 16777619)
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507) ^ Math.imul(h ^ (h >>> 13), 3266489909)
    return ((h ^= h >>> 16) >>> 0) / 4294967296
  }
}

export function forecast (place, date = new Date()) {
  return Array.from({ length: 6 }, (_, offset) => {
    const day = new Date(date.getFullYear(), date.getMonth(), date.getDate() + offset)
    const random = seeded(`${place.toLowerCase()}|${day.toDateString()}`)
    const high = Math.round(AVERAGE_HIGH[day.getMonth()] + (random() - 0.5) * 8)
    const [icon, summary] = SKIES[Math.floor(random() * SKIES.length)]
    return { day, high, low: high - 4 - Math.round(random() * 5), icon, summary }
  })
}

const tidy = (text) => text.trim().replace(/\s+/g, ' ').replace(/\b\p{L}/gu, (c) => c.toUpperCase())

export function initWeather (root) {
  const $ = (name) => root.querySelector(`[data-weather-${name}]`)
  const fallback = $('place').textContent.trim()
  let place = readItem(PLACE_KEY) || fallback

  function render () {
    const [today, ...days] = forecast(place)
    $('place').textContent = place
    $('icon').textContent = today.icon
    $('temp').textContent = `${today.high}°`
    $('summary').textContent = today.summary
    $('range').textContent = `High ${today.high}° · Low ${today.low}°`
    $('days').replaceChildren(...days.map(({ day, high, low, icon, summary }) => {
      const item = document.createElement('li')
      item.className = 'weather__day'
      item.textContent = `${day.toLocaleDateString('en-GB', { weekday: 'short' })} ${icon} ${summary}, ${high}° / ${low}°`
      return item
    }))
    $('updated').textContent = `Updated ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`
  }

  $('search').addEventListener('submit', async (event) => {
    event.preventDefault()
    const input = $('search').querySelector('input')
    const typed = input.value.trim()
    if (await tryDoor(typed)) return
    if (!typed || /^\d+$/.test(typed)) return // a number is not a place; say nothing either way
    place = tidy(typed).slice(0, 40)
    writeItem(PLACE_KEY, place) // if storage is off or full, the place lasts until the page closes
    input.value = ''
    render()
  })
  render()
}

const weather = document.querySelector('[data-module="weather"]')
if (weather) initWeather(weather)
