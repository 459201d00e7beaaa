// Steps a process offers to named people, to be taken from a signed link in their mail (ISO/IEC 20000-1 asks
// that the person accountable acts in time; a link in the reminder is the shortest way there).

/**
 * Attached to a mail: every person that mail reaches gets a link of their own, bound to them, this record and
 * this step, single-use and expiring. The page behind it shows the record and the choice; its POST sends the
 * step's Update, whose validator decides, as for any API call, whether this person may take it now.
 */
export interface ActionOffer {
  /** The step's name as the action-link pages know it, e.g. `corrective-action.complete`. */
  step: string;
  /** When the link stops working (epoch ms); links never outlive ITSM_LINK_MAX_DAYS either. */
  expiresAt?: number;
}
