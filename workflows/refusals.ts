// Why a workflow refused an Update, carried as the ApplicationFailure type so the API can answer with the
// matching status; the failure's details carry the record's state (and, for conflicts, what it collides with).

/** Not allowed in the record's current state: 409. */
export const ILLEGAL_TRANSITION = 'IllegalTransition';
/** Allowed in this state, but not to this person (e.g. segregation of duties): 403. */
export const NOT_ALLOWED = 'NotAllowed';
/** The requested window collides with blackouts, windows or other changes: 409 with the conflicts. */
export const SCHEDULE_CONFLICT = 'ScheduleConflict';
