import { Button, Form, Input, Radio, Space, TextArea, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import { ticketTypes, uploadPhoto, type Category, type District, type LatLng, type TicketDetail, type TicketType } from '../../lib/hotline'
import { currentLanguage } from '../../lib/i18n'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { PhotoPicker } from './PhotoPicker'

interface Values {
  district?: string
  type?: TicketType
  categoryCode?: string
  title?: string
  content?: string
  address?: string
  phone?: string
}

/** The address as sent: the picked district goes in front unless the text already names it. */
function placeAddress(text: string | undefined, district: string | undefined): string | undefined {
  const a = text?.trim() ?? ''
  if (!district) return a || undefined
  return a.includes(district) ? a : `${district}${a}`
}

const phone = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/

/** 我要反映: a consultation, request, complaint, report, suggestion or praise, with place and photos. */
export default function FileTicketPage() {
  const { t, i18n } = useTranslation()
  const navigate = useNavigate()
  const [form] = Form.useForm<Values>()
  const categories = useFetch((signal) => api.get<Category[]>('/api/hotline/categories', undefined, signal), [])
  // The city's districts (public): picking one places an address the geocoder might miss; the
  // server derives the ticket's division from the address or the point either way.
  const districts = useFetch((signal) => api.get<District[]>('/api/hotline/districts', undefined, signal), [])
  const [photos, setPhotos] = useState<File[]>([])
  const [location, setLocation] = useState<LatLng | null>(null)
  const [locating, setLocating] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [typeTouched, setTypeTouched] = useState(false)

  const locate = () => {
    if (!('geolocation' in navigator)) {
      Toast.show({ content: t('hotline.m.noGeolocation') })
      return
    }
    setLocating(true)
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false)
        setLocation({ lat: Number(pos.coords.latitude.toFixed(6)), lng: Number(pos.coords.longitude.toFixed(6)) })
      },
      () => {
        setLocating(false)
        Toast.show({ content: t('hotline.m.locateFailed') })
      },
      { enableHighAccuracy: true, timeout: 10_000 },
    )
  }

  const submit = async (v: Values) => {
    setBusy(true)
    setError(null)
    try {
      const created = await api.post<TicketDetail>('/api/hotline/my/tickets', {
        type: v.type,
        categoryCode: v.categoryCode,
        title: v.title?.trim() || undefined,
        content: v.content?.trim(),
        address: placeAddress(v.address, districts.data?.find((d) => d.code === v.district)?.name),
        location: location ?? undefined,
        phone: v.phone?.trim() || undefined,
        channel: 'mobile',
      })
      // Photos go one by one after the ticket exists; a refused photo does not lose the ticket.
      const failed: string[] = []
      for (const f of photos) {
        try {
          await uploadPhoto(created.id, f, currentLanguage())
        } catch (e) {
          failed.push(`${f.name}：${errorMessage(e)}`)
        }
      }
      if (failed.length) Toast.show({ content: t('hotline.m.photosFailed', { list: failed.join('；') }), duration: 5000 })
      else Toast.show({ icon: 'success', content: t('hotline.m.filed', { number: created.number }) })
      navigate(`/m/hotline/${encodeURIComponent(created.id)}`, { replace: true })
    } catch (e) {
      if (e instanceof ApiError) {
        const fields = e.fieldErrors().filter((f) => ['type', 'categoryCode', 'title', 'content', 'address', 'phone'].includes(String(f.path[0])))
        if (fields.length) form.setFields(fields.map((f) => ({ name: String(f.path[0]) as keyof Values, errors: [f.reason] })))
        if (/outside-city|location-required/.test(e.problem.type)) form.setFields([{ name: 'address', errors: [e.problem.title] }])
      }
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const back = { to: '/m/hotline', label: t('hotline.m.title') }
  if (categories.loading && !categories.data) return <Page title={t('hotline.m.fileTitle')} back={back}><Loading /></Page>
  if (categories.error || !categories.data) return <Page title={t('hotline.m.fileTitle')} back={back}><LoadError error={categories.error} retry={categories.reload} /></Page>
  const cats = categories.data

  return (
    <Page title={t('hotline.m.fileTitle')} back={back}>
      <p className="m-subtitle">{t('hotline.m.fileIntro')}</p>
      {error && (
        <p className="m-error" role="alert">
          {error}
        </p>
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ type: 'complaint' }}
        onFinish={(v: Values) => void submit(v)}
        footer={
          <Button block type="submit" color="primary" size="large" loading={busy}>
            {t('hotline.m.submit')}
          </Button>
        }
      >
        <Form.Item name="type" label={t('hotline.field.type')} rules={[{ required: true, message: t('hotline.m.typeRequired') }]}>
          <Radio.Group onChange={() => setTypeTouched(true)}>
            <Space wrap>
              {ticketTypes.map((k) => (
                <Radio key={k} value={k}>
                  {t(`hotline.type.${k}`)}
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="categoryCode" label={t('hotline.field.category')} rules={[{ required: true, message: t('hotline.field.categoryRequired') }]}>
          <select
            className="m-select"
            onChange={(e) => {
              const c = cats.find((x) => x.code === e.target.value)
              if (c && !typeTouched) form.setFieldValue('type', c.defaultType)
            }}
          >
            <option value="">{t('hotline.m.pickCategory')}</option>
            {cats.map((c) => (
              <option key={c.code} value={c.code}>
                {i18n.language === 'en' ? c.nameEn || c.name : c.name}
              </option>
            ))}
          </select>
        </Form.Item>
        <Form.Item name="title" label={t('hotline.m.titleOptional')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="content" label={t('hotline.field.content')} rules={[{ required: true, min: 5, message: t('hotline.field.contentRequired') }]}>
          <TextArea maxLength={4000} showCount autoSize={{ minRows: 4, maxRows: 10 }} placeholder={t('hotline.m.contentPlaceholder')} />
        </Form.Item>
        <Form.Item name="district" label={t('hotline.m.district')} description={t('hotline.m.districtHelp')}>
          <select className="m-select">
            <option value="">{t('hotline.m.pickDistrict')}</option>
            {(districts.data ?? []).map((d) => (
              <option key={d.code} value={d.code}>
                {d.name}
              </option>
            ))}
          </select>
        </Form.Item>
        <Form.Item name="address" label={t('hotline.field.address')} description={t('hotline.m.addressHelp')}>
          <Input maxLength={200} placeholder={t('hotline.m.addressPlaceholder')} />
        </Form.Item>
        <Form.Item label={t('hotline.m.location')} description={location ? t('hotline.m.locationSet', { lat: location.lat, lng: location.lng }) : t('hotline.m.locationHelp')}>
          <Space wrap>
            <Button size="small" loading={locating} onClick={locate}>
              {t('hotline.m.useMyLocation')}
            </Button>
            {location && (
              <Button size="small" fill="none" onClick={() => setLocation(null)}>
                {t('hotline.m.clearLocation')}
              </Button>
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t('hotline.m.photos')}>
          <PhotoPicker files={photos} onChange={setPhotos} />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t('hotline.m.phoneOptional')}
          description={t('hotline.m.phoneHelp')}
          rules={[{ validator: async (_r, v: unknown) => { if (typeof v === 'string' && v.trim() && !phone.test(v.trim())) throw new Error(t('hotline.m.phoneInvalid')) } }]}
        >
          <Input type="tel" inputMode="tel" autoComplete="tel" maxLength={20} />
        </Form.Item>
      </Form>
    </Page>
  )
}
