// The query composer: the draft as typed, whether it edits a live subscription, submitting it, and the history.

import { computed, signal } from '@preact/signals';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import type { RecordDraft } from '../../src/timeline/record.js';
import type { SubscriptionView } from '../../src/views.js';
import type { StorageArea } from '../adapters/storage.js';
import type { ConnectionsStore } from './connections.js';
import { createQueryHistory } from './history.js';
import { draftFromQuery, EMPTY_DRAFT, parseDraft, type QueryDraft } from './query-draft.js';

/** A live subscription the composer edits: submitting applies the draft with the `update` op. */
export interface EditTarget {
  serverId: string;
  subscriptionId: string;
  requestId?: number;
}

export interface ComposerDeps {
  connections: Pick<ConnectionsStore, 'subscribe' | 'updateSubscription'>;
  storage: StorageArea;
  /** Where a query the composer refuses to send is noted (the timeline). */
  addLocalRecord(draft: RecordDraft): void;
  /** The composer subscribes on the selected server: editing a subscription selects its server. */
  selectServer(serverId: string): void;
  now(): number;
}

export function createComposerStore({ connections, storage, addLocalRecord, selectServer, now }: ComposerDeps) {
  const draft = signal<QueryDraft>({ ...EMPTY_DRAFT });
  const editing = signal<EditTarget | null>(null);
  /** The draft as a protocol query, or the first reason it is not one. */
  const parsed = computed(() => parseDraft(draft.value));
  const history = createQueryHistory(storage);

  function load(query: QueryJSON, sessionToken = ''): void {
    editing.value = null;
    draft.value = draftFromQuery(query, sessionToken);
  }

  return {
    draft,
    editing,
    parsed,
    history,
    update(patch: Partial<QueryDraft>): void {
      draft.value = { ...draft.value, ...patch };
    },
    load,
    edit(serverId: string, sub: SubscriptionView): void {
      load(sub.query);
      editing.value = { serverId, subscriptionId: sub.id, requestId: sub.requestId };
      selectServer(serverId);
    },
    cancelEdit(): void {
      editing.value = null;
    },
    /**
     * Subscribes with the draft on a server, or applies it to the subscription being edited there. Rejects with a
     * message for the user; a draft that is not a valid query is also noted in the timeline, as "not sent".
     */
    async submit(serverId: string): Promise<'subscribed' | 'updated'> {
      const current = draft.value;
      const result = parsed.value;
      if (!result.ok) {
        addLocalRecord({
          time: now(),
          source: { type: 'server', serverId },
          kind: 'error',
          label: 'invalid query',
          marker: {
            type: 'invalidQuery',
            error: result.error,
            className: current.className,
            where: current.where,
            keys: current.keys,
            watch: current.watch,
          },
          className: current.className || undefined,
          summary: `not sent: ${result.error}`,
        });
        throw new Error(result.error);
      }
      const target = editing.value?.serverId === serverId ? editing.value : null;
      if (target) {
        await connections.updateSubscription(serverId, target.subscriptionId, result.query);
        editing.value = null;
      } else {
        await connections.subscribe(serverId, result.query, current.sessionToken.trim() || undefined);
      }
      history.add(result.query);
      return target ? 'updated' : 'subscribed';
    },
    /** Subscribes again to a query of the history, with the draft's token. */
    rerun(serverId: string, query: QueryJSON): Promise<void> {
      return connections.subscribe(serverId, query, draft.value.sessionToken || undefined);
    },
  };
}

export type ComposerStore = ReturnType<typeof createComposerStore>;
