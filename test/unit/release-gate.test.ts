import { productionBlockers } from '../../domain/release';

describe('the production gate', () => {
  it('refuses production without a linked change, whatever else holds', () => {
    expect(productionBlockers([], null, Date.now())).toEqual(['no linked change: production needs at least one approved and scheduled change']);
  });

  it('lets production through with a linked change approved and scheduled around now', () => {
    const now = Date.now();
    expect(productionBlockers([{ reference: 'CHG-000001', state: 'scheduled', scheduledStart: now - 1, scheduledEnd: now + 1 }], null, now)).toEqual([]);
  });
});
