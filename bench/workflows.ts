/** The cheapest possible workflow: the baseline that API intake is compared with. */
export async function benchNoop(): Promise<void> {}
