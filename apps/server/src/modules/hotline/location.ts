import { divisionPrefix } from '../../platform/roles.js'
import type { Geometry, RegistriesService } from '../registries/index.js'
import type { OrgService } from '../org/index.js'
import { LocationRequiredError, OutsideCityError } from './errors.js'

export type GeoPort = Pick<RegistriesService, 'geocode' | 'boundaries'>
export type DivisionPort = Pick<OrgService, 'divisionExists'>

export interface Place {
  address: string | null
  divisionCode: string
  lat: number | null
  lng: number | null
}

/** 忻州市's extent, used when the spatial registry holds no outlines yet (tests, fresh installs). */
const XINZHOU_BOX = { minLng: 110.9, maxLng: 114.0, minLat: 38.1, maxLat: 39.7 }

function inRing(lng: number, lat: number, ring: number[][]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number]
    const [xj, yj] = ring[j] as [number, number]
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

function contains(g: Geometry, lng: number, lat: number): boolean {
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][]
  return polygons.some(([outer, ...holes]) => !!outer && inRing(lng, lat, outer) && !holes.some((h) => inRing(lng, lat, h)))
}

/** Distance in metres between two points (haversine). */
export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const r = 6_371_000
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * r * Math.asin(Math.sqrt(h))
}

/**
 * Places a ticket: an address is geocoded through the registries (down to the community where it
 * can), a point is checked against the district outlines, a division code against org. Anything
 * outside the city is refused. Reads only other modules' services (call before a transaction).
 */
export function createLocator(deps: { registries: GeoPort; org: DivisionPort }) {
  let outlines: { at: number; features: { code: string; geometry: Geometry }[] } | undefined

  async function districtsOf(cityCode: string) {
    if (!outlines || Date.now() - outlines.at > 600_000) {
      const features = await deps.registries.boundaries({ within: cityCode }, '12345热线工单定位', 'system')
      outlines = { at: Date.now(), features: features.map((f) => ({ code: f.properties.divisionCode, geometry: f.geometry })) }
    }
    return outlines.features
  }

  /** The division of a point in the city, or null when it is outside. */
  async function divisionAt(cityCode: string, lat: number, lng: number): Promise<string | null> {
    const features = (await districtsOf(cityCode)).filter((f) => f.code !== cityCode)
    if (features.length > 0) {
      const hit = features.filter((f) => contains(f.geometry, lng, lat)).sort((a, b) => b.code.length - a.code.length)[0]
      return hit?.code ?? null
    }
    const b = XINZHOU_BOX
    if (cityCode === '140900') return lng >= b.minLng && lng <= b.maxLng && lat >= b.minLat && lat <= b.maxLat ? cityCode : null
    return cityCode
  }

  return {
    async locate(cityCode: string, input: { address?: string | null; location?: { lat: number; lng: number } | null; divisionCode?: string | null }): Promise<Place> {
      const prefix = divisionPrefix(cityCode)
      const address = input.address?.trim() || null
      const point = input.location ?? null
      if (!address && !point && !input.divisionCode) throw new LocationRequiredError()
      let divisionCode: string | null = null
      let lat = point?.lat ?? null
      let lng = point?.lng ?? null
      if (input.divisionCode) {
        if (!input.divisionCode.startsWith(prefix) || !(await deps.org.divisionExists(input.divisionCode))) throw new OutsideCityError()
        divisionCode = input.divisionCode
      }
      if (address) {
        const g = await deps.registries.geocode(address, { within: cityCode })
        if (g.divisionCode && !g.divisionCode.startsWith(prefix)) throw new OutsideCityError()
        if (g.divisionCode && (!divisionCode || g.divisionCode.startsWith(divisionCode))) divisionCode = g.divisionCode
        if (lat === null && g.point) {
          lat = g.point.lat
          lng = g.point.lng
        }
      }
      if (point) {
        const at = await divisionAt(cityCode, point.lat, point.lng)
        if (!at) throw new OutsideCityError()
        if (!divisionCode || (at.length > divisionCode.length && at.startsWith(divisionCode))) divisionCode = at
      }
      // An address the geocoder could not place anywhere is not known to be in the city.
      if (!divisionCode) throw new OutsideCityError()
      return { address, divisionCode, lat, lng }
    },
  }
}
export type Locator = ReturnType<typeof createLocator>
