import { connect } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { DomainEvent, EventPublisher } from './outbox.js'

/** The CloudEvents 1.0 structured-mode JSON for a domain event. */
export function toCloudEvent(event: DomainEvent): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: `cn.yiwang.${event.type}`,
    subject: event.subject ?? undefined,
    time: event.occurredAt.toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
  }
}

/** NATS subject for an event: `yiwang.<module>.<entity>.<action>`. */
export function natsSubject(event: DomainEvent): string {
  return `yiwang.${event.type}`
}

/**
 * Publishes outbox events to a JetStream stream (created when missing). The event id is the
 * JetStream message id, so a re-delivery after a crash is dropped by the stream's dedupe window.
 */
export async function createNatsPublisher(url: string, stream: string): Promise<EventPublisher> {
  const nc = await connect({ servers: url, name: 'yiwang', timeout: 5000 })
  const jsm = await jetstreamManager(nc)
  try {
    await jsm.streams.info(stream)
  } catch {
    await jsm.streams.add({ name: stream, subjects: ['yiwang.>'], duplicate_window: 2 * 60 * 1_000_000_000 })
  }
  const js = jetstream(nc)
  return {
    async publish(event) {
      await js.publish(natsSubject(event), JSON.stringify(toCloudEvent(event)), {
        msgID: event.id,
        headers: undefined,
      })
    },
    async close() {
      await nc.drain()
    },
  }
}
