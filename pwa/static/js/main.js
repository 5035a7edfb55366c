// Entry point: each component finds its own elements (GOV.UK Frontend style).
import { initOpenNow } from './components/open-now.js'

initOpenNow(document)
