import { Button, Checkbox, Radio, Space, TextArea, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { levels, type Level, type RatingInput, type RatingTag } from '../../lib/rating'

/**
 * The rating form: five named levels (radio buttons, so a keyboard and a screen reader reach
 * them), the tags offered for the chosen level, and an optional comment of at most 500 characters.
 */
export function RatingForm({ tags, onSubmit }: { tags: RatingTag[]; onSubmit: (input: RatingInput) => Promise<void> }) {
  const { t } = useTranslation()
  const [level, setLevel] = useState<Level | null>(null)
  const [chosen, setChosen] = useState<string[]>([])
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState(false)
  const offered = tags.filter((x) => x.level === level)

  async function submit() {
    if (!level) return
    setBusy(true)
    try {
      await onSubmit({ level, tags: chosen.filter((c) => offered.some((o) => o.code === c)), comment: comment.trim() || null })
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="m-rating-form"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <fieldset className="m-fieldset">
        <legend>{t('rating.levelLegend')}</legend>
        <Radio.Group
          value={level}
          onChange={(v) => {
            setLevel(v as Level)
            setChosen([])
          }}
        >
          <Space direction="vertical" block>
            {levels.map((l) => (
              <Radio key={l} value={l} className="m-rating-level">
                <span aria-hidden="true" className="m-stars">{'★'.repeat(l)}{'☆'.repeat(5 - l)}</span> <span>{t(`rating.level.${l}`)}</span>
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      </fieldset>
      {offered.length > 0 && (
        <fieldset className="m-fieldset">
          <legend>{t('rating.tagsLegend')}</legend>
          <Checkbox.Group value={chosen} onChange={(v) => setChosen(v as string[])}>
            <Space wrap>
              {offered.map((x) => (
                <Checkbox key={x.code} value={x.code}>
                  {x.label}
                </Checkbox>
              ))}
            </Space>
          </Checkbox.Group>
        </fieldset>
      )}
      <label className="m-field-label" htmlFor="rating-comment">
        {t('rating.comment')}
      </label>
      <TextArea id="rating-comment" value={comment} onChange={setComment} maxLength={500} showCount rows={4} placeholder={t('rating.commentPlaceholder')} />
      <Button block color="primary" type="submit" disabled={!level} loading={busy} className="m-rating-submit">
        {t('rating.submit')}
      </Button>
    </form>
  )
}
