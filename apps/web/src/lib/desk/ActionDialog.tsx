import { Alert, Button, Form, Modal, type FormInstance } from 'antd'
import { useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, errorMessage } from '../api'
import { applyProblem } from './forms'

/**
 * The dialog of one workflow action (a case's, a ticket's): the action's own fields as children, a
 * busy OK button, the server's problem above the form with its field errors on the fields, and, when
 * someone else acted first (409), OK disabled and a refresh offered instead.
 */
export function ActionDialog<V extends object>({
  title,
  okText,
  width = 600,
  form,
  fieldNames,
  initialValues,
  onSubmit,
  onClose,
  onStale,
  children,
}: {
  title: string
  okText: string
  width?: number
  form: FormInstance<V>
  /** The form's fields, for the server's field errors. */
  fieldNames: readonly string[]
  initialValues?: Partial<V>
  /** Posts the action; throws the API's error to show it. */
  onSubmit: (values: V) => Promise<void>
  onClose: () => void
  onStale: () => void
  children: ReactNode
}) {
  const { t } = useTranslation()
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (v: V) => {
    setBusy(true)
    setError(null)
    try {
      await onSubmit(v)
    } catch (e) {
      applyProblem(form, e, fieldNames)
      setError(e instanceof ApiError ? e : new ApiError({ type: 'about:blank', title: errorMessage(e), status: 0 }))
    } finally {
      setBusy(false)
    }
  }

  const stale = error?.status === 409
  return (
    <Modal
      open
      title={title}
      okText={okText}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ disabled: stale }}
      destroyOnHidden
      width={width}
    >
      {error && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={error.problem.title}
          description={error.problem.detail}
          action={
            stale ? (
              <Button size="small" onClick={onStale}>
                {t('common.refresh')}
              </Button>
            ) : undefined
          }
        />
      )}
      <Form<V> form={form} layout="vertical" onFinish={(v) => void submit(v)} initialValues={initialValues}>
        {children}
      </Form>
    </Modal>
  )
}
