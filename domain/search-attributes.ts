import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

type SearchAttributeKey = ReturnType<typeof defineSearchAttributeKey<SearchAttributeType>>;

// The one list of ITSM search attributes: the dev-server launcher registers these, workflows upsert them,
// and managers filter on them in the Temporal UI (e.g. `ItsmEscalationLevel >= 2 AND ExecutionStatus = "Running"`).
export const ItsmKind = defineSearchAttributeKey('ItsmKind', SearchAttributeType.KEYWORD);
export const ItsmState = defineSearchAttributeKey('ItsmState', SearchAttributeType.KEYWORD);
export const ItsmPriority = defineSearchAttributeKey('ItsmPriority', SearchAttributeType.KEYWORD);
export const ItsmService = defineSearchAttributeKey('ItsmService', SearchAttributeType.KEYWORD);
export const ItsmAssignee = defineSearchAttributeKey('ItsmAssignee', SearchAttributeType.KEYWORD);
export const ItsmEscalationLevel = defineSearchAttributeKey('ItsmEscalationLevel', SearchAttributeType.INT);
export const ItsmSlaBreached = defineSearchAttributeKey('ItsmSlaBreached', SearchAttributeType.BOOL);
export const ItsmDueAt = defineSearchAttributeKey('ItsmDueAt', SearchAttributeType.DATETIME);

export const ITSM_SEARCH_ATTRIBUTES: SearchAttributeKey[] = [
  ItsmKind,
  ItsmState,
  ItsmPriority,
  ItsmService,
  ItsmAssignee,
  ItsmEscalationLevel,
  ItsmSlaBreached,
  ItsmDueAt,
];
