// A calculator that really calculates (no eval: the CSP forbids it, and so should we).
// The way in: type the PIN, then "=".
import { tryDoor } from './door.js'

const OPERATORS = { '+': 1, '−': 1, '×': 2, '÷': 2 }
const KEYBOARD = { '*': '×', x: '×', X: '×', '/': '÷', '-': '−', '+': '+', Enter: '=', '=': '=', ',': '.' }
const LONG_NUMBER = 9 // characters; more and the display uses smaller digits

function tokenize (expression) {
  const tokens = []
  const pattern = /\s*(\d+\.?\d*|\.\d+|[+−×÷%])/gy
  let match
  while (pattern.lastIndex < expression.length && (match = pattern.exec(expression))) tokens.push(match[1])
  if (pattern.lastIndex < expression.length && expression.slice(pattern.lastIndex).trim()) return null
  return tokens
}

// Evaluates "12+3×4%" style input with the usual precedence. Returns a number, or NaN if incomplete.
export function evaluate (expression) {
  const tokens = tokenize(expression)
  if (!tokens || tokens.length === 0) return NaN
  const output = []
  const stack = []
  const apply = () => {
    const operator = stack.pop()
    const right = output.pop()
    const left = output.pop()
    if (left === undefined || right === undefined) return false
    output.push({ '+': left + right, '−': left - right, '×': left * right, '÷': left / right }[operator])
    return true
  }
  let expectNumber = true
  let negate = false
  for (const token of tokens) {
    if (expectNumber) {
      if (token === '−' && !negate) { negate = true; continue }
      if (!/[\d.]/.test(token[0])) return NaN
      output.push(negate ? -Number(token) : Number(token))
      negate = false
      expectNumber = false
    } else if (token === '%') {
      output.push(output.pop() / 100)
    } else {
      while (stack.length && OPERATORS[stack.at(-1)] >= OPERATORS[token]) if (!apply()) return NaN
      stack.push(token)
      expectNumber = true
    }
  }
  if (expectNumber) return NaN
  while (stack.length) if (!apply()) return NaN
  return output.length === 1 ? output[0] : NaN
}

export function format (value) {
  if (!Number.isFinite(value)) return 'Error'
  const rounded = Number(value.toPrecision(12))
  return Object.is(rounded, -0) ? '0' : String(rounded)
}

export function initCalculator (root) {
  const display = root.querySelector('[data-calc-display]')
  const preview = root.querySelector('[data-calc-preview]')
  if (!display) return
  let expression = ''
  let justEvaluated = false

  // A long number gets smaller digits (css/decoys.css); a longer one shows its end, where the typing is.
  const show = (text) => {
    display.textContent = text
    display.toggleAttribute('data-long', text.length > LONG_NUMBER)
    display.scrollLeft = display.scrollWidth
  }
  const render = () => {
    show(expression || '0')
    const value = evaluate(expression)
    preview.textContent = /[+−×÷%]/.test(expression.slice(1)) && Number.isFinite(value) ? format(value) : ''
  }

  function press (key) {
    if (key === '=') return equals()
    if (key === 'C') expression = ''
    else if (key === '⌫') expression = expression.slice(0, -1)
    else if (key in OPERATORS || key === '%') {
      // A new operator replaces a trailing one, except a minus sign (negative number) after × or ÷.
      const base = key === '−' && /[×÷]$/.test(expression) ? expression : expression.replace(/[+−×÷]+$/, '')
      if (base === '' && key !== '−') return
      expression = base + key
    } else {
      if (justEvaluated) expression = ''
      const number = expression.split(/[+−×÷%]/).at(-1)
      if (key === '.' && number.includes('.')) return
      expression += key === '.' && number === '' ? '0.' : key
    }
    justEvaluated = false
    render()
  }

  function equals () {
    const typed = expression
    // Checked in the background: meanwhile "=" behaves exactly as on any calculator.
    if (/^\d*$/.test(typed)) tryDoor(typed)
    if (typed === '') return
    const value = evaluate(typed)
    if (Number.isNaN(value) && !/^[\d.]+$/.test(typed)) return
    expression = format(value) === 'Error' ? '' : format(value)
    show(format(value))
    preview.textContent = ''
    justEvaluated = true
  }

  root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-key]')
    if (button) press(button.dataset.key)
  })
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return
    const key = /^[\d.]$/.test(event.key) ? event.key
      : event.key === 'Backspace' ? '⌫'
        : event.key === 'Escape' || event.key === 'Delete' ? 'C'
          : event.key === '%' ? '%' : KEYBOARD[event.key]
    if (!key) return
    event.preventDefault()
    press(key)
  })
  root.classList.add('calculator--ready')
  render()
}

const calculator = document.querySelector('[data-module="calculator"]')
if (calculator) initCalculator(calculator)
